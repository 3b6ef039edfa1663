"""The participant's experience in real Chromium on a phone: the crisis links, hidden controls, the moments
after a slip, milestones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_journal import signed_in

pytestmark = pytest.mark.browser

EVERY_HIDDEN_ELEMENT_IS_NOT_DISPLAYED = """() => [...document.querySelectorAll('[hidden]')]
    .filter((node) => getComputedStyle(node).display !== 'none')
    .map((node) => node.outerHTML.slice(0, 120))"""


def test_a_hidden_control_is_not_visible(page):
    signed_in(page)
    page.goto("/settings")
    # The push box as the script shows it on a phone that can take notifications: "Turn on" only.
    page.evaluate("document.querySelector('[data-push-setup]').hidden = false")
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_visible()
    expect(page.get_by_role("button", name="Turn off notifications on this phone")).to_be_hidden()
    for path in ("/settings", "/", "/offline", "/support/safety-plan"):
        page.goto(path)
        assert page.evaluate(EVERY_HIDDEN_ELEMENT_IS_NOT_DISPLAYED) == [], path


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_safety_plan_texts_crisis_text_line_and_calls_the_rest(page, language):
    signed_in(page)
    if language == "es":
        page.goto("/settings")
        page.get_by_label(re.compile("Language|Idioma")).select_option("es")
        page.locator("button[name=profile-submit]").click()
        page.wait_for_load_state("networkidle")
    keyword = {"en": "HOME", "es": "AYUDA"}[language]
    for path in ("/support/safety-plan", "/help"):
        page.goto(path)
        texts = page.locator('main a[href^="sms:741741"]')
        expect(texts.first).to_be_visible()
        assert {texts.nth(i).get_attribute("href") for i in range(texts.count())} == {f"sms:741741?&body={keyword}"}
        assert page.locator('a[href^="tel:741741"]').count() == 0
        expect(page.locator('main a[href="tel:988"]').first).to_be_visible()
        expect(page.locator('main a[href="tel:911"]').first).to_be_visible()
