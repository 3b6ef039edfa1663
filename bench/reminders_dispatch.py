"""Benchmark: N due reminders sent by W `reminders dispatch` processes (push, e-mail or the in-app inbox).

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
import threading
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
    parser.add_argument("--profile", metavar="DIR", help="run each worker under cProfile, writing DIR/worker-N.prof")
    parser.add_argument("--channel", choices=["push", "email", "inapp"], default="push",
                        help="push: the loopback push service; email: a local SMTP server that counts; inapp: the inbox")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url or "bench" not in url:
        sys.exit("Set DATABASE_URL to a throwaway database whose name contains 'bench'.")

    from sqlalchemy import func, make_url, select, text

    from companion import create_app
    from companion.blueprints.reminders import services
    from companion.blueprints.reminders.vapid import new_vapid_keys
    from companion.config import TestConfig, database_url
    from companion.extensions import db
    from companion.models import Program, Reminder, User
    from companion.models.base import utcnow
    from bench.push_endpoint import PushEndpoint
    from bench.smtp_counter import SMTPCounter

    server = PushEndpoint(args.endpoint_processes)
    receivers = [server.receiver(f"b{n}") for n in range(args.people)]
    server.start()  # forked before the app exists, so that no database connection is shared
    smtp = SMTPCounter().start() if args.channel == "email" else None
    private, public = new_vapid_keys()
    app = create_app(TestConfig(database_url(url)))
    app.config.update(PUSH_ALLOW_LOOPBACK=True)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        from companion.models import Notification, ReminderSettings

        program = Program(slug="bench", name="Bench")
        db.session.add(program)
        people = [User(email=f"b{n}@example.org", name=f"B{n}", program=program, password_hash="x")
                  for n in range(args.people)]
        db.session.add_all(people)
        db.session.commit()
        for n, user in enumerate(people):
            services.update_settings(user, lead_minutes=[60], channels=[args.channel])
            sub = receivers[n].subscription()
            services.subscribe(user, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])
        now = utcnow().replace(microsecond=0)
        rows = [{"user_id": people[i % len(people)].id, "source_kind": "session", "source_id": "1",
                 "occurrence_at": now + timedelta(hours=2, seconds=i), "lead_minutes": 60, "channel": args.channel,
                 "title": "Group", "url": "/sessions", "due_at": now, "send_after": now, "status": "pending",
                 "attempts": 0, "last_error": "", "created_at": now} for i in range(args.count)]
        for i in range(0, len(rows), 5000):
            db.session.execute(Reminder.__table__.insert(), rows[i:i + 5000])
        db.session.commit()
    env = {**os.environ, "DATABASE_URL": url, "PUSH_ALLOW_LOOPBACK": "1", "VAPID_PRIVATE_KEY": private,
           "VAPID_PUBLIC_KEY": public, "VAPID_SUBJECT": "mailto:bench@example.org",
           "SECRET_KEY": "bench-secret-key-long-enough-for-this-benchmark",
           "MAIL_SERVER": "127.0.0.1" if smtp else "", "MAIL_PORT": str(smtp.port if smtp else 25)}
    load_before = os.getloadavg()
    cpu_before = cpu_of_children()
    postgres = PostgresCPU(make_url(database_url(url)).database).__enter__()
    started = time.monotonic()
    # Send only, as the scheduler's 30-second job does: the rows are made here, and no source gives them.
    def command(n: int) -> list[str]:
        profile = ["-m", "cProfile", "-o", str(Path(args.profile) / f"worker-{n}.prof")] if args.profile else []
        return [sys.executable, *profile, "-m", "flask", "--app", "companion", "reminders", "dispatch", "--no-plan"]

    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    workers = [subprocess.Popen(command(n), cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
               for n in range(args.workers)]
    outputs = [w.communicate()[0].strip() for w in workers]
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()
    cpu_workers = cpu_of_children() - cpu_before
    postgres.__exit__()
    cpu_postgres = postgres.seconds
    with app.app_context():
        sent = db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.status == "sent"))
        lateness = sorted((r.sent_at - r.due_at).total_seconds() for r in db.session.scalars(
            select(Reminder).where(Reminder.status == "sent")))
        sent_per_person = dict(db.session.execute(select(User.email, func.count()).join(Reminder, Reminder.user_id == User.id)
                                                  .where(Reminder.status == "sent").group_by(User.email)).all())
        notes = dict(db.session.execute(select(User.email, func.count(func.distinct(Notification.reminder_id)))
                                        .join(Notification, Notification.user_id == User.id).group_by(User.email)).all())
        note_rows = db.session.scalar(select(func.count()).select_from(Notification))
    received_push = server.stop()
    cpu_endpoint = cpu_of_children() - cpu_before - cpu_workers
    identities = None
    if args.channel == "push":
        received = {path.removeprefix("/push/"): n for path, n in received_push.items()}
        where = "received by the push endpoint"
    elif args.channel == "email":
        per_recipient, identities, sessions = smtp.stop()
        received = {address.split("@")[0]: n for address, n in per_recipient.items()}
        where = f"received by the SMTP server over {sessions} SMTP sessions"
    else:
        received = {email.split("@")[0]: n for email, n in notes.items()}
        received = {k: n + (note_rows - sum(notes.values()) if k == next(iter(received), None) else 0)
                    for k, n in received.items()}  # an inbox item twice for one reminder would show here
        where = "in the inbox"
    expected = {email.split("@")[0]: n for email, n in sent_per_person.items()}
    twice = sum(max(0, n - expected.get(who, 0)) for who, n in received.items())
    lost = args.count - sent + sum(max(0, n - received.get(who, 0)) for who, n in expected.items())
    total = sum(received.values())
    p99 = lateness[int(len(lateness) * 0.99) - 1] if lateness else float("nan")
    within = sum(1 for s in lateness if s <= 60) / args.count * 100
    print(f"workers: {outputs}")
    print(f"{args.count} due ({args.channel}), {sent} marked sent, {total} {where} in {elapsed:.1f} s "
          f"({total / elapsed:.0f}/s); p99 lateness {p99:.1f} s, {within:.1f} % within 60 s; "
          f"sent twice {twice}, lost {lost}" + (f"; {identities} distinct Message-IDs" if identities is not None else ""))
    print(f"CPU per reminder: workers {cpu_workers / args.count * 1000:.2f} ms, "
          f"PostgreSQL {cpu_postgres / args.count * 1000:.2f} ms, "
          f"{'push endpoint' if args.channel == 'push' else 'push endpoint (idle)'} "
          f"{cpu_endpoint / args.count * 1000:.2f} ms")
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; {os.cpu_count()} CPUs")


class PostgresCPU:
    """CPU seconds of the PostgreSQL backends serving one database, sampled twice a second while they live.

    The server is shared with other work on this machine, so only the backends whose title names the bench's
    database count; one that exits between samples loses at most half a second of its time.
    """

    def __init__(self, database: str) -> None:
        self.database, self.seen, self.stopping = database, {}, threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self.stopping.wait(0.5):
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        title = cmdline.read().decode(errors="replace")
                    if not title.startswith("postgres:") or f" {self.database} " not in title:
                        continue
                    with open(f"/proc/{pid}/stat") as stat:
                        values = stat.read().rsplit(")", 1)[1].split()
                    self.seen[pid] = (int(values[11]) + int(values[12])) / tick  # utime, stime
                except (OSError, IndexError, ValueError):
                    continue

    def __enter__(self) -> PostgresCPU:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
