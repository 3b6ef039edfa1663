"""Consent and the caseload in real Chromium: share one goal of two, revoke, see who looked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from companion.extensions import db
from companion.models import Goal, GoalStep, Program, User
from tests.browser.conftest import PHONE, axe_violations, save_screenshot
from tests.browser.test_first_visit import fits_the_screen
from tests.conftest import PASSWORD, PASSWORD_HASH

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_app):
    with live_app.app_context():
        program = Program(slug="riverside", name="Riverside IOP", timezone="America/New_York")
        db.session.add(program)
        for email, name, role in [("jordan@example.org", "Jordan Rivera", "counselor"), ("alex@example.org", "Alex", "participant"),
                                  ("sam@example.org", "Sam", "admin")]:
            db.session.add(User(email=email, name=name, role=role, program=program, timezone="America/New_York",
                                password_hash=PASSWORD_HASH))
        db.session.commit()
        alex = db.session.scalar(db.select(User).where(User.email == "alex@example.org"))
        for title in ["Go to every group this week", "Get my money in order"]:
            goal = Goal(user_id=alex.id, title=title)
            goal.steps = [GoalStep(user_id=alex.id, title="First step", position=0),
                          GoalStep(user_id=alex.id, title="Second step", position=1, done=True)]
            db.session.add(goal)
        db.session.commit()


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_consent_share_one_goal_revoke_and_see_who_looked(browser, live_server, people):
    participant = browser.new_context(base_url=live_server, **PHONE).new_page()
    counselor = browser.new_context(base_url=live_server, **PHONE).new_page()

    sign_in(participant, "alex@example.org")
    participant.goto("/goals")
    participant.get_by_role("link", name="Go to every group this week").click()
    participant.get_by_role("button", name="Share with my counselor").click()
    expect(participant.get_by_text("This goal is now shared with your counselor.")).to_be_visible()

    participant.goto("/privacy")
    participant.get_by_role("link", name="Give a counselor consent").click()
    participant.get_by_label("Who may see it").select_option(label="Jordan Rivera")
    participant.get_by_label("Type your full name to sign").fill("Alex Morgan")
    assert axe_violations(participant) == [] and fits_the_screen(participant)
    save_screenshot(participant, "consent-form")
    participant.get_by_role("button", name="Sign this consent").click()
    expect(participant.get_by_text("Your consent is signed.")).to_be_visible()

    sign_in(counselor, "jordan@example.org")
    counselor.wait_for_url(re.compile(r"/caseload$"))
    expect(counselor.get_by_text("Go to every group this week: 50%")).to_be_visible()
    assert counselor.get_by_text("Get my money in order").count() == 0
    assert axe_violations(counselor) == [] and fits_the_screen(counselor)
    save_screenshot(counselor, "caseload")
    counselor.get_by_role("link", name="Alex").click()
    expect(counselor.get_by_role("heading", name="Go to every group this week")).to_be_visible()
    assert axe_violations(counselor) == []

    participant.goto("/privacy/who-saw-what")
    expect(participant.get_by_role("cell", name="Jordan Rivera").first).to_be_visible()
    participant.goto("/privacy")
    participant.get_by_role("button", name="Revoke consent for Jordan Rivera").click()
    expect(participant.get_by_text("can no longer see anything")).to_be_visible()

    counselor.goto("/caseload")
    assert counselor.get_by_text("Go to every group this week").count() == 0
    expect(counselor.get_by_text("No one has given you consent yet.")).to_be_visible()


def test_admin_page_passes_axe(browser, live_server, people):
    page = browser.new_context(base_url=live_server, **PHONE).new_page()
    sign_in(page, "sam@example.org")
    page.wait_for_url(re.compile(r"/admin$"))
    page.get_by_role("button", name="New participant code").click()
    expect(page.get_by_text("New participant code:")).to_be_visible()
    assert axe_violations(page) == [] and fits_the_screen(page)


BROKEN_WORDS_IN_HEADERS = """() => [...document.querySelectorAll('th')].flatMap((th) => {
    const broken = [];
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[^\\s\\/–-]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
    return broken;
  })"""


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [320, 360])
def test_the_counselors_tables_break_headers_between_words_only(browser, live_app, live_server, width, language):
    """The demo counselor's view of Alex (check-ins, weekly scores) and Alex's own who-saw-what: no header word is
    split over two lines ("Use/d"), and what does not fit the card scrolls in a region a keyboard can reach."""
    from companion.demo import seed_demo

    with live_app.app_context():
        seed_demo()
        alex = db.session.scalar(db.select(User).where(User.email == "alex@example.org"))
        alex_id = alex.id
        db.session.execute(db.update(User).values(language=language))
        db.session.commit()
        db.session.remove()
    for email, password, path in [("counselor@example.org", "demo counselor passphrase", f"/caseload/{alex_id}"),
                                  ("alex@example.org", "demo participant passphrase", "/privacy/who-saw-what")]:
        context = browser.new_context(base_url=live_server, **{**PHONE, "viewport": {"width": width, "height": 740}})
        page = context.new_page()
        page.goto("/login?lang=en")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/(caseload)?$"))
        page.goto(path)
        assert page.locator("th").count() >= 3, path
        assert page.evaluate(BROKEN_WORDS_IN_HEADERS) == [], (path, width, language)
        assert fits_the_screen(page)  # a table wider than its card scrolls in its own focusable region
        assert axe_violations(page) == [], (path, width, language)
        save_screenshot(page, f"counselor-headers-{path.strip('/').replace('/', '-')}-{width}-{language}")
        context.close()
