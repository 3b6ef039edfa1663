"""The journal in real Chromium on a 360 px phone: a craving in three taps, details, check-in, insights."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_first_visit import fits_the_screen, register

pytestmark = pytest.mark.browser

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def signed_in(page):
    register(page)
    page.wait_for_url(re.compile(r"/$"))
    # Every response rewrites the (permanent) session cookie, static files included: let Today's finish,
    # so that none of them lands after the next page's and drops the CSRF token that page stores.
    page.wait_for_load_state("networkidle")


def test_a_craving_in_three_taps_then_details_check_in_and_insights(page, screenshot):
    signed_in(page)
    screenshot("journal-today")
    page.get_by_role("link", name="I'm having a craving").click()  # tap 1
    page.wait_for_url(re.compile(r"/log/craving$"))
    assert UUID.match(page.locator("input[name='client_id']").input_value())
    page.get_by_label("7", exact=True).check()  # tap 2
    screenshot("journal-craving")
    page.get_by_role("button", name="Save").click()  # tap 3
    page.wait_for_url(re.compile(r"/log/[0-9a-f-]{36}$"))
    assert "Saved" in page.locator(".flashes").inner_text()

    page.get_by_label("Stress").check()
    page.get_by_text("More: HALT, the feeling, a note, the time").click()  # the optional parts are folded
    page.get_by_label("Tired").check()
    page.get_by_label("The feeling").fill("anxious")
    page.get_by_label("The skill you tried").select_option("urge-surfing")
    page.get_by_label("4", exact=True).nth(1).check()
    page.get_by_label("The urge passed").check()
    page.get_by_label("A note (optional)").fill("<b>after work</b>")
    screenshot("journal-details")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/journal$"))
    assert "Stress" in page.locator(".entries").inner_text()

    page.goto("/")
    page.get_by_role("link", name="Check in for today").click()
    page.get_by_label("4 · good").check()
    page.get_by_label("2", exact=True).check()
    page.get_by_label("Hours slept last night").fill("7")
    page.get_by_label("No", exact=True).check()
    screenshot("journal-checkin")
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_url(re.compile(r"/$"))
    assert "check-in is done" in page.locator(".journal-today").inner_text()

    page.goto("/journal/insights?days=7")
    assert "Stress: 1" in page.locator("#triggers-desc").text_content()
    assert "Urge surfing" in page.locator("table.data").first.inner_text()
    hour_desc = page.locator("#by-hour-desc").text_content()
    assert "(1)" in hour_desc
    screenshot("journal-insights")


def test_a_mistake_keeps_what_was_typed(page):
    signed_in(page)
    page.goto("/log/trigger")
    page.get_by_label("Places").check()
    page.get_by_text("More: HALT, the feeling, a note, the time").click()  # the optional parts are folded
    page.get_by_label("A note (optional)").fill("x" * 2001)
    page.get_by_role("button", name="Save").click()
    assert "2,000 characters" in page.locator("#note-error").inner_text()
    assert page.get_by_label("Places").is_checked()
    assert len(page.get_by_label("A note (optional)").input_value()) == 2001
    assert axe_violations(page) == []
    assert fits_the_screen(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_journal_pages_pass_axe_and_fit_a_phone(page, scheme, screenshot):
    page.emulate_media(color_scheme=scheme)
    signed_in(page)
    page.goto("/log/craving")
    page.get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/log/[0-9a-f-]{36}$"))
    page.goto("/journal/sober")
    page.get_by_label("My start date").fill("2026-01-01")
    page.get_by_role("button", name="Save the start date").click()
    page.wait_for_url(re.compile(r"/journal/sober$"))
    for path in ["/", "/journal", "/log/craving", "/log/trigger", "/log/coping", "/journal/checkin",
                 "/journal/insights", "/journal/insights?days=90", "/journal/sober", "/journal/skills",
                 "/journal/skills/urge-surfing", "/journal/skills/new"]:
        page.goto(path)
        assert axe_violations(page) == [], path
        assert fits_the_screen(page), path
    page.goto("/journal/sober")
    screenshot(f"journal-sober-{scheme}")
    page.goto("/journal")
    screenshot(f"journal-index-{scheme}")
    page.goto("/journal/insights")
    screenshot(f"journal-insights-{scheme}")
