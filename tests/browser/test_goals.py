"""Goals on a phone in real Chromium: from a template, add and reorder steps, tick them off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, axe_violations
from tests.browser.test_first_visit import fits_the_screen, register

pytestmark = pytest.mark.browser


def step_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("ol.steps .step-title").all_inner_texts()]


def test_goal_from_a_template_with_steps_reordered_and_ticked_off(page, screenshot):
    register(page)
    page.get_by_role("link", name="Goals").click()
    page.get_by_role("link", name="Set a new goal").click()
    screenshot("goals-new")
    page.get_by_role("link", name=re.compile("Build a sleep routine")).click()
    assert page.get_by_label("What is your goal?").input_value() == "Build a sleep routine"
    page.get_by_role("button", name="Save my goal").click()
    page.wait_for_url(re.compile(r"/goals/\d+$"))
    assert step_titles(page)[0] == "Pick a regular time to go to bed and to get up"

    page.get_by_label("Add a small step").fill("Make my room dark")
    page.get_by_role("button", name="Add step").click()
    page.wait_for_url(re.compile(r"/goals/\d+#steps$"))
    assert step_titles(page)[-1] == "Make my room dark"

    page.get_by_role("link", name="Reorder steps").click()  # the arrows live in the Reorder mode
    page.get_by_role("button", name="Move “Make my room dark” up").click()
    expect(page.locator("ol.steps .step-title").nth(3)).to_have_text("Make my room dark")

    page.get_by_role("button", name=re.compile("^Pick a regular time")).click()
    page.wait_for_selector("text=20% · 1 of 5 steps done")
    assert page.get_by_role("button", name=re.compile("^Pick a regular time")).get_attribute("aria-pressed") == "true"
    assert fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot("goal")

    for name in ["Put my phone away", "Skip caffeine", "Make my room dark", "Keep to my bedtime"]:
        page.get_by_role("button", name=re.compile("^" + name)).click()
        expect(page.get_by_role("button", name=re.compile("^" + name))).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Mark this goal done").click()
    page.wait_for_selector("text=That took real effort")
    screenshot("goal-done")


def test_reorder_and_tick_off_work_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    page = context.new_page()
    register(page)
    page.goto("/goals/new/write?template=find-a-sponsor")
    page.get_by_role("button", name="Save my goal").click()
    page.wait_for_url(re.compile(r"/goals/\d+$"))
    first = step_titles(page)[0]
    # Without JavaScript each button posts a form and the goal page loads again: wait for the new page.
    page.get_by_role("link", name="Reorder steps").click()  # the arrows live in the Reorder mode
    page.get_by_role("button", name=f"Move “{first}” down").click()
    expect(page.locator("ol.steps .step-title").nth(1)).to_have_text(first)
    page.get_by_role("button", name=re.compile("^Write down two people")).click()
    page.wait_for_selector("text=25% · 1 of 4 steps done")
    context.close()


def test_goal_pages_pass_axe_in_dark_mode(page):
    page.emulate_media(color_scheme="dark")
    register(page)
    page.goto("/goals/new/write?template=coping-plan")
    page.get_by_role("button", name="Save my goal").click()
    goal_url = page.url
    for path in ["/goals", "/goals/new", "/goals/new/write", goal_url, goal_url + "/edit", "/"]:
        page.goto(path)
        assert axe_violations(page) == [], path
        assert fits_the_screen(page), path


def test_a_form_error_keeps_what_was_typed(page):
    register(page)
    page.goto("/goals/new/write")
    page.get_by_label("Why it matters to you (optional)").fill("For my kids")
    page.get_by_label("Target date (optional)").fill("2020-01-01")
    page.get_by_role("button", name="Save my goal").click()
    assert "Give your goal a short title." in page.locator("#title-error").inner_text()
    assert page.get_by_label("Why it matters to you (optional)").input_value() == "For my kids"
    assert axe_violations(page) == []
