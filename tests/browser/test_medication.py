"""Medication in real Chromium on a 360 px phone: add one, see today's doses, one tap taken, one marked offline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from companion.extensions import db
from companion.models import Dose
from tests.browser.conftest import axe_violations
from tests.browser.test_first_visit import fits_the_screen
from tests.browser.test_journal import signed_in
from tests.browser.test_pwa import api, controlled

pytestmark = pytest.mark.browser


def doses(live_app) -> list[tuple[str, str]]:
    with live_app.app_context():
        found = [(d.status, d.scheduled_for.isoformat()) for d in db.session.scalars(select(Dose))]
        db.session.remove()
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_add_a_medication_and_mark_todays_doses_online_and_offline(page, live_app, screenshot, scheme):
    page.emulate_media(color_scheme=scheme)
    signed_in(page)
    page.goto("/medications")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Add a medication").click()
    # Only the schedule fields of the chosen frequency show, once medication.js has run (expect waits for it).
    expect(page.locator("#weekdays")).to_be_hidden()
    expect(page.locator("#every_days")).to_be_hidden()
    page.get_by_label("Some days of the week").check()
    expect(page.locator("#weekdays")).to_be_visible()
    page.get_by_label("Every so many days (an injection)").check()
    expect(page.locator("#every_days")).to_be_visible()
    expect(page.locator("#weekdays")).to_be_hidden()
    page.get_by_label("Every day", exact=True).check()
    page.get_by_label("Medication", exact=True).fill("Acamprosate")
    page.get_by_label("Dose (optional)").fill("666 mg")
    page.get_by_label("Time", exact=True).fill("00:05")
    page.get_by_label("Second time (optional)").fill("00:10")
    page.get_by_label("Third time (optional)").fill("25:99")  # a browser's time input refuses it: left empty
    screenshot(f"medication-form-{scheme}")
    assert axe_violations(page) == []
    assert fits_the_screen(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/medications/\d+$"))
    assert "Added" in page.locator(".flashes").inner_text()
    assert axe_violations(page) == []
    assert fits_the_screen(page)
    screenshot(f"medication-show-{scheme}")

    page.goto("/")
    card = page.locator("section[aria-labelledby='today-doses']")
    expect(card).to_contain_text("Acamprosate")
    assert axe_violations(page) == []
    assert fits_the_screen(page)
    screenshot(f"medication-today-{scheme}")
    card.get_by_role("button", name="Taken").first.click()  # one tap
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator(".flashes")).to_contain_text("Marked taken")
    assert [status for status, _ in doses(live_app)] == ["taken"]

    controlled(page)
    page.context.set_offline(True)
    page.locator("section[aria-labelledby='today-doses']").get_by_role("button", name="Taken").first.click()
    expect(page.locator("[data-offline-note]")).to_contain_text("Saved on this phone")
    screenshot(f"medication-offline-{scheme}", full_page=False)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("[data-queue-status]").wait_for(state="hidden")
    page.reload()  # a second load replays nothing twice
    page.wait_for_load_state("networkidle")
    assert sorted(status for status, _ in doses(live_app)) == ["taken", "taken"]
    listed = api(page, "/api/v1/doses")
    assert [d["status"] for d in listed if d["status"] == "taken"] == ["taken", "taken"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 360])
def test_four_weeks_of_doses_fit_a_small_phone_without_a_scrolled_month(page, live_app, screenshot, scheme, width):
    from datetime import UTC, date, datetime, timedelta

    from companion.models import Medication, User

    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 740})
    signed_in(page)
    with live_app.app_context():
        robin = db.session.scalar(select(User).where(User.email == "robin@example.org"))
        month_ago = datetime.now(UTC) - timedelta(days=30)
        medication = Medication(user_id=robin.id, name="Buprenorphine/naloxone (Suboxone, Zubsolv)", dose="8 mg film",
                                times=["08:00"], start_date=date.today() - timedelta(days=30), created_at=month_ago)
        db.session.add(medication)
        db.session.commit()
        medication_id = medication.id
        db.session.remove()
    for path in ("/medications", f"/medications/{medication_id}"):
        page.goto(path)
        calendar = page.locator(".dose-calendar")
        expect(calendar).to_contain_text("0/1")
        assert calendar.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), path
        assert axe_violations(page) == [], path
        assert fits_the_screen(page)
    screenshot(f"medication-calendar-{width}-{scheme}")
