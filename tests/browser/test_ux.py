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
    page.goto("/settings/reminders")
    # The push box as the script shows it on a phone that can take notifications: "Turn on" only.
    page.evaluate("document.querySelector('[data-push-setup]').hidden = false")
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_visible()
    expect(page.get_by_role("button", name="Turn off notifications on this phone")).to_be_hidden()
    for path in ("/settings/reminders", "/settings/calendar", "/", "/offline", "/support/safety-plan"):
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


def start_count(page, days_ago: int) -> None:
    from datetime import date, timedelta

    page.goto("/journal/sober")
    page.get_by_label("My start date").fill((date.today() - timedelta(days=days_ago)).isoformat())
    page.get_by_role("button", name="Save the start date").click()
    page.wait_for_url(re.compile(r"/journal/sober$"))


def test_after_i_used_a_kind_screen_offers_next_steps_and_resets_nothing(page, screenshot):
    from tests.browser.conftest import axe_violations

    signed_in(page)
    start_count(page, 40)
    page.goto("/log/craving")
    page.get_by_label("8", exact=True).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/log/[0-9a-f-]{36}$"))
    page.get_by_label("I used").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/journal/after-use"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for being honest")
    expect(page.get_by_text("Nothing has been reset")).to_be_visible()
    expect(page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    assert axe_violations(page) == []
    screenshot("ux-after-use")
    page.get_by_role("link", name="Restart my count").click()
    page.wait_for_url(re.compile(r"/journal/sober\?slip_at="))
    assert "40 days" in page.locator("main").inner_text()  # still counting: only the person restarts it
    expect(page.get_by_role("button", name="Start my count again")).to_be_visible()


def test_a_milestone_is_recognised_on_today(page, screenshot):
    from tests.browser.conftest import axe_violations

    signed_in(page)
    start_count(page, 30)
    page.goto("/")
    moment = page.locator(".milestone-moment")
    expect(moment).to_be_visible()
    expect(moment).to_contain_text("30 days")
    assert axe_violations(page) == []
    screenshot("ux-milestone")


def test_a_skill_entry_starts_with_the_skill_from_the_link_and_offers_favourites_as_chips(page, screenshot):
    signed_in(page)
    page.goto("/journal/skills/box-breathing")
    page.get_by_role("button", name=re.compile("favourite", re.I)).first.click()
    page.goto("/journal/skills/urge-surfing")
    page.get_by_role("link", name="I used this skill").click()
    page.wait_for_url(re.compile(r"/log/coping\?skill=urge-surfing$"))
    first = page.locator("form .field, form fieldset").first
    expect(first).to_contain_text("The skill you tried")  # the skill comes first on a skill entry
    expect(page.get_by_label("Another skill")).to_have_value("urge-surfing")  # not a chip: chosen in the list
    expect(page.locator("details.more-details").first).to_have_attribute("open", "")
    page.get_by_label("Box breathing").check()  # one tap on a favourite
    expect(page.get_by_label("Another skill")).to_have_value("")
    page.get_by_label("4", exact=True).first.check()
    screenshot("ux-skill-entry")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/journal$"))
    assert "Box breathing" in page.locator(".entries").inner_text()
    # The 0–10 scale: no number alone on its row.
    page.goto("/log/craving")
    tops = page.eval_on_selector_all("input[name=intensity]", "els => els.map(e => e.closest('label').getBoundingClientRect().top)")
    rows = {}
    for top in tops:
        rows[round(top)] = rows.get(round(top), 0) + 1
    assert min(rows.values()) >= 2, rows


def test_goal_steps_reorder_in_a_mode_edit_by_their_words_and_tick_on_today_with_a_confirmation(page, screenshot):
    signed_in(page)
    page.goto("/goals/new/write?template=find-a-sponsor")
    page.get_by_role("button", name="Save my goal").click()
    page.wait_for_url(re.compile(r"/goals/\d+$"))
    assert page.locator("ol.steps .icon-button").count() == 0  # no arrows until asked for
    screenshot("ux-goal-steps")
    first = page.locator("ol.steps .step-title").first.inner_text()
    page.get_by_role("link", name=f"Change: {first}").click()
    page.wait_for_url(re.compile(r"/steps/\d+/edit$"))
    page.go_back()
    page.get_by_role("link", name="Reorder steps").click()
    expect(page.get_by_role("button", name=f"Move “{first}” down")).to_be_visible()
    screenshot("ux-goal-reorder")
    page.get_by_role("link", name="Done reordering").click()
    page.goto("/")
    step = page.locator(".steps .step-toggle").first
    name = step.locator(".step-title").inner_text()
    step.click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator(".flashes")).to_contain_text(f"Done: “{name}”")


