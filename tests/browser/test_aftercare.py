"""The aftercare plan in real Chromium on a phone: a counselor writes it, the participant sees who wrote it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from companion.extensions import db
from companion.models import Consent, Program, User
from tests.browser.conftest import ARTIFACTS, PHONE, axe_violations
from tests.browser.test_first_visit import fits_the_screen
from tests.browser.test_support import sign_in
from tests.conftest import PASSWORD_HASH

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_app):
    """Jordan, a counselor, and Alex, who consented to Jordan seeing their goals (and so the aftercare plan)."""
    with live_app.app_context():
        program = Program(slug="riverside", name="Riverside IOP", timezone="America/New_York")
        db.session.add(program)
        jordan = User(email="jordan@example.org", name="Jordan Rivera", role="counselor", program=program,
                      timezone="America/New_York", password_hash=PASSWORD_HASH)
        alex = User(email="alex@example.org", name="Alex", role="participant", program=program,
                    timezone="America/New_York", password_hash=PASSWORD_HASH)
        db.session.add_all([jordan, alex])
        db.session.commit()
        db.session.add(Consent(participant_id=alex.id, counselor_id=jordan.id, program_name=program.name,
                               scopes="goals", purpose="Planning aftercare", signature="Alex Morgan",
                               expires_on=date.today() + timedelta(days=60)))
        db.session.commit()


def test_a_counselor_writes_the_aftercare_plan_and_the_participant_sees_it(page, browser, live_server, people, screenshot):
    counselor = page  # the fixture's page: console errors, failed loads and off-site requests fail the test
    sign_in(counselor, "jordan@example.org")
    counselor.get_by_role("link", name="Alex").click()
    counselor.get_by_role("link", name="Aftercare plan for Alex").click()
    expect(counselor.get_by_role("heading", name="Aftercare plan for Alex")).to_be_visible()
    expect(counselor.get_by_label("Redisclosure notice")).to_contain_text("42 CFR part 2")

    counselor.get_by_label("Follow-up care").fill("Outpatient group with Jordan, Thursdays 6 pm")
    counselor.get_by_label("Meetings").fill("Monday night open meeting at St. Mark's")
    counselor.get_by_label("Their phone").fill("555-0101")  # but no sponsor's name: refused, nothing lost
    counselor.get_by_label("Person 1: name").fill("My sister")
    counselor.get_by_label("Person 1: phone").fill("555-0123")
    counselor.get_by_label("Next steps").fill("Book the first outpatient session\nAsk for a temporary sponsor")
    counselor.get_by_role("button", name="Save the aftercare plan").click()
    expect(counselor.get_by_text("Give the sponsor's or mentor's name with their phone number.")).to_be_visible()
    expect(counselor.get_by_label("Follow-up care")).to_have_value("Outpatient group with Jordan, Thursdays 6 pm")
    expect(counselor.get_by_label("Person 1: phone")).to_have_value("555-0123")
    assert axe_violations(counselor) == [] and fits_the_screen(counselor)
    screenshot("aftercare-counselor-error")

    counselor.get_by_label("Sponsor or mentor").fill("Pat")
    counselor.get_by_role("button", name="Save the aftercare plan").click()
    expect(counselor.get_by_text("The aftercare plan is saved.")).to_be_visible()
    expect(counselor.get_by_text(re.compile(r"Written by you on"))).to_be_visible()
    assert axe_violations(counselor) == [] and fits_the_screen(counselor)
    screenshot("aftercare-counselor")

    participant = browser.new_context(base_url=live_server, **PHONE).new_page()
    sign_in(participant, "alex@example.org")
    participant.goto("/support/aftercare")
    expect(participant.get_by_text(re.compile(r"Written by Jordan Rivera \(counselor\) on .* at "))).to_be_visible()
    expect(participant.get_by_role("heading", name="Follow-up care")).to_be_visible()
    expect(participant.get_by_text("Outpatient group with Jordan, Thursdays 6 pm")).to_be_visible()
    expect(participant.get_by_role("link", name="Call 555-0123 (My sister)")).to_have_attribute("href", "tel:555-0123")
    expect(participant.get_by_text("Ask for a temporary sponsor")).to_be_visible()
    assert axe_violations(participant) == [] and fits_the_screen(participant)
    ARTIFACTS.mkdir(exist_ok=True)
    participant.screenshot(path=str(ARTIFACTS / "aftercare-participant.png"), full_page=True)

    participant.goto("/privacy/who-saw-what")
    expect(participant.get_by_role("cell", name="Looked at aftercare plan, and changed it")).to_be_visible()
