"""The weekly check-in in real Chromium on a 360 px phone: 17 questions, a missed one named, the chart."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_first_visit import fits_the_screen
from tests.browser.test_journal import signed_in

pytestmark = pytest.mark.browser

ANSWERS = {1: "Good", 2: "2", 3: "1", 4: "0", 6: "0", 8: "Slightly", 9: "Considerably", 10: "3", 11: "1",
           12: "Moderately", 13: "5", 14: "Yes", 15: "Slightly", 16: "6", 17: "Considerably"}


def answer(page, number: int, label: str) -> None:
    page.locator(f"#q{number}").get_by_label(label, exact=True).check()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_weekly_check_in_on_a_phone(page, screenshot, scheme):
    page.emulate_media(color_scheme=scheme)
    signed_in(page)
    page.get_by_role("link", name="Weekly check-in").click()
    page.wait_for_url(re.compile(r"/weekly$"))
    assert axe_violations(page) == []
    page.get_by_role("link", name="Check in for this week").click()
    page.wait_for_url(re.compile(r"/weekly/checkin$"))
    assert axe_violations(page) == []
    assert fits_the_screen(page)
    for number, label in ANSWERS.items():
        if number != 12:
            answer(page, number, label)
    page.get_by_role("button", name="Save my check-in").click()
    assert page.locator("#q12").get_by_text("Please answer this question.").is_visible()
    assert page.locator("#q1").get_by_label("Good", exact=True).is_checked()  # what was answered stays
    assert axe_violations(page) == []
    screenshot(f"weekly-form-error-{scheme}")
    answer(page, 12, "Moderately")
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_url(re.compile(r"/weekly$"))
    assert "saved" in page.locator(".flashes").inner_text()
    assert page.locator("svg.chart").count() == 1
    assert axe_violations(page) == []
    assert fits_the_screen(page)
    screenshot(f"weekly-history-{scheme}")
