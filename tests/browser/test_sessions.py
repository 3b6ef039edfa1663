"""Sessions and reminder pages in real Chromium on a 360 px phone, light and dark: axe passes, nothing scrolls sideways."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from companion.blueprints.reminders import services as reminder_services
from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.sessions import services
from companion.extensions import db
from companion.models import Program, User
from companion.models.base import utcnow
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD, PASSWORD_HASH

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_app):
    """A program with a counselor and a participant enrolled in a group that is on right now."""
    with live_app.app_context():
        program = Program(slug="riverside", name="Riverside", timezone="America/New_York")
        counselor = User(email="jordan@example.org", name="Jordan", role="counselor", program=program,
                         timezone="America/New_York", password_hash=PASSWORD_HASH)
        alex = User(email="alex@example.org", name="Alex", role="participant", program=program,
                    timezone="America/New_York", password_hash=PASSWORD_HASH)
        db.session.add_all([program, counselor, alex])
        db.session.commit()
        now = utcnow()
        local = (now - timedelta(minutes=10)).astimezone(services.zone("America/New_York"))
        group = services.create_group(program, counselor, name="Evening group", rule_text="FREQ=DAILY",
                                      start_date=local.date() - timedelta(days=7),
                                      start_time=time(local.hour, local.minute), timezone="America/New_York",
                                      duration_minutes=90, location="Riverside clinic, room 2")
        services.enrol(group, alex)
        services.create_appointment(counselor, alex, starts_at=now + timedelta(days=2), duration_minutes=50,
                                    title="Individual session")
        reminder_services.update_settings(alex, lead_minutes=[0], channels=["inapp"])
        reminder_services.update_settings(alex, lead_minutes=[60, 15], channels=["inapp", "email"])
        group_id = group.id
        dispatch(now + timedelta(days=1, minutes=-70))  # one reminder lands in the inbox
        db.session.remove()
    return {"group_id": group_id}


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(caseload|admin)?$"))  # staff start on their own page


def check(page, screenshot, name):
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert axe_violations(page) == [], (name, scheme)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), (name, scheme)
        screenshot(f"sessions-{name}-{scheme}")


def test_a_participant_checks_in_from_today_and_sees_the_agenda_settings_and_inbox(page, screenshot, people):
    sign_in(page, "alex@example.org")
    assert page.get_by_role("heading", name="Your next session").is_visible()
    check(page, screenshot, "today")
    page.get_by_role("button", name="I'm here: check in").click()
    assert page.get_by_text("You're checked in").first.is_visible()
    page.get_by_role("link", name="Sessions").click()
    page.wait_for_url(re.compile(r"/sessions$"))
    assert page.get_by_role("heading", name="Individual session").is_visible()
    check(page, screenshot, "agenda")
    page.goto("/settings/reminders")  # its own page since Settings was split
    assert page.get_by_role("heading", name="Reminders", exact=True).is_visible()
    check(page, screenshot, "settings")
    page.get_by_label("30 minutes before").check()
    page.get_by_role("button", name="Save reminders").click()
    assert page.get_by_text("Your reminder settings are saved.").is_visible()
    assert page.get_by_label("30 minutes before").is_checked()
    page.goto("/notifications")
    check(page, screenshot, "inbox")


def test_staff_set_up_a_group_and_change_one_session(page, screenshot, people):
    sign_in(page, "jordan@example.org")
    page.goto("/sessions")
    check(page, screenshot, "staff")
    page.get_by_role("link", name="New group").click()
    page.get_by_label("Name of the group").fill("Morning skills group")
    page.get_by_label("Tuesday").check()
    page.get_by_label("First session").fill("2026-03-03")
    page.get_by_label("Starts at (local time)").fill("09:30")
    page.get_by_text("Another pattern (advanced)").click()
    page.get_by_label("Or a repeat rule (RFC 5545 RRULE)").fill("FREQ=NOPE")
    page.get_by_role("button", name="Create the group").click()
    assert "not valid RFC 5545" in page.locator("#rrule-error").inner_text()
    check(page, screenshot, "group-error")
    page.get_by_label("Or a repeat rule (RFC 5545 RRULE)").fill("")
    page.get_by_role("button", name="Create the group").click()
    page.wait_for_url(re.compile(r"/sessions/groups/\d+$"))
    page.get_by_label("Participant", exact=True).select_option(label="Alex")
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_text("Alex is enrolled.").is_visible()
    check(page, screenshot, "group")
    page.goto(f"/sessions/groups/{people['group_id']}")
    with page.expect_navigation():
        page.locator(".session-link").first.click()
    check(page, screenshot, "occurrence")
    page.get_by_role("button", name="Cancel this session").click()
    assert page.get_by_text("This session is cancelled.").is_visible()
