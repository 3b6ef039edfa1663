"""Benchmark: N due push reminders sent by W `reminders dispatch` processes against a loopback push endpoint.

    DATABASE_URL=postgresql://127.0.0.1/companion_bench .venv/bin/python bench/reminders_dispatch.py --count 100000 --workers 4

The target (PRODUCT.md): 100,000 reminders by 4 workers in under 60 s, none twice, none lost, 99 % within 60 s
of their due time. The database named by DATABASE_URL is emptied first: never point it at real data.
The push service (bench/push_endpoint.py) runs in ``--endpoint-processes`` processes and decrypts every
payload; "none twice, none lost" is checked per person: what each one's endpoint received against the rows
marked sent.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--endpoint-processes", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url or "bench" not in url:
        sys.exit("Set DATABASE_URL to a throwaway database whose name contains 'bench'.")

    from sqlalchemy import func, select, text

    from companion import create_app
    from companion.blueprints.reminders import services
    from companion.blueprints.reminders.jobs import new_vapid_keys
    from companion.config import TestConfig, database_url
    from companion.extensions import db
    from companion.models import Program, Reminder, User
    from companion.models.base import utcnow
    from bench.push_endpoint import PushEndpoint

    server = PushEndpoint(args.endpoint_processes)
    receivers = [server.receiver(f"b{n}") for n in range(args.people)]
    server.start()  # forked before the app exists, so that no database connection is shared
    private, public = new_vapid_keys()
    app = create_app(TestConfig(database_url(url)))
    app.config.update(PUSH_ALLOW_LOOPBACK=True)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        program = Program(slug="bench", name="Bench")
        db.session.add(program)
        people = [User(email=f"b{n}@example.org", name=f"B{n}", program=program, password_hash="x")
                  for n in range(args.people)]
        db.session.add_all(people)
        db.session.commit()
        for n, user in enumerate(people):
            sub = receivers[n].subscription()
            services.subscribe(user, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])
        now = utcnow().replace(microsecond=0)
        rows = [{"user_id": people[i % len(people)].id, "source_kind": "session", "source_id": "1",
                 "occurrence_at": now + timedelta(hours=2, seconds=i), "lead_minutes": 60, "channel": "push",
                 "title": "Group", "url": "/sessions", "due_at": now, "send_after": now, "status": "pending",
                 "attempts": 0, "last_error": "", "created_at": now} for i in range(args.count)]
        for i in range(0, len(rows), 5000):
            db.session.execute(Reminder.__table__.insert(), rows[i:i + 5000])
        db.session.commit()
    env = {**os.environ, "DATABASE_URL": url, "PUSH_ALLOW_LOOPBACK": "1", "VAPID_PRIVATE_KEY": private,
           "VAPID_PUBLIC_KEY": public, "VAPID_SUBJECT": "mailto:bench@example.org",
           "SECRET_KEY": "bench-secret-key-long-enough-for-this-benchmark", "MAIL_SERVER": ""}
    load_before = os.getloadavg()
    cpu_before = cpu_of_children()
    started = time.monotonic()
    # Send only, as the scheduler's 30-second job does: the rows are made here, and no source gives them.
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "companion", "reminders", "dispatch",
                                 "--no-plan"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(args.workers)]
    outputs = [w.communicate()[0].strip() for w in workers]
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()
    cpu_workers = cpu_of_children() - cpu_before
    with app.app_context():
        sent = db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.status == "sent"))
        lateness = sorted((r.sent_at - r.due_at).total_seconds() for r in db.session.scalars(
            select(Reminder).where(Reminder.status == "sent")))
        sent_per_person = dict(db.session.execute(select(User.email, func.count()).join(Reminder, Reminder.user_id == User.id)
                                                  .where(Reminder.status == "sent").group_by(User.email)).all())
    received = server.stop()
    cpu_endpoint = cpu_of_children() - cpu_before - cpu_workers
    expected = {f"/push/{email.split('@')[0]}": n for email, n in sent_per_person.items()}
    twice = sum(max(0, received[path] - expected.get(path, 0)) for path in received)
    lost = args.count - sent + sum(max(0, n - received[path]) for path, n in expected.items())
    total = sum(received.values())
    p99 = lateness[int(len(lateness) * 0.99) - 1] if lateness else None
    within = sum(1 for s in lateness if s <= 60) / args.count * 100
    print(f"workers: {outputs}")
    print(f"{args.count} due, {sent} marked sent, {total} received by the push endpoint in {elapsed:.1f} s "
          f"({total / elapsed:.0f}/s); p99 lateness {p99:.1f} s, {within:.1f} % within 60 s; "
          f"sent twice {twice}, lost {lost}")
    print(f"CPU per reminder: workers {cpu_workers / args.count * 1000:.2f} ms, "
          f"push endpoint {cpu_endpoint / args.count * 1000:.2f} ms (PostgreSQL not counted)")
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; {os.cpu_count()} CPUs")


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
