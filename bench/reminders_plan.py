"""Benchmark: the reminder planner for a program of 10,000 participants in 20 groups.

    DATABASE_URL=postgresql://127.0.0.1/plan_bench .venv/bin/python bench/reminders_plan.py

The targets (issue 12): the coming two weeks planned in under 30 s, and one changed group re-planned in under
1 s. Each participant has the default reminder settings (a day and an hour before, by e-mail and in the app;
half of them also have a push subscription); each group meets three times a week. The planner's horizon is
set to 14 days for the run (it plans 8 in production and plans again daily). The database named by
DATABASE_URL is emptied first: never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, time as clock, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first plan to FILE")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url or "bench" not in url:
        sys.exit("Set DATABASE_URL to a throwaway database whose name contains 'bench'.")

    from sqlalchemy import func, insert, select, text

    from companion import create_app
    from companion.blueprints.reminders import planner
    from companion.blueprints.sessions import services as sessions
    from companion.config import TestConfig, database_url
    from companion.extensions import db
    from companion.models import Group, GroupMember, Program, PushSubscription, Reminder, User

    app = create_app(TestConfig(database_url(url)))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        program = Program(slug="bench", name="Bench", timezone="America/New_York")
        counselor = User(email="counselor@example.org", name="Counselor", role="counselor", program=program,
                         password_hash="x")
        db.session.add_all([program, counselor])
        db.session.commit()
        db.session.execute(insert(User), [
            {"email": f"p{n}@example.org", "name": f"P{n}", "role": "participant", "program_id": program.id,
             "timezone": "America/New_York", "password_hash": "x", "language": "en"} for n in range(args.participants)])
        people = list(db.session.scalars(select(User.id).where(User.role == "participant").order_by(User.id)))
        db.session.execute(insert(PushSubscription), [
            {"user_id": user_id, "endpoint": f"https://push.example.org/{user_id}", "p256dh": "k", "auth": "a"}
            for user_id in people[::2]])
        groups = []
        for n in range(args.groups):
            days = ["MO,WE,TH", "TU,TH,FR", "MO,TU,TH"][n % 3]
            groups.append(Group(program_id=program.id, name=f"Group {n}", rrule=f"FREQ=WEEKLY;BYDAY={days}",
                                start_date=date(2026, 1, 5), start_time=clock(9 + n % 10, 0),
                                timezone="America/New_York", duration_minutes=180, created_by_id=counselor.id))
        db.session.add_all(groups)
        db.session.flush()
        db.session.execute(insert(GroupMember), [{"group_id": groups[i % len(groups)].id, "user_id": user_id}
                                                  for i, user_id in enumerate(people)])
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))

        planner.HORIZON = timedelta(days=14)
        now = datetime.now(UTC).replace(microsecond=0)
        profile = None
        if args.profile:
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        started = time.perf_counter()
        made = planner.plan(now)
        first = time.perf_counter() - started
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        rows = db.session.scalar(select(func.count()).select_from(Reminder))
        print(f"first plan: {made:,} rows in {first:.1f} s ({rows:,} in the table)", flush=True)

        started = time.perf_counter()
        again = planner.plan(now)
        print(f"plan again, nothing changed: {again} new rows in {time.perf_counter() - started:.1f} s", flush=True)

        group = db.session.scalar(select(Group).where(Group.name == "Group 3"))
        members = db.session.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == group.id))
        timings = []
        for hour in (15, 16, 17):
            started = time.perf_counter()
            sessions.update_group(group, name=group.name, rule_text=group.rrule, start_date=group.start_date,
                                  start_time=clock(hour, 30), timezone=group.timezone,
                                  duration_minutes=group.duration_minutes, location=group.location,
                                  video_url=group.video_url)
            timings.append(time.perf_counter() - started)
        print(f"one group of {members} moved to another time, saved and re-planned: "
              + ", ".join(f"{t:.2f} s" for t in timings), flush=True)
        print(f"rows now: {db.session.scalar(select(func.count()).select_from(Reminder)):,}")


if __name__ == "__main__":
    main()
