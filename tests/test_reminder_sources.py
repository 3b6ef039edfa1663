"""Goal steps with due dates and saved meetings become reminders through the reminders planner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from companion.blueprints.reminders import services as reminder_services
from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.reminders.planner import plan
from companion.extensions import db
from companion.models import Meeting, MeetingFeed, Notification, Reminder, SavedMeeting
from tests.fixtures.sessions import alex, program  # noqa: F401

NOW = datetime(2026, 2, 2, 12, tzinfo=UTC)  # a Monday, 7:00 in New York


def kinds(kind):
    return db.session.scalars(select(Reminder).where(Reminder.source_kind == kind).order_by(Reminder.due_at)).all()


def test_a_step_due_tomorrow_is_reminded_once_at_nine_local_time(alex, make_goal):
    goal = make_goal(alex, steps=["Call the clinic", "Done already"], done=0)
    goal.steps[0].due_date = date(2026, 2, 3)
    db.session.commit()
    plan(NOW)
    rows = kinds("goal_step")
    assert rows and {r.due_at for r in rows} == {datetime(2026, 2, 3, 14, tzinfo=UTC)}  # 9:00 EST
    assert {r.lead_minutes for r in rows} == {0}


def test_a_step_done_before_its_reminder_is_not_sent(alex, make_goal):
    goal = make_goal(alex, steps=["Call the clinic"])
    goal.steps[0].due_date = date(2026, 2, 3)
    db.session.commit()
    plan(NOW)
    goal.steps[0].done = True
    db.session.commit()
    counts = dispatch(datetime(2026, 2, 3, 14, 1, tzinfo=UTC))
    assert counts.sent == 0
    assert db.session.scalar(select(Notification.id)) is None


def test_goal_step_reminders_follow_the_setting(alex, make_goal):
    reminder_services.update_settings(alex, goal_steps=False)
    goal = make_goal(alex, steps=["Call the clinic"])
    goal.steps[0].due_date = date(2026, 2, 3)
    db.session.commit()
    plan(NOW)
    assert kinds("goal_step") == []


def test_a_saved_meeting_with_remind_me_is_planned_at_the_lead_times_and_reaches_the_inbox(alex, program):
    feed = MeetingFeed(program_id=program.id, source="test", timezone="America/New_York")
    db.session.add(feed)
    db.session.flush()
    meeting = Meeting(feed_id=feed.id, program_id=program.id, slug="tuesday-night", name="Tuesday Night Hope",
                      day_mask=1 << 2, time="19:00", timezone="America/New_York", types=["O"])
    db.session.add(meeting)
    db.session.flush()
    db.session.add(SavedMeeting(user_id=alex.id, meeting_id=meeting.id, remind=True))
    db.session.commit()
    plan(NOW)
    rows = kinds("meeting")
    meeting_start = datetime(2026, 2, 4, 0, tzinfo=UTC)  # Tuesday 19:00 EST
    assert {r.due_at for r in rows} >= {meeting_start - timedelta(hours=24), meeting_start - timedelta(hours=1)}
    counts = dispatch(meeting_start - timedelta(hours=1))
    assert counts.sent >= 1
    note = db.session.scalar(select(Notification).where(Notification.user_id == alex.id))
    assert note is not None and "/support/meetings/" in (note.url or "")
