"""A reminder that is due already when its occurrence is planned is due now (within the grace), else missed.

Appointments booked inside their lead, a group occurrence moved to start within it, a check-in nudge set for
a moment ago; re-planning never makes a second one; several worker processes planning at once neither.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from companion.blueprints.reminders import services
from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.reminders.planner import plan
from companion.blueprints.sessions.services import create_appointment, move_occurrence, occurrence_key
from companion.extensions import db
from companion.models import Appointment, GroupMember, Notification, OccurrenceChange, Reminder, ReminderSettings
from tests.fixtures.sessions import alex, counselor, make_group, program, utc  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
NOW = utc(2026, 2, 2, 12)  # 7:00 in New York
ZONE = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def planning_clock(monkeypatch):
    """Plans made on a change (a booking, a move, a setting) are made as of ``clock[0]``."""
    from companion.blueprints.reminders import planner

    clock = [NOW]
    monkeypatch.setattr(planner, "utcnow", lambda: clock[0])
    return clock


def rows(**filters) -> list[Reminder]:
    query = select(Reminder).order_by(Reminder.lead_minutes.desc(), Reminder.channel)
    for name, value in filters.items():
        query = query.where(getattr(Reminder, name) == value)
    return list(db.session.scalars(query))


def inbox() -> list[Notification]:
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_an_appointment_booked_inside_its_lead_is_reminded_at_once(counselor, alex, smtp_server):
    services.update_settings(alex, lead_minutes=[1440, 60], channels=["email", "inapp"])
    create_appointment(counselor, alex, starts_at=NOW + timedelta(minutes=50), duration_minutes=60, title="Counseling")
    # The 60-minute reminder was due 10 minutes ago: due now. The day-before one is long past: missed, and
    # not in the inbox, since the 60-minute one will be.
    assert [(r.lead_minutes, r.channel, r.status, r.send_after) for r in rows()] == [
        (1440, "email", "missed", NOW + timedelta(minutes=50, days=-1)),
        (1440, "inapp", "missed", NOW + timedelta(minutes=50, days=-1)),
        (60, "email", "pending", NOW), (60, "inapp", "pending", NOW)]
    assert str(dispatch(NOW + timedelta(seconds=20))) == "sent=2 skipped=0 failed=0"
    assert len(smtp_server.inbox.messages) == 1
    [note] = inbox()
    assert note.title == "Counseling" and note.reminder_id == rows(lead_minutes=60, channel="inapp")[0].id
    # Planned again and swept again, later, it is not sent a second time.
    for minutes in (1, 15, 45):
        plan(NOW + timedelta(minutes=minutes))
        assert str(dispatch(NOW + timedelta(minutes=minutes))) == "sent=0 skipped=0 failed=0"
    assert len(rows()) == 4 and len(smtp_server.inbox.messages) == 1 and len(inbox()) == 1


def test_an_appointment_booked_past_its_lead_and_the_grace_is_missed_and_shown_in_the_inbox(app, counselor, alex,
                                                                                             smtp_server):
    services.update_settings(alex, lead_minutes=[60], channels=["email", "inapp"])
    create_appointment(counselor, alex, starts_at=NOW + timedelta(minutes=20), duration_minutes=60, title="Counseling")
    assert [(r.channel, r.status) for r in rows()] == [("email", "missed"), ("inapp", "missed")]
    [note] = inbox()
    assert note.title == "Counseling" and note.user_id == alex.id
    assert note.body == "Counseling, Monday 2 February at 7:20 AM."
    assert str(dispatch(NOW + timedelta(seconds=20))) == "sent=0 skipped=0 failed=0"
    plan(NOW + timedelta(minutes=5))
    assert smtp_server.inbox.messages == [] and len(inbox()) == 1 and len(rows()) == 2


def test_an_appointment_cancelled_before_the_sweep_takes_its_late_reminders_with_it(counselor, alex):
    from companion.blueprints.sessions.services import delete_appointment

    services.update_settings(alex, lead_minutes=[1440, 60], channels=["inapp"])
    appointment = create_appointment(counselor, alex, starts_at=NOW + timedelta(minutes=50), duration_minutes=60,
                                     title="Counseling")
    assert len(rows()) == 2
    delete_appointment(appointment)
    assert rows() == [] and dispatch(NOW + timedelta(minutes=1)).sent == 0 and inbox() == []


def test_the_grace_decides_between_now_and_missed(app, counselor, alex):
    app.config["REMINDER_GRACE_MINUTES"] = 45
    services.update_settings(alex, lead_minutes=[60], channels=["inapp"])
    create_appointment(counselor, alex, starts_at=NOW + timedelta(minutes=20), duration_minutes=60, title="Counseling")
    assert [(r.status, r.send_after) for r in rows()] == [("pending", NOW)]
    assert dispatch(NOW).sent == 1 and len(inbox()) == 1


def test_an_appointment_already_begun_gets_no_reminder(counselor, alex):
    services.update_settings(alex, lead_minutes=[60], channels=["inapp"])
    create_appointment(counselor, alex, starts_at=NOW - timedelta(minutes=40), duration_minutes=60, title="Counseling")
    assert rows() == [] and inbox() == []


def test_a_group_occurrence_moved_to_start_within_its_lead_is_reminded_at_once(make_group, alex):
    services.update_settings(alex, lead_minutes=[60], channels=["inapp"])
    group = make_group([alex])  # daily at 18:00 New York, 23:00 UTC
    moved_to = NOW + timedelta(minutes=40)
    move_occurrence(group, occurrence_key(group.id, utc(2026, 2, 2, 23)), moved_to)
    [row] = rows(occurrence_at=moved_to)
    assert (row.status, row.due_at, row.send_after) == ("pending", moved_to - timedelta(hours=1), NOW)
    assert rows(occurrence_at=utc(2026, 2, 2, 23)) == []  # the old time's reminder is gone
    assert dispatch(NOW + timedelta(minutes=1)).sent == 1
    assert dispatch(NOW + timedelta(minutes=2)).sent == 0
    assert len(rows(occurrence_at=moved_to)) == 1 and len(inbox()) == 1


def test_a_check_in_nudge_set_for_a_moment_ago_is_sent_now_and_one_long_past_waits_for_tomorrow(alex, planning_clock):
    services.update_settings(alex, channels=["inapp"], checkin_time=time(6, 45))  # 11:45 UTC, 15 minutes ago
    today = utc(2026, 2, 2, 11, 45)
    [nudge] = rows(occurrence_at=today)
    assert (nudge.status, nudge.send_after) == ("pending", NOW)
    assert dispatch(NOW + timedelta(minutes=1)).sent == 1
    planning_clock[0] = NOW + timedelta(minutes=2)
    services.update_settings(alex, discreet=False)  # a re-plan: nothing new for today
    assert len(rows(occurrence_at=today)) == 1 and dispatch(NOW + timedelta(minutes=2)).sent == 0
    services.update_settings(alex, checkin_time=time(5))  # 10:00 UTC, two hours ago: that moment is over
    assert rows(occurrence_at=utc(2026, 2, 2, 10)) == []
    assert rows(occurrence_at=utc(2026, 2, 3, 10))[0].status == "pending"
    assert len(inbox()) == 1


def test_planning_at_the_same_moment_twice_makes_nothing_twice(counselor, alex):
    services.update_settings(alex, lead_minutes=[1440, 60], channels=["inapp"])
    create_appointment(counselor, alex, starts_at=NOW + timedelta(minutes=20), duration_minutes=60, title="Counseling")
    before = [(r.lead_minutes, r.status) for r in rows()]
    assert before == [(1440, "missed"), (60, "missed")]
    assert plan(NOW) == 0 and plan(NOW + timedelta(minutes=1)) == 0
    assert [(r.lead_minutes, r.status) for r in rows()] == before
    [note] = inbox()  # one item for the occurrence: the latest of its missed reminders
    assert note.reminder_id == rows(lead_minutes=60)[0].id


def test_several_worker_processes_planning_at_once_send_each_late_reminder_once(app, database_uri, program, counselor,
                                                                                make_user, make_group):
    """Four ``reminders dispatch`` processes find the same late occurrences at once (real time, real processes)."""
    now = datetime.now(UTC).replace(microsecond=0)
    soon, later, mover, nudger = (make_user(email=f"{name}@example.org", name=name.title(), program=program)
                                  for name in ("soon", "later", "mover", "nudger"))
    for person, leads in ((soon, [1440, 60]), (later, [60]), (mover, [60]), (nudger, [60])):
        db.session.add(ReminderSettings(user_id=person.id, lead_minutes=leads, channels=["inapp"], goal_steps=True,
                                        discreet=True, calendar_token=f"token-{person.id}"))
    # Written without the services, so that nothing is planned before the workers start.
    db.session.add(Appointment(user_id=soon.id, created_by_id=counselor.id, starts_at=now + timedelta(minutes=50),
                               duration_minutes=60, title="Counseling"))
    db.session.add(Appointment(user_id=later.id, created_by_id=counselor.id, starts_at=now + timedelta(minutes=20),
                               duration_minutes=60, title="Counseling"))
    local = now.astimezone(ZONE)
    group = make_group(start_date=local.date() - timedelta(days=7), start_time=time(local.hour, 0),
                       timezone="America/New_York")
    db.session.add(GroupMember(group_id=group.id, user_id=mover.id))
    first = datetime.combine(local.date() + timedelta(days=2), time(local.hour, 0), tzinfo=ZONE).astimezone(UTC)
    db.session.add(OccurrenceChange(group_id=group.id, original_start=first, new_start=now + timedelta(minutes=40)))
    db.session.get(ReminderSettings, nudger.id).checkin_time = (local - timedelta(minutes=10)).time().replace(
        second=0, microsecond=0)
    db.session.commit()
    soon, later, mover, nudger = soon.id, later.id, mover.id, nudger.id
    env = {**os.environ, "DATABASE_URL": database_uri, "MAIL_SERVER": "", "PYTHONUNBUFFERED": "1",
           "SECRET_KEY": "a-worker-secret-key-that-is-long-enough-for-tests"}
    env.pop("FLASK_DEBUG", None)
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "companion", "reminders", "dispatch"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(4)]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, [err[-2000:] for _, err in outputs]
    db.session.remove()
    late = select(Reminder.user_id, Reminder.status, func.count()).where(Reminder.occurrence_at < now + timedelta(hours=2))
    assert sorted(db.session.execute(late.group_by(Reminder.user_id, Reminder.status)).all()) == sorted([
        (soon, "missed", 1), (soon, "sent", 1), (later, "missed", 1), (mover, "sent", 1), (nudger, "sent", 1)])
    notes = dict(db.session.execute(select(Notification.user_id, func.count()).group_by(Notification.user_id)).all())
    assert notes == {soon: 1, later: 1, mover: 1, nudger: 1}

