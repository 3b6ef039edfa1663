"""Medication (MAT): schedules, marking doses, missed doses, Today, reminders, consent, export and deletion."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from companion.blueprints.medication import services
from companion.blueprints.medication.schedule import occurrences
from companion.blueprints.privacy import ledger
from companion.extensions import db
from companion.models import DisclosureEntry, Dose, Medication, Reminder, User
from tests.conftest import Auth, csrf_from

NY = "America/New_York"


def med(user, **fields) -> Medication:
    """A medication saved straight away, added to Companion ``created`` ago (30 days by default)."""
    created = fields.pop("created", datetime.now(UTC) - timedelta(days=30))
    fields.setdefault("name", "Buprenorphine")
    fields.setdefault("times", ["08:00"])
    fields.setdefault("start_date", date(2026, 1, 1))
    medication = Medication(user_id=user.id, created_at=created, **fields)
    db.session.add(medication)
    db.session.commit()
    return medication


def api(client, email="alex@example.org") -> dict:
    return {"X-CSRFToken": Auth(client).api_login(email)}


def moments(medication, timezone, start, end):
    return list(occurrences(medication, timezone, start, end))


# Schedules


def test_a_daily_dose_keeps_its_local_time_across_both_daylight_saving_changes(participant):
    m = med(participant, times=["08:00"])
    spring = moments(m, NY, datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    assert [t.hour for t in spring] == [13, 12, 12]  # 08:00 EST, then 08:00 EDT
    autumn = moments(m, NY, datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    assert [t.hour for t in autumn] == [12, 13, 13]


def test_a_time_the_clock_skips_or_repeats_has_one_moment(participant):
    m = med(participant, times=["02:30", "01:30"])
    spring = moments(m, NY, datetime(2026, 3, 8, 5, tzinfo=UTC), datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert spring == [datetime(2026, 3, 8, 6, 30, tzinfo=UTC), datetime(2026, 3, 8, 7, 30, tzinfo=UTC)]
    autumn = moments(m, NY, datetime(2026, 11, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 12, tzinfo=UTC))
    assert autumn[0] == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30, still EDT
    assert len(autumn) == 2


def test_the_same_schedule_falls_at_the_local_time_of_each_zone(participant):
    m = med(participant, times=["21:00"])
    day = (datetime(2026, 6, 10, tzinfo=UTC), datetime(2026, 6, 11, tzinfo=UTC))
    assert moments(m, "Asia/Kolkata", *day) == [datetime(2026, 6, 10, 15, 30, tzinfo=UTC)]
    assert moments(m, "Pacific/Honolulu", *day) == [datetime(2026, 6, 10, 7, tzinfo=UTC)]  # 21:00 on 9 June
    assert moments(m, "Australia/Sydney", *day) == [datetime(2026, 6, 10, 11, tzinfo=UTC)]


def test_an_injection_every_28_days_falls_on_its_day_from_the_start(participant):
    m = med(participant, times=["10:00"], every_days=28, start_date=date(2026, 1, 5))
    found = moments(m, NY, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 30, tzinfo=UTC))
    assert [t.date() for t in found] == [date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 30),
                                         date(2026, 4, 27)]
    assert found[3].hour == 14  # 10:00 EDT after the change, as 10:00 EST was 15:00 UTC before
    assert found[0].hour == 15


def test_weekdays_and_the_end_date_bound_the_schedule(participant):
    m = med(participant, times=["07:00"], weekdays=[0, 2], start_date=date(2026, 2, 1), end_date=date(2026, 2, 11))
    found = moments(m, NY, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    assert [t.date() for t in found] == [date(2026, 2, 2), date(2026, 2, 4), date(2026, 2, 9), date(2026, 2, 11)]


# The API: medications


def test_medications_through_the_api(client, participant):
    headers = api(client)
    body = {"name": "Acamprosate", "dose": "666 mg", "schedule": {"times": ["20:00", "08:00", "14:00"]}}
    created = client.post("/api/v1/medications", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["schedule"] == {"times": ["08:00", "14:00", "20:00"], "weekdays": None, "every_days": None}
    assert data["active"] and data["reminders"] and not data["clinic_dosed"]
    mid = data["id"]
    assert client.get("/api/v1/medications").get_json()[0]["id"] == mid
    patched = client.patch(f"/api/v1/medications/{mid}", json={"schedule": {"times": ["09:00"], "every_days": 28},
                                                                "end_date": "2027-01-01"}, headers=headers)
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["schedule"]["every_days"] == 28 and patched.get_json()["name"] == "Acamprosate"
    assert client.delete(f"/api/v1/medications/{mid}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/medications/{mid}").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"name": "", "schedule": {"times": ["08:00"]}}, "name"),
    ({"name": "x" * 101, "schedule": {"times": ["08:00"]}}, "name"),
    ({"name": "A", "schedule": {"times": []}}, "schedule.times"),
    ({"name": "A", "schedule": {"times": ["8am"]}}, "schedule.times.0"),
    ({"name": "A", "schedule": {"times": ["24:00"]}}, "schedule.times.0"),
    ({"name": "A", "schedule": {"times": ["08:00"], "weekdays": [7]}}, "schedule.weekdays.0"),
    ({"name": "A", "schedule": {"times": ["08:00"], "weekdays": []}}, "schedule.weekdays"),
    ({"name": "A", "schedule": {"times": ["08:00", "20:00"], "every_days": 28}}, "schedule.times"),
    ({"name": "A", "schedule": {"times": ["08:00"], "every_days": 28, "weekdays": [1]}}, "schedule.weekdays"),
    ({"name": "A", "schedule": {"times": ["08:00"], "every_days": 1}}, "schedule.every_days"),
    ({"name": "A", "schedule": {"times": ["08:00"]}, "start_date": "2026-05-02", "end_date": "2026-05-01"}, "end_date"),
    ({"name": "A", "schedule": {"times": ["08:00"]}, "clinic_dosed": "yes"}, "clinic_dosed"),
    ({"name": "A", "schedule": {"times": ["08:00"]}, "missed_after_minutes": 5}, "missed_after_minutes"),
    ({"name": "A", "schedule": {"times": ["08:00"]}, "colour": "blue"}, "colour"),
    ({"name": "A"}, "schedule"),
    ({"name": "A\x00", "schedule": {"times": ["08:00"]}}, "name"),
])
def test_a_bad_medication_is_a_422_naming_the_field(client, participant, body, field):
    response = client.post("/api/v1/medications", json=body, headers=api(client))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert db.session.scalar(select(func.count(Medication.id))) == 0


def test_someone_elses_medication_is_a_404_for_every_call(client, clinic):
    theirs = med(clinic.maria)
    headers = api(client)
    assert client.get(f"/api/v1/medications/{theirs.id}").status_code == 404
    assert client.patch(f"/api/v1/medications/{theirs.id}", json={"name": "Mine now"}, headers=headers).status_code == 404
    assert client.delete(f"/api/v1/medications/{theirs.id}", headers=headers).status_code == 404
    dose = {"id": str(uuid.uuid4()), "medication_id": theirs.id, "scheduled_for": "2026-01-02T08:00:00-05:00",
            "status": "taken"}
    assert client.post("/api/v1/doses", json=dose, headers=headers).status_code == 404
    assert client.get(f"/medications/{theirs.id}").status_code == 404
    db.session.refresh(theirs)
    assert theirs.name == "Buprenorphine" and db.session.scalar(select(func.count(Dose.pk))) == 0


# The API: doses


def _today_slot(user, m):
    """A scheduled time of ``m`` within the last day (markable now)."""
    now = datetime.now(UTC)
    return moments(m, user.timezone, now - timedelta(days=1), now)[-1]


def test_a_dose_marked_twice_is_saved_once_and_another_body_is_a_409(client, participant):
    m = med(participant)
    headers = api(client)
    at = _today_slot(participant, m)
    body = {"id": str(uuid.uuid4()), "medication_id": m.id, "scheduled_for": at.isoformat(), "status": "taken"}
    first = client.post("/api/v1/doses", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/doses", json=body, headers=headers)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    other = client.post("/api/v1/doses", json={**body, "status": "skipped"}, headers=headers)
    assert other.status_code == 409
    assert db.session.scalar(select(func.count(Dose.pk))) == 1
    # Another id for the same dose is a change of mind: it replaces the answer.
    changed = client.post("/api/v1/doses", json={**body, "id": str(uuid.uuid4()), "status": "skipped",
                                                 "reason": "Felt sick"}, headers=headers)
    assert changed.status_code == 201
    assert db.session.scalar(select(func.count(Dose.pk))) == 1
    assert db.session.scalar(select(Dose.status)) == "skipped"


@pytest.mark.parametrize("change, field", [
    ({"status": "missed"}, "status"),
    ({"status": "pending"}, "status"),
    ({"reason": "x" * 501}, "reason"),
    ({"scheduled_for": "2026-01-02T08:00:00"}, "scheduled_for"),
    ({"scheduled_for": "yesterday"}, "scheduled_for"),
    ({"id": "not-a-uuid"}, "id"),
    ({"medication_id": "1"}, "medication_id"),
    ({"extra": True}, "extra"),
])
def test_a_bad_dose_is_a_422_naming_the_field(client, participant, change, field):
    m = med(participant)
    body = {"id": str(uuid.uuid4()), "medication_id": m.id, "scheduled_for": _today_slot(participant, m).isoformat(),
            "status": "taken", **change}
    response = client.post("/api/v1/doses", json=body, headers=api(client))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_a_dose_at_a_time_the_schedule_does_not_have_is_a_422(client, participant):
    m = med(participant)
    at = _today_slot(participant, m) + timedelta(minutes=5)
    body = {"id": str(uuid.uuid4()), "medication_id": m.id, "scheduled_for": at.isoformat(), "status": "taken"}
    response = client.post("/api/v1/doses", json=body, headers=api(client))
    assert response.status_code == 422 and "scheduled_for" in response.get_json()["errors"]
    far = datetime.now(UTC) + timedelta(days=3)
    body["scheduled_for"] = moments(m, NY, far, far + timedelta(days=1))[0].isoformat()
    assert client.post("/api/v1/doses", json=body, headers=api(client)).status_code == 422


def test_doses_list_each_scheduled_dose_with_its_status(participant):
    now = datetime(2026, 2, 4, 17, tzinfo=UTC)  # noon in New York
    m = med(participant, times=["08:00", "11:00", "20:00"], created=datetime(2026, 2, 1, tzinfo=UTC),
            missed_after_minutes=120)
    slots = services.doses_in_range(participant, date(2026, 2, 3), date(2026, 2, 4), now)
    assert len(slots) == 6
    yesterday_8 = slots[0].scheduled_for
    services.mark_dose(participant, dose_id=uuid.uuid4(), medication_id=m.id, scheduled_for=yesterday_8,
                       status="taken", now=now)
    services.mark_dose(participant, dose_id=uuid.uuid4(), medication_id=m.id, scheduled_for=slots[1].scheduled_for,
                       status="skipped", reason="Out of it", now=now)
    statuses = [s.status for s in services.doses_in_range(participant, date(2026, 2, 3), date(2026, 2, 4), now)]
    # Yesterday: taken, skipped, not marked; today 08:00 not marked past its 2 hours, 11:00 and 20:00 to come.
    assert statuses == ["taken", "skipped", "missed", "missed", "pending", "pending"]
    week, missed = services.adherence(services.doses_in_range(participant, date(2026, 1, 28), date(2026, 2, 4), now), now, 7)
    # From the evening it was added (31 Jan, 19:00 local) to now: 11 doses decided, 1 taken, 9 not marked.
    assert missed == 9 and week == round(100 * 1 / 11)


def test_doses_before_the_medication_was_added_are_not_counted(participant):
    now = datetime(2026, 2, 4, 17, tzinfo=UTC)
    med(participant, start_date=date(2026, 1, 1), created=datetime(2026, 2, 4, 15, tzinfo=UTC))
    slots = services.doses_in_range(participant, date(2026, 1, 1), date(2026, 2, 4), now)
    assert [s.scheduled_for.date() for s in slots] == [date(2026, 2, 4)]


def test_the_doses_list_through_the_api_checks_its_range(client, participant):
    m = med(participant)
    api(client)
    listed = client.get("/api/v1/doses")
    assert listed.status_code == 200
    assert len(listed.get_json()) == 7, listed.get_json()
    assert {d["medication_id"] for d in listed.get_json()} == {m.id}
    assert all(d["scheduled_for"].endswith(("-05:00", "-04:00")) for d in listed.get_json())
    assert client.get("/api/v1/doses?from=2026-03-02&to=2026-03-01").status_code == 422
    assert client.get("/api/v1/doses?from=2025-01-01&to=2026-03-01").status_code == 422
    assert client.get("/api/v1/doses?from=yesterday").status_code == 422
    assert client.get("/api/v1/doses?from=2026-01-05&to=2026-01-11").status_code == 200


# Missed doses, recorded by the worker


def test_the_worker_records_a_missed_dose_exactly_once(participant, make_user):
    now = datetime(2026, 2, 4, 17, tzinfo=UTC)
    m = med(participant, times=["08:00"], created=datetime(2026, 2, 3, 20, tzinfo=UTC), missed_after_minutes=180)
    assert services.record_missed(now) == 1  # today 08:00 (13:00 UTC) is four hours past
    assert services.record_missed(now) == 0
    assert services.record_missed(now + timedelta(minutes=5)) == 0
    rows = db.session.scalars(select(Dose)).all()
    assert [(r.status, r.scheduled_for) for r in rows] == [("missed", datetime(2026, 2, 4, 13, tzinfo=UTC))]
    # A dose marked in time is never overwritten, and a dose marked after all replaces "missed".
    services.mark_dose(participant, dose_id=uuid.uuid4(), medication_id=m.id, scheduled_for=rows[0].scheduled_for,
                       status="taken", now=now)
    assert services.record_missed(now + timedelta(hours=1)) == 0
    assert db.session.scalar(select(Dose.status)) == "taken"


def test_two_workers_racing_write_one_missed_row(participant):
    now = datetime(2026, 2, 4, 17, tzinfo=UTC)
    m = med(participant, times=["08:00"], created=datetime(2026, 2, 3, 20, tzinfo=UTC))
    # The other worker inserted the row between this one's read and its insert: ON CONFLICT leaves it as it is.
    db.session.add(Dose(id=services.missed_dose_id(m.id, datetime(2026, 2, 4, 13, tzinfo=UTC)), user_id=participant.id,
                        medication_id=m.id, scheduled_for=datetime(2026, 2, 4, 13, tzinfo=UTC), status="missed"))
    db.session.commit()
    assert services.record_missed(now) == 0
    assert db.session.scalar(select(func.count(Dose.pk))) == 1


def test_a_snoozed_dose_is_reminded_again_and_turns_missed_once(participant):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    m = med(participant, times=[(now - timedelta(minutes=10)).astimezone(services.zone(NY)).strftime("%H:%M")],
            missed_after_minutes=60, created=now - timedelta(hours=1))
    slot = services.today_slots(participant, now)[0]
    until = services.snooze_dose(participant, medication_id=m.id, scheduled_for=slot.scheduled_for, now=now)
    planned = db.session.scalars(select(Reminder).where(Reminder.source_kind == "medication",
                                                        Reminder.source_id.like("%:snooze:%"))).all()
    assert planned and {r.due_at for r in planned} == {until}
    assert services.record_missed(now) == 0
    assert services.record_missed(now + timedelta(hours=1)) == 1
    assert services.record_missed(now + timedelta(hours=2)) == 0
    assert db.session.scalar(select(Dose.status)) == "missed"


def test_the_record_missed_command_prints_the_count(runner, participant):
    med(participant, created=datetime.now(UTC) - timedelta(days=2))
    result = runner.invoke(args=["medication", "record-missed"])
    assert result.exit_code == 0 and result.output.startswith("missed=")


# Reminders


def test_dose_reminders_are_planned_and_discreet_ones_name_no_medication(participant):
    from companion.blueprints.reminders import services as reminder_services
    from companion.blueprints.reminders.delivery import DISCREET_TEXT, message_text, push_payload
    from companion.blueprints.reminders.planner import plan

    med(participant, name="Naltrexone tablet", times=["09:00"], created=datetime(2026, 1, 1, tzinfo=UTC))
    med(participant, name="Quiet one", times=["09:00"], reminders=False, created=datetime(2026, 1, 1, tzinfo=UTC))
    plan(datetime(2026, 2, 2, 12, tzinfo=UTC))
    rows = db.session.scalars(select(Reminder).where(Reminder.source_kind == "medication", Reminder.channel == "inapp")
                              .order_by(Reminder.due_at)).all()
    assert rows[0].due_at == datetime(2026, 2, 2, 14, tzinfo=UTC) and len(rows) == 8
    assert all("Naltrexone" in r.title for r in rows)
    settings = reminder_services.settings_for(participant)
    assert settings.discreet
    payload = json.dumps(push_payload(rows[0], participant, settings))
    assert "Naltrexone" not in payload and str(DISCREET_TEXT) in payload
    assert "Naltrexone" not in " ".join(message_text(rows[0], participant, settings))
    settings.discreet = False
    assert "Naltrexone" in json.dumps(push_payload(rows[0], participant, settings))


def test_a_clinic_dosed_medication_is_reminded_as_a_clinic_visit(participant):
    from companion.blueprints.reminders.planner import plan

    med(participant, name="Methadone", clinic_dosed=True, times=["07:00"], created=datetime(2026, 1, 1, tzinfo=UTC))
    plan(datetime(2026, 2, 2, 5, tzinfo=UTC))
    title = db.session.scalar(select(Reminder.title).where(Reminder.source_kind == "medication"))
    assert title.startswith("Clinic visit")


def test_a_dose_marked_before_its_reminder_is_not_sent(participant):
    from companion.blueprints.reminders.dispatch import dispatch
    from companion.blueprints.reminders.planner import plan

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    at = (now + timedelta(minutes=20)).astimezone(services.zone(NY))
    m = med(participant, times=[at.strftime("%H:%M")])
    plan(now)
    slot = [s for s in services.today_slots(participant, now) if s.status == "pending"][-1]
    services.mark_dose(participant, dose_id=uuid.uuid4(), medication_id=m.id, scheduled_for=slot.scheduled_for,
                       status="taken", now=now)
    counts = dispatch(slot.scheduled_for + timedelta(minutes=1))
    assert counts.sent == 0


# Pages


def test_today_shows_the_doses_and_one_tap_marks_one(client, auth, participant):
    m = med(participant, name="Buprenorphine", times=["00:00"], missed_after_minutes=1440)
    auth.login("alex@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Your medication today" in page and "Buprenorphine" in page
    token = csrf_from(page)
    slot = services.today_slots(participant)[0]
    form = {"csrf_token": token, "client_id": str(uuid.uuid4()), "medication_id": m.id,
            "scheduled_for": slot.scheduled_for.isoformat(), "status": "taken", "next": "/"}
    assert client.post("/medications/doses", data=form).status_code == 303
    assert client.post("/medications/doses", data=form).status_code == 303  # sent twice: still one dose
    assert db.session.scalar(select(func.count(Dose.pk))) == 1
    assert "Taken." in client.get("/").get_data(as_text=True)


def test_a_reason_too_long_is_shown_again_with_what_was_typed(client, auth, participant):
    m = med(participant, times=["00:00"], missed_after_minutes=1440)
    auth.login("alex@example.org")
    token = csrf_from(client.get("/").get_data(as_text=True))
    slot = services.today_slots(participant)[0]
    reason = "because " * 70
    response = client.post("/medications/doses", data={
        "csrf_token": token, "client_id": str(uuid.uuid4()), "medication_id": m.id,
        "scheduled_for": slot.scheduled_for.isoformat(), "status": "skipped", "reason": reason})
    assert response.status_code == 422
    assert reason.strip() in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Dose.pk))) == 0


def test_the_today_page_reads_todays_doses_in_one_statement_however_many_medications(client, auth, participant,
                                                                                    count_queries):
    auth.login("alex@example.org")
    med(participant, name="One")
    client.get("/")
    with count_queries() as one:
        client.get("/")
    for n in range(5):
        med(participant, name=f"More {n}", times=["08:00", "20:00"])
    with count_queries() as six:
        assert client.get("/").status_code == 200
    assert six.count == one.count


def test_adding_a_medication_on_the_page_and_its_bad_inputs(client, auth, participant):
    auth.login("alex@example.org")
    page = client.get("/medications/new")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post("/medications/new", data={"csrf_token": token, "name": "Naltrexone tablet", "frequency": "daily",
                                                "time_1": "25:00", "missed_after_minutes": "180", "reminders": "y",
                                                "active": "y"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Naltrexone tablet" in text and "HH:MM" in text
    for data, message in [({"name": "", "time_1": "08:00"}, "can&#39;t be empty"),
                          ({"name": "X", "frequency": "weekdays", "time_1": "08:00"}, "Choose at least one day"),
                          ({"name": "X", "frequency": "every", "every_days": "abc", "time_1": "08:00"}, "Give a number"),
                          ({"name": "X", "time_1": "08:00", "start_date": "2026-05-02", "end_date": "2026-05-01"},
                           "before the start"),
                          ({"name": "X", "time_1": "08:00", "missed_after_minutes": "seven"}, "half an hour")]:
        response = client.post("/medications/new", data={"csrf_token": token, "frequency": "daily", "active": "y",
                                                         "missed_after_minutes": "180", **data})
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), (data, response.get_data(as_text=True)[-3000:])
    good = client.post("/medications/new", data={"csrf_token": token, "name": "Naltrexone injection (Vivitrol)",
                                                 "frequency": "every", "every_days": "28", "time_1": "10:00",
                                                 "missed_after_minutes": "720", "reminders": "y", "active": "y"})
    assert good.status_code == 303
    m = db.session.scalar(select(Medication))
    assert m.every_days == 28 and m.times == ["10:00"] and m.missed_after_minutes == 720
    shown = client.get(f"/medications/{m.id}").get_data(as_text=True)
    assert "Every 28 days" in shown and "the last four weeks" in shown
    assert client.get("/medications").status_code == 200


@pytest.mark.parametrize("language, offered, english", [
    ("en", "Naltrexone injection (Vivitrol)", None),
    ("es", "Naltrexona inyectable (Vivitrol)", "Naltrexone injection"),
])
def test_the_short_list_of_medications_is_offered_in_the_persons_language(client, auth, participant, language,
                                                                          offered, english):
    participant.language = language
    db.session.commit()
    auth.login("alex@example.org")
    page = client.get("/medications/new").get_data(as_text=True)
    assert f'<option value="{offered}">' in page
    assert english is None or english not in page


def test_staff_have_no_medication_pages(client, auth, clinic):
    auth.login("jordan@example.org")
    assert client.get("/medications").status_code == 404
    assert client.get("/api/v1/medications").status_code == 404


# The counselor, under consent


def test_the_medication_scope_shows_adherence_but_not_names_unless_chosen(client, clinic, make_consent):
    med(clinic.alex, name="Buprenorphine")
    assert client.get(f"/api/v1/participants/{clinic.alex.id}/medication").status_code == 401
    api(client, "jordan@example.org")
    url = f"/api/v1/participants/{clinic.alex.id}/medication"
    consent = make_consent(clinic.alex, clinic.counselor, scopes=("goals",))
    assert client.get(url).status_code == 404
    consent.scopes = "goals,medication"
    db.session.commit()
    shared = client.get(url)
    assert shared.status_code == 200, shared.get_json()
    data = shared.get_json()
    assert data["medications"][0]["name"] is None and "Buprenorphine" not in shared.get_data(as_text=True)
    assert data["missed_7d"] >= 1 and data["adherence_7d"] == 0
    assert shared.headers.get("Redisclosure-Notice")
    consent.medication_names = True
    db.session.commit()
    assert client.get(url).get_json()["medications"][0]["name"] == "Buprenorphine"
    whats = db.session.scalars(select(DisclosureEntry.what)).all()
    assert whats == ["medication adherence", "medication adherence with names"]
    consent.revoked_at = datetime.now(UTC)
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/participants/{clinic.maria.id}/medication").status_code == 404


def test_a_consent_can_share_names_only_with_the_medication_scope(client, clinic):
    headers = api(client)
    body = {"counselor_id": clinic.counselor.id, "scopes": ["goals"], "purpose": "Treatment",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(), "signature": "Alex", "medication_names": True}
    assert client.post("/api/v1/consents", json=body, headers=headers).status_code == 422
    made = client.post("/api/v1/consents", json={**body, "scopes": ["medication", "weekly"]}, headers=headers)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["scopes"] == ["medication", "weekly"] and made.get_json()["medication_names"] is True


def test_the_caseload_flags_two_missed_doses_only_under_the_medication_scope(client, clinic, make_consent):
    med(clinic.alex, times=["08:00", "20:00"])
    med(clinic.maria, times=["08:00", "20:00"])
    make_consent(clinic.alex, clinic.counselor, scopes=("goals", "medication"))
    make_consent(clinic.maria, clinic.counselor, scopes=("goals",))
    api(client, "jordan@example.org")
    rows = {r["name"]: r for r in client.get("/api/v1/caseload").get_json()}
    assert "missed_doses_7d" in rows["Alex"]["flags"]
    assert "missed_doses_7d" not in rows["Maria"]["flags"]


def test_the_caseload_reads_medication_in_the_same_statements_for_any_caseload(client, clinic, make_consent, make_user,
                                                                               count_queries):
    make_consent(clinic.alex, clinic.counselor, scopes=("medication",))
    med(clinic.alex)
    api(client, "jordan@example.org")
    client.get("/api/v1/caseload")
    with count_queries() as one:
        client.get("/api/v1/caseload")
    for n in range(4):
        person = make_user(program=clinic.program)
        med(person)
        make_consent(person, clinic.counselor, scopes=("medication",))
    with count_queries() as five:
        client.get("/api/v1/caseload")
    assert five.count == one.count


def test_the_counselors_participant_page_shows_adherence_under_the_scope(client, auth, clinic, make_consent):
    med(clinic.alex, name="Buprenorphine")
    consent = make_consent(clinic.alex, clinic.counselor, scopes=("goals", "medication"))
    auth.login("jordan@example.org")
    page = client.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    assert "Last 7 days" in page and "Buprenorphine" not in page
    consent.medication_names = True
    db.session.commit()
    page = client.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    assert "Buprenorphine" in page
    whats = db.session.scalars(select(DisclosureEntry.what).order_by(DisclosureEntry.id)).all()
    assert "medication adherence" in whats[0] and "with names" not in whats[0]
    assert "medication adherence with names" in whats[1]


# Export, deletion and the demo


def test_medication_is_exported_and_valid_fhir(client, participant):
    from fhir.resources.R4B.bundle import Bundle

    m = med(participant, name="Naltrexone injection (Vivitrol)", times=["10:00"], every_days=28)
    weekly = med(participant, name="Acamprosate", times=["08:00", "14:00", "20:00"], weekdays=[0, 3])
    services.record_missed()
    api(client)
    data = client.get("/api/v1/export").get_json()
    assert {x["name"] for x in data["medications"]} == {m.name, weekly.name}
    assert data["doses"] and all(d["status"] == "missed" for d in data["doses"])
    document = client.get("/api/v1/export/fhir").get_json()
    bundle = Bundle.model_validate(document)
    statements = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "MedicationStatement"]
    assert len(statements) == 2
    assert {s.medicationCodeableConcept.text for s in statements} == {m.name, weekly.name}


def test_deleting_the_account_removes_medications_and_doses(client, participant):
    med(participant)
    services.record_missed()
    assert db.session.scalar(select(func.count(Dose.pk)))
    headers = api(client)
    from tests.conftest import PASSWORD

    assert client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers).status_code == 204
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Medication.id))) == 0
    assert db.session.scalar(select(func.count(Dose.pk))) == 0


def test_the_demo_gives_each_participant_a_medication_once(app):
    from companion.demo import seed_demo

    seed_demo()
    counts = (db.session.scalar(select(func.count(Medication.id))), db.session.scalar(select(func.count(Dose.pk))))
    seed_demo()
    assert counts[0] == 3 and counts[1] > 40
    assert (db.session.scalar(select(func.count(Medication.id))), db.session.scalar(select(func.count(Dose.pk)))) == counts
    alex = db.session.scalar(select(User).where(User.email == "alex@example.org"))
    assert services.summaries([alex])[alex.id]["adherence_28d"] is not None


def test_several_workers_at_once_record_each_missed_dose_once(app, participant):
    import threading

    now = datetime(2026, 2, 4, 17, tzinfo=UTC)
    for n in range(3):
        med(participant, name=f"Medication {n}", times=["08:00", "09:00"], created=datetime(2026, 2, 1, tzinfo=UTC))
    db.session.remove()
    barrier = threading.Barrier(4)
    written, errors = [], []

    def worker():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                written.append(services.record_missed(now))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    rows = db.session.scalar(select(func.count(Dose.pk)))
    # Per medication, within the 3 days looked back (from 1 February 17:00 UTC): both doses of 2 and 3 February and
    # the 08:00 of the 4th (13:00 UTC, three hours past at 16:00); the 09:00 of the 4th is still within its window.
    assert rows == sum(written) == 3 * 5
    assert db.session.scalar(select(func.count(func.distinct(Dose.id)))) == rows
