"""What a signed-in page costs in SQL statements, so that it cannot creep back (issue 16), and the schedule cache.

The statements are counted on the demo program, whose participants have goals with steps due, check-ins, a
days-sober counter, groups with moved and cancelled occurrences, appointments, attendance and an inbox:
the session's person is loaded in one of them, whatever the page.
"""

from datetime import timedelta

import pytest

from companion.blueprints.sessions import services as sessions
from companion.extensions import db
from companion.models import Group, User
from companion.models.base import utcnow
from sqlalchemy import select

# Most statements a page may make once warm (the signed-in person and their session are one of them).
BUDGET = {"/": 4, "/goals": 4, "/journal": 4, "/sessions": 4, "/support": 4}


@pytest.fixture
def demo(runner, auth):
    """The demo program, with Alex signed in."""
    output = runner.invoke(args=["demo"]).output
    password = next(line for line in output.splitlines() if "alex@example.org" in line).split("password: ")[1]
    assert auth.login("alex@example.org", password).status_code == 303
    return password


@pytest.mark.parametrize("path", sorted(BUDGET))
def test_a_participant_page_makes_at_most_its_statements(demo, client, count_queries, path):
    assert client.get(path).status_code == 200  # the first load fills the schedules kept in memory
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    assert counter.count <= BUDGET[path], f"{path} made {counter.count} statements"


def test_today_reads_the_same_number_of_statements_with_more_goals_groups_and_appointments(demo, client, count_queries, make_goal):
    alex = db.session.scalar(select(User).where(User.email == "alex@example.org"))
    client.get("/")
    with count_queries() as before:
        assert client.get("/").status_code == 200
    for i in range(10):
        make_goal(alex, title=f"Goal {i}", steps=[f"Step {i}.{j}" for j in range(5)])
    group = db.session.scalar(select(Group).where(Group.program_id == alex.program_id))
    jordan = db.session.scalar(select(User).where(User.email == "counselor@example.org"))
    for i in range(5):
        sessions.create_appointment(jordan, alex, starts_at=utcnow() + timedelta(days=i + 1), duration_minutes=30,
                                    title=f"Check-in {i}")
    sessions.cancel_occurrence(group, sessions.group_occurrences(group, utcnow(), utcnow() + timedelta(days=14))[0].key)
    client.get("/")  # the changed group's schedule is read again once
    with count_queries() as after:
        assert client.get("/").status_code == 200
    assert after.count == before.count


def test_a_changed_group_shows_on_the_very_next_page_load(demo, client):
    alex = db.session.scalar(select(User).where(User.email == "alex@example.org"))
    sessions_page = client.get("/sessions").get_data(as_text=True)
    group = db.session.scalar(select(Group).join(Group.members).where(Group.members.any(user_id=alex.id)))
    assert group.name in sessions_page
    # Another worker renames the group: this worker's schedule in memory is stale from then on.
    sessions.update_group(group, name="Evening circle, renamed", rule_text=group.rrule, start_date=group.start_date,
                          start_time=group.start_time, timezone=group.timezone,
                          duration_minutes=group.duration_minutes, location=group.location, video_url=group.video_url)
    assert "Evening circle, renamed" in client.get("/sessions").get_data(as_text=True)
    upcoming = sessions.group_occurrences(group, utcnow() + timedelta(hours=1), utcnow() + timedelta(days=14))
    sessions.cancel_occurrence(group, upcoming[0].key)
    page = client.get("/sessions").get_data(as_text=True)
    first_day = upcoming[0].starts_at
    agenda = sessions.agenda(alex, first_day - timedelta(minutes=1), first_day + timedelta(minutes=1))
    assert all(o.key != upcoming[0].key for o in agenda)
    assert "Evening circle, renamed" in page


def test_a_kept_schedule_matches_the_group_it_was_made_from(demo):
    alex = db.session.scalar(select(User).where(User.email == "alex@example.org"))
    start, end = utcnow() - timedelta(days=1), utcnow() + timedelta(days=30)
    for group in db.session.scalars(select(Group).where(Group.program_id == alex.program_id)):
        kept = sessions.cached_occurrences(sessions.schedule_of(group), start, end)
        assert kept == sessions.group_occurrences(group, start, end)
        assert sessions.cached_occurrences(sessions.schedule_of(group), start, end) == kept  # from memory


def test_an_occurrence_moved_from_far_away_still_shows_that_the_person_checked_in(app, make_user, make_program):
    from companion.models import Attendance, GroupMember

    program = make_program()
    alex = make_user(email="alex@example.org", name="Alex", program=program)
    jordan = make_user(email="jordan@example.org", name="Jordan", role="counselor", program=program)
    now = utcnow()
    start = (now - timedelta(days=200)).astimezone(sessions.zone(program.timezone))
    group = sessions.create_group(program, jordan, name="Weekly group", rule_text="FREQ=DAILY", start_date=start.date(),
                                  start_time=start.time().replace(microsecond=0), timezone=program.timezone,
                                  duration_minutes=60)
    db.session.add(GroupMember(group_id=group.id, user_id=alex.id))
    db.session.commit()
    old = sessions.group_occurrences(group, now - timedelta(days=150), now - timedelta(days=149))[0]
    sessions.move_occurrence(group, old.key, now + timedelta(minutes=5))
    db.session.add(Attendance(user_id=alex.id, group_id=group.id, occurrence_start=old.original_start, present=True,
                              marked_by_id=alex.id, marked_at=now))
    db.session.commit()
    found, present = sessions.my_sessions(alex, now, now + timedelta(hours=1))
    assert old.key in [o.key for o in found] and old.key in present
