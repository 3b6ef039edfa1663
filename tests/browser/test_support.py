"""Support in real Chromium on a 360 px phone: an admin imports the feed, a participant finds and saves a meeting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from companion.blueprints.support import feeds, services
from companion.extensions import db
from companion.models import Program, SavedMeeting, User
from tests.browser.conftest import PHONE, axe_violations, save_screenshot
from tests.conftest import PASSWORD, PASSWORD_HASH

pytestmark = pytest.mark.browser

FEED = Path(__file__).parent.parent / "data" / "sussex-aa.json"


@pytest.fixture
def people(live_app):
    """A program with an admin and a participant."""
    with live_app.app_context():
        program = Program(slug="riverside", name="Riverside IOP", timezone="America/New_York")
        db.session.add(program)
        for email, role in [("admin@example.org", "admin"), ("alex@example.org", "participant")]:
            db.session.add(User(email=email, name=email.split("@")[0].title(), role=role, program=program,
                                timezone="America/New_York", password_hash=PASSWORD_HASH))
        db.session.commit()


@pytest.fixture
def imported(live_app, people):
    with live_app.app_context():
        program = db.session.scalar(select(Program))
        services.import_meetings(feeds.read_file(str(FEED)), program)


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(caseload|admin)?$"))  # staff start on their own page


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_an_admin_imports_the_feed_and_a_participant_saves_an_online_meeting_for_today(page, live_app, people, screenshot):
    sign_in(page, "admin@example.org")
    page.goto("/support/admin")
    page.get_by_label("Or a feed file from this device").set_input_files(str(FEED))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/support/admin$"))
    assert "Imported 123 meetings" in page.locator(".flashes").inner_text()
    screenshot("support-admin")
    page.goto("/settings")
    page.get_by_role("button", name="Sign out", exact=True).click()

    sign_in(page, "alex@example.org")
    page.get_by_role("link", name="Support").click()
    page.get_by_role("link", name="Find a meeting").click()
    page.get_by_label("Online or in person").select_option("online")
    page.get_by_role("button", name="Show meetings").click()
    page.wait_for_url(re.compile(r"how=online"))
    cards = page.locator(".meeting-results > li")
    assert cards.count() >= 1
    for i in range(cards.count()):
        assert "Online" in cards.nth(i).inner_text()
    assert fits_the_screen(page)
    screenshot("support-meetings")

    first = cards.first.get_by_role("link").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/support/meetings/\d+$"))
    assert page.get_by_role("link", name="Join the video meeting").is_visible()
    assert page.get_by_label("Remind me before it starts").is_checked()
    screenshot("support-meeting")
    page.get_by_role("button", name="Save this meeting").click()
    page.wait_for_url(re.compile(r"/support/meetings/\d+$"))
    assert "reminder" in page.locator(".flashes").inner_text()

    with live_app.app_context():
        saved = db.session.scalar(select(SavedMeeting))
        assert saved.meeting.name == name and saved.remind
        # What the reminders planner reads: this meeting's next start, within the coming week.
        now = datetime.now(UTC)
        upcoming = services.reminder_occurrences(now, now + timedelta(days=8), user=db.session.get(User, saved.user_id))
        assert upcoming and upcoming[0].meeting_id == saved.meeting_id
    page.goto("/support/saved")
    assert name in page.locator("main").inner_text()


def test_the_safety_plan_is_written_and_kept_for_offline_use(page, browser, people, tmp_path, screenshot):
    sign_in(page, "alex@example.org")
    page.goto("/help")
    page.get_by_role("link", name="Open my safety plan").click()
    page.wait_for_url(re.compile(r"/support/safety-plan$"))
    assert page.get_by_role("link", name=re.compile("Call 988")).first.get_attribute("href") == "tel:988"
    page.get_by_role("link", name="Write my safety plan").click()
    page.get_by_label("1. Warning signs").fill("Not sleeping\nSkipping meals")
    page.get_by_label("Person 1: name").fill("Mom")
    page.get_by_label("Person 1: phone").fill("555-0100")
    screenshot("support-safety-form")
    page.get_by_role("button", name="Save my safety plan").click()
    page.wait_for_url(re.compile(r"/support/safety-plan$"))
    assert page.get_by_role("link", name=re.compile("Call 555-0100")).is_visible()
    screenshot("support-safety-plan")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Save a copy on this phone").click()
    kept = tmp_path / "my-safety-plan.html"
    download_info.value.save_as(kept)

    # Opened later from the phone's files, with no connection at all.
    offline = browser.new_context(offline=True, **PHONE)
    copy = offline.new_page()
    copy.goto(kept.as_uri())
    text = copy.locator("body").inner_text()
    assert "Not sleeping" in text and "Mom" in text
    assert copy.get_by_role("link", name="Call 988", exact=True).get_attribute("href") == "tel:988"
    save_screenshot(copy, "support-safety-offline")
    offline.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_support_pages_pass_axe_and_fit_a_phone(page, live_app, imported, scheme, screenshot):
    page.emulate_media(color_scheme=scheme)
    sign_in(page, "alex@example.org")
    with live_app.app_context():
        from companion.models import Meeting

        online = db.session.scalar(select(Meeting).where(Meeting.online.is_(True)))
        alex = db.session.scalar(select(User).where(User.email == "alex@example.org"))
        services.save_meeting(alex, online.id, remind=True)
        services.save_aftercare_plan(alex, {"follow_up": "Therapy Tuesdays", "steps": ["Call the clinic"],
                                            "contacts": [{"name": "Sister", "phone": "555-0102"}]}, alex)
        meeting_id = online.id
    paths = ["/support", "/support/meetings", f"/support/meetings?day=&how=online&near=Lewes&q=&type=O",
             f"/support/meetings/{meeting_id}", "/support/saved", "/support/safety-plan",
             "/support/safety-plan/edit", "/support/aftercare", "/support/aftercare/edit", "/help"]
    for path in paths:
        page.goto(path)
        assert axe_violations(page) == [], path
        assert fits_the_screen(page), path
    page.goto("/support")
    screenshot(f"support-index-{scheme}")
    page.goto(f"/support/meetings/{meeting_id}")
    screenshot(f"support-meeting-{scheme}")


def test_admin_page_passes_axe(page, people):
    sign_in(page, "admin@example.org")
    page.goto("/support/admin")
    assert axe_violations(page) == []
    assert fits_the_screen(page)