HEADER_ROWS = """() => {
    const bar = document.querySelector('.top-bar');
    const brand = document.querySelector('.brand');
    const range = document.createRange();
    range.selectNodeContents(brand);
    const brandLines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
    const rows = new Set([brand, ...bar.querySelectorAll('.top-actions a')].map((el) => Math.round(el.getBoundingClientRect().top))).size;
    return {rows, brandLines, overflows: bar.scrollWidth > bar.clientWidth};
  }"""


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [320, 360])
def test_the_header_is_one_row_with_the_name_whole_on_a_small_phone(page, width, language):
    page.set_viewport_size({"width": width, "height": 640})
    for path in ("/help", "/login", "/log/craving"):  # the last: the sign-in page, signed out
        page.goto(f"{path}?lang={language}")
        assert page.evaluate(HEADER_ROWS) == {"rows": 1, "brandLines": 1, "overflows": False}, (path, width, language)
    page.context.clear_cookies()  # the switch's language cookie: the account is made in English
    signed_in(page)
    if language == "es":
        page.goto("/settings")
        page.get_by_label("Language").select_option("es")
        page.locator("button[name=profile-submit]").click()
        page.wait_for_load_state("networkidle")
    page.goto("/log/craving")
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate(HEADER_ROWS) == {"rows": 1, "brandLines": 1, "overflows": False}, (width, language)
    expect(page.get_by_role("button", name=re.compile("^(Save|Guardar)$"))).to_be_in_viewport()


GAPS_BETWEEN_FIELDS = """() => [...document.querySelectorAll('main form.stack')].flatMap((form) => {
    const shown = [...form.children].filter((el) => el.getBoundingClientRect().height > 0);
    return shown.slice(1).map((el, i) => [el.tagName + '.' + el.className,
      Math.round(el.getBoundingClientRect().top - shown[i].getBoundingClientRect().bottom)]);
  })"""


def test_each_group_of_choices_has_room_above_its_heading(page):
    """A fieldset's legend (How strong, What set it off, How did it go) sat right under the tiles above it."""
    signed_in(page)
    for path in ("/journal/checkin", "/log/coping?skill=urge-surfing", "/log/trigger"):
        page.goto(path)
        gaps = page.evaluate(GAPS_BETWEEN_FIELDS)
        assert gaps and all(gap >= 12 for _, gap in gaps), (path, gaps)


GAP_ABOVE_FIRST_CARD = """() => { const card = document.querySelector('main > .card');
    const before = card.previousElementSibling;
    return Math.round(card.getBoundingClientRect().top - before.getBoundingClientRect().bottom); }"""


def test_a_session_time_and_a_button_above_a_card_keep_room_from_it(browser, live_app, live_server):
    """A session's date and time, and the weekly page's "Check in for this week", sat flush on the card below."""
    from companion.demo import seed_demo
    from tests.browser.conftest import PHONE

    with live_app.app_context():
        seed_demo()
    for email, password, path in [("counselor@example.org", "demo counselor passphrase", "/sessions"),
                                  ("alex@example.org", "demo participant passphrase", "/weekly")]:
        context = browser.new_context(base_url=live_server, **PHONE)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/(caseload)?$"))
        page.goto(path)
        if path == "/sessions":
            hrefs = [a.get_attribute("href") for a in page.locator("main a").all()]
            page.goto(next(h for h in hrefs if re.search(r"/sessions/groups/\d+/sessions/", h or "")))
        assert page.evaluate(GAP_ABOVE_FIRST_CARD) >= 12, page.url
        context.close()
