"""A participant's first visit, in real Chromium on a 360 px wide phone screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def register(page, name="Robin", email="robin@example.org", password="river stones and quiet mornings"):
    page.goto("/register")
    page.get_by_label("Your first name or a nickname").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Your time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Create account").click()


def test_register_sign_out_sign_in_and_see_today(page, screenshot):
    register(page)
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", level=1).inner_text().endswith("Robin")
    screenshot("today")
    page.goto("/settings")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login$"))
    screenshot("login")
    page.get_by_label("E-mail").fill("robin@example.org")
    page.get_by_label("Password").fill("river stones and quiet mornings")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("link", name="Get help now").is_visible()


def test_a_mistake_on_the_form_keeps_what_was_typed(page, screenshot):
    register(page, password="short")
    assert page.get_by_label("Your first name or a nickname").input_value() == "Robin"
    assert page.get_by_label("E-mail").input_value() == "robin@example.org"
    error = page.locator("#password-error")
    assert "12" in error.inner_text()
    assert page.get_by_label("Password").get_attribute("aria-describedby").split().count("password-error") == 1
    screenshot("register-error")


def test_the_phone_time_zone_is_chosen_for_you(browser, live_server):
    context = browser.new_context(base_url=live_server, timezone_id="America/Denver", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto("/register")
    assert page.get_by_label("Your time zone").input_value() == "America/Denver"
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("path", ["/login", "/register", "/reset", "/help"])
def test_public_pages_pass_axe_and_fit_a_phone(page, path):
    page.goto(path)
    assert axe_violations(page) == []
    assert fits_the_screen(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_signed_in_pages_pass_axe_in_light_and_dark(page, scheme, screenshot):
    page.emulate_media(color_scheme=scheme)
    register(page)
    page.wait_for_url(re.compile(r"/$"))
    for path in ["/", "/settings", "/help"]:
        page.goto(path)
        assert axe_violations(page) == [], path
        assert fits_the_screen(page), path
    page.goto("/")
    screenshot(f"today-{scheme}")


def test_help_is_one_tap_from_the_sign_in_page(page):
    page.goto("/login")
    page.get_by_role("link", name="Get help now").click()
    page.wait_for_url(re.compile(r"/help$"))
    assert page.get_by_role("link", name="Call 988").get_attribute("href") == "tel:988"
