"""Worker processes: several sweeps at once send each reminder once; a killed worker loses nothing; the scheduler."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from companion.blueprints.reminders import services
from companion.blueprints.reminders.vapid import new_vapid_keys
from companion.extensions import db
from companion.models import Notification, Reminder
from companion.models.base import utcnow
from tests.conftest import PASSWORD_HASH
from tests.fixtures.push import PushServer
from tests.fixtures.sessions import program  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 10


@pytest.fixture
def push_server(app):
    server = PushServer().start()
    yield server
    server.stop()


@pytest.fixture
def worker_env(app, database_uri, push_server, tmp_path):
    """The environment of a worker process on the tests' database, pushing to the loopback server."""
    private, public = new_vapid_keys()
    app.config.update(PUSH_ALLOW_LOOPBACK=True, VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public)
    env = {**os.environ, "DATABASE_URL": database_uri, "PUSH_ALLOW_LOOPBACK": "1", "VAPID_PRIVATE_KEY": private,
           "VAPID_PUBLIC_KEY": public, "VAPID_SUBJECT": "mailto:ops@example.org", "MAIL_SERVER": "",
           "SECRET_KEY": "a-worker-secret-key-that-is-long-enough-for-tests", "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_DEBUG", None)
    return env


def due_reminders(program, push_server, count: int, channel: str = "push") -> list:
    """``count`` reminders due a minute ago, spread over PEOPLE participants each with a push subscription.

    Each is of a real appointment (each worker plans before it sends, and drops what no source gives).
    """
    from companion.models import Appointment, User

    people = []
    for n in range(PEOPLE):
        user = User(email=f"p{n}@example.org", name=f"P{n}", role="participant", program=program,
                    timezone="America/New_York", password_hash=PASSWORD_HASH)
        db.session.add(user)
        db.session.commit()
        services.update_settings(user, lead_minutes=[60], channels=[channel])
        sub = push_server.receiver(f"p{n}").subscription()
        services.subscribe(user, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])
        people.append(user)
    now = utcnow().replace(microsecond=0)
    appointments = [Appointment(user_id=people[i % PEOPLE].id, starts_at=now + timedelta(hours=1, seconds=i),
                                duration_minutes=60, title="Evening group") for i in range(count)]
    db.session.add_all(appointments)
    db.session.flush()
    db.session.execute(Reminder.__table__.insert(), [
        {"user_id": a.user_id, "source_kind": "appointment", "source_id": str(a.id),
         "occurrence_at": a.starts_at, "lead_minutes": 60, "channel": channel,
         "title": "Evening group", "url": "/sessions", "due_at": now - timedelta(minutes=1),
         "send_after": now - timedelta(minutes=1), "status": "pending", "attempts": 0, "last_error": "",
         "created_at": now} for a in appointments])
    db.session.commit()
    return people


def start_dispatch(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "companion", "reminders", "dispatch"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def statuses() -> dict[str, int]:
    db.session.remove()
    return dict(db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all())


def test_four_dispatch_processes_send_a_thousand_reminders_exactly_once(program, push_server, worker_env):
    due_reminders(program, push_server, 1000)
    workers = [start_dispatch(worker_env) for _ in range(4)]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, [err[-2000:] for _, err in outputs]
    counts = [re.fullmatch(r"sent=(\d+) skipped=(\d+) failed=(\d+)\n", out) for out, _ in outputs]
    assert all(counts), outputs
    assert sum(int(m.group(1)) for m in counts) == 1000, outputs
    assert push_server.count() == 1000
    assert {path: len(items) for path, items in push_server.received.items()} == \
        {f"/push/p{n}": 1000 // PEOPLE for n in range(PEOPLE)}
    assert statuses() == {"sent": 1000}


def test_the_inbox_gets_each_reminder_once_with_several_processes(program, push_server, worker_env):
    due_reminders(program, push_server, 300, channel="inapp")
    workers = [start_dispatch(worker_env) for _ in range(3)]
    for worker in workers:
        worker.communicate(timeout=300)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 300
    assert db.session.scalar(select(func.count(func.distinct(Notification.reminder_id)))) == 300


def test_a_worker_killed_in_the_middle_of_a_sweep_loses_nothing_and_repeats_at_most_its_limit_once_each(
        program, push_server, worker_env):
    due_reminders(program, push_server, 60)
    push_server.hold_after = 20  # the push service takes the 21st push and those after it, and never answers
    worker = start_dispatch({**worker_env, "REMINDER_MAX_IN_FLIGHT": "10"})
    assert push_server.holding.wait(120)
    time.sleep(1)  # the rest of that batch arrives too
    worker.kill()  # SIGKILL: no chance to tidy up
    worker.communicate(timeout=30)
    push_server.hold_after = None
    in_flight = push_server.count() - 20
    assert 1 <= in_flight <= 10  # received, their answers never came: at most REMINDER_MAX_IN_FLIGHT
    status = statuses()
    assert status == {"sent": 20, "claimed": 10, "pending": 30}
    # Restarted after the claim timeout, a worker takes back the dead one's claims and sends the rest.
    time.sleep(2)
    restarted = start_dispatch({**worker_env, "REMINDER_CLAIM_TIMEOUT_SECONDS": "1"})
    out, err = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, err[-2000:]
    assert out == "sent=40 skipped=0 failed=0\n"
    assert statuses() == {"sent": 60}
    # Nothing lost; what was in flight came again once, as the same push message (its Topic).
    topics = Counter(headers["topic"] for headers in push_server.headers)
    assert set(topics) == {f"reminder-{row_id}" for row_id in db.session.scalars(select(Reminder.id))}
    assert sorted(topics.values()) == [1] * (60 - in_flight) + [2] * in_flight
    assert push_server.count() == 60 + in_flight


def test_the_scheduler_sends_due_reminders_and_stops_on_sigterm(program, push_server, worker_env):
    due_reminders(program, push_server, 10, channel="inapp")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "companion", "scheduler"], cwd=ROOT,
                              env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.remove()
            if db.session.scalar(select(func.count()).select_from(Notification)) == 10:
                break
            time.sleep(0.5)
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 10
    finally:
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, out
    assert "Reminder worker stopped." in out
