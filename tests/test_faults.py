"""Faults of the services around the app, each against the real service: what the person sees, and nothing lost."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, make_url, select, update
from sqlalchemy.exc import OperationalError

from companion import create_app
from companion.blueprints.reminders import services as reminder_services
from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.reminders.jobs import dispatch_job
from companion.blueprints.reminders.planner import plan
from companion.config import TestConfig
from companion.extensions import db
from companion.models import AccountMail, LogEntry, Notification, Reminder
from companion.timezones import zone
from tests.conftest import PASSWORD, Auth, Client, csrf_from
from tests.fixtures.sessions import alex, counselor, make_group, program, utc  # noqa: F401
from tests.fixtures.tcpproxy import TCPProxy

NOW = utc(2026, 2, 2, 12)
SESSION = utc(2026, 2, 2, 23)  # the daily group's session that day (18:00 New York)


@pytest.fixture
def planning_clock(monkeypatch):
    from companion.blueprints.reminders import planner

    monkeypatch.setattr(planner, "utcnow", lambda: NOW)


def craving() -> dict:
    return {"id": str(uuid.uuid4()), "kind": "craving", "intensity": 6,
            "occurred_at": datetime.now(zone("America/New_York")).isoformat()}


def log_count() -> int:
    db.session.rollback()  # a fresh snapshot of what the other app wrote
    return db.session.scalar(select(func.count()).select_from(LogEntry))


@pytest.fixture
def outage(app, database_uri):
    """A second app over the same PostgreSQL database, reached through a proxy that the test cuts and restores."""
    if not database_uri.startswith("postgresql"):
        pytest.skip("an outage of PostgreSQL (SQLite is a file: see the full-disk test)")
    url = make_url(database_uri)
    proxy = TCPProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = create_app(TestConfig(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)))
    proxied.test_client_class = Client
    proxied.instance_path = app.instance_path
    yield proxied, proxy
    proxy.stop()
    with proxied.app_context():
        db.engine.dispose()


def test_requests_while_postgresql_is_down_answer_503_write_nothing_and_recover(outage, participant):
    proxied, proxy = outage
    client = proxied.test_client()
    headers = {"X-CSRFToken": Auth(client).api_login(participant.email)}
    token = csrf_from(client.get("/log/craving").get_data(as_text=True))  # the pool now holds a connection
    first, second = craving(), str(uuid.uuid4())

    proxy.cut()
    answer = client.post("/api/v1/logs", json=first, headers=headers)
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json" and answer.headers["Retry-After"]
    assert "try again" in answer.get_json()["detail"]
    page = client.post("/log/craving", data={"intensity": "7", "client_id": second, "csrf_token": token})
    assert page.status_code == 503 and "try again" in page.get_data(as_text=True)
    page = client.get("/goals")  # a new connection is refused as well
    assert page.status_code == 503 and "try again" in page.get_data(as_text=True)
    assert client.get("/api/v1/goals").status_code == 503
    assert client.get("/help").status_code == 200  # the crisis lines need no database
    proxy.restore()

    assert log_count() == 0  # none half-written
    # The same app, without a restart: the same requests now succeed, each as a first write (201, not 200).
    assert client.post("/api/v1/logs", json=first, headers=headers).status_code == 201
    assert client.post("/log/craving", data={"intensity": "7", "client_id": second, "csrf_token": token}).status_code == 303
    assert client.get("/goals").status_code == 200
    assert log_count() == 2


def test_a_reminder_sweep_while_postgresql_is_down_sends_nothing_and_the_next_sweep_sends_each_once(
        outage, planning_clock, make_group, alex):
    proxied, proxy = outage
    reminder_services.update_settings(alex, lead_minutes=[60], channels=["inapp"])
    make_group([alex])
    plan(NOW)
    db.session.commit()
    due = SESSION - timedelta(hours=1)
    with proxied.app_context():
        db.session.execute(select(1))  # the worker's pool holds a connection when the server goes away
        db.session.remove()

    proxy.cut()
    with proxied.app_context():
        with pytest.raises(OperationalError):
            dispatch(due, plan_first=False)
        db.session.remove()
    dispatch_job(proxied)  # the scheduler's job logs the outage and returns: the worker goes on
    proxy.restore()

    with proxied.app_context():
        assert dispatch(due + timedelta(seconds=30), plan_first=False).sent == 1
        assert dispatch(due + timedelta(seconds=60), plan_first=False).sent == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert [r.status for r in db.session.scalars(select(Reminder).where(Reminder.channel == "inapp",
                                                                        Reminder.occurrence_at == SESSION))] == ["sent"]


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound and closed; nothing else binds it within the test)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask_reset(client, email):
    token = csrf_from(client.get("/reset").get_data(as_text=True))
    return client.post("/reset", data={"email": email, "csrf_token": token})


def waiting_mail() -> list:
    from companion.models import AccountMail

    db.session.rollback()
    return db.session.scalars(select(AccountMail)).all()


def test_a_reset_email_the_smtp_server_refuses_with_4xx_is_sent_later_once_with_a_working_link(
        client, participant, smtp_server):
    from companion.mail import retry_account_mail

    smtp_server.inbox.refuse = "451 4.3.0 Try again later"
    assert ask_reset(client, "alex@example.org").status_code == 303  # the same answer as ever
    assert smtp_server.inbox.refused == 1 and smtp_server.inbox.messages == []
    [waiting] = waiting_mail()
    assert waiting.kind == "password_reset" and "451" in waiting.last_error
    assert "reset/" not in (waiting.last_error or "")  # no usable link waits in the database

    now = waiting.send_after
    assert retry_account_mail(now - timedelta(seconds=1)) == (0, 0)  # not before its backoff
    assert retry_account_mail(now) == (0, 1) and smtp_server.inbox.refused == 2  # still refused: still waiting
    smtp_server.inbox.refuse = None
    [waiting] = waiting_mail()
    assert retry_account_mail(waiting.send_after) == (1, 0)
    assert retry_account_mail(waiting.send_after + timedelta(hours=1)) == (0, 0)
    [mail] = smtp_server.inbox.messages
    assert mail["To"] == "alex@example.org" and waiting_mail() == []
    link = re.search(r"http://localhost(/reset/\S+)", mail.get_body().get_content()).group(1)
    assert client.get(link).status_code == 200


def test_a_reset_email_while_the_smtp_server_is_down_is_sent_when_it_is_back(app, client, participant, smtp_server):
    from companion.blueprints.reminders.jobs import mail_retry_job

    app.config["MAIL_PORT"] = closed_port()
    assert ask_reset(client, "alex@example.org").status_code == 303
    [waiting] = waiting_mail()
    assert waiting.attempts == 1 and waiting.last_error
    app.config["MAIL_PORT"] = smtp_server.port
    db.session.execute(update(AccountMail).values(send_after=utc(2026, 1, 1)))  # its backoff has passed
    db.session.commit()
    mail_retry_job(app)  # the worker's job
    assert len(smtp_server.inbox.messages) == 1 and waiting_mail() == []


def test_a_reset_email_is_given_up_only_after_its_tries_and_then_logged(app, client, participant, caplog):
    from companion.mail import MAX_ATTEMPTS, retry_account_mail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port())
    ask_reset(client, "alex@example.org")
    for attempt in range(2, MAX_ATTEMPTS + 1):
        [waiting] = waiting_mail()
        assert waiting.attempts == attempt - 1
        retry_account_mail(waiting.send_after)
    assert waiting_mail() == [] and "Gave up on a password_reset e-mail" in caplog.text


def test_a_reminder_email_refused_with_4xx_or_unreachable_stays_pending_and_is_sent_later_once(
        app, planning_clock, make_group, alex, smtp_server):
    reminder_services.update_settings(alex, lead_minutes=[60], channels=["email"])
    make_group([alex])
    plan(NOW)
    due = SESSION - timedelta(hours=1)

    def row() -> Reminder:
        db.session.rollback()
        return db.session.scalars(select(Reminder).where(Reminder.occurrence_at == SESSION)).one()

    smtp_server.inbox.refuse = "421 4.3.2 Service not available, closing transmission channel"
    assert dispatch(due, plan_first=False).failed == 1
    assert (row().status, row().sent_at) == ("pending", None) and "421" in row().last_error
    app.config["MAIL_PORT"] = closed_port()  # then the server is down altogether
    assert dispatch(row().send_after, plan_first=False).failed == 1
    assert (row().status, row().sent_at) == ("pending", None)
    app.config["MAIL_PORT"] = smtp_server.port
    smtp_server.inbox.refuse = None
    assert dispatch(row().send_after, plan_first=False).sent == 1
    assert dispatch(row().send_after + timedelta(minutes=10), plan_first=False).sent == 0
    assert row().status == "sent" and len(smtp_server.inbox.messages) == 1


@pytest.fixture
def redis_down(app, database_uri):
    """An app whose rate-limit storage is a Redis URL on a closed port."""
    config = TestConfig(database_uri)
    config.RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{closed_port()}/0"
    down = create_app(config)
    down.test_client_class = Client
    down.instance_path = app.instance_path
    yield down
    with down.app_context():
        db.engine.dispose()
    create_app(TestConfig(database_uri))  # the one limiter of the process counts in memory again, as for every app


def test_with_redis_down_sign_in_works_and_failures_are_still_throttled_in_memory(redis_down, participant, caplog):
    from companion.ratelimits import counters

    client = redis_down.test_client()
    auth = Auth(client)
    assert auth.login(participant.email).status_code == 303
    assert "The rate-limit storage cannot be reached" in caplog.text
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 303
    assert client.post("/api/v1/session", json={"email": participant.email, "password": PASSWORD}).status_code == 200
    client.delete("/api/v1/session", headers={"X-CSRFToken": client.get("/api/v1/session").get_json()["csrf_token"]})

    # The account's limit holds in this process's memory: ten failures, then 429, for the right password too.
    for _ in range(10):
        assert auth.login(participant.email, "not the password at all").status_code == 401
    assert auth.login(participant.email).status_code == 429

    # Redis is tried again after a while; still down, the counting stays in memory and sign-in still answers.
    counters.down_until = 0
    assert auth.login(participant.email).status_code == 429


@pytest.fixture
def full_disk(app, database_uri):
    """``fill()`` caps the SQLite file a few pages above its size (``max_page_count``), as a disk about to fill; ``free()`` lifts it."""
    if not database_uri.startswith("sqlite"):
        pytest.skip("the full disk of an SQLite install")
    from sqlalchemy import event, text

    def cap(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + 16}")
        cursor.close()

    class Disk:
        def fill(self):
            db.session.remove()
            with db.engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            event.listen(db.engine, "connect", cap)
            db.engine.dispose()

        def free(self):
            event.remove(db.engine, "connect", cap)
            db.session.remove()
            db.engine.dispose()

    disk = Disk()
    yield disk
    if event.contains(db.engine, "connect", cap):
        disk.free()


def test_a_full_sqlite_disk_answers_507_keeps_every_saved_entry_and_corrupts_nothing(client, auth, participant,
                                                                                    full_disk):
    from sqlalchemy import text

    headers = {"X-CSRFToken": auth.api_login(participant.email)}
    token = csrf_from(client.get("/log/craving").get_data(as_text=True))
    full_disk.fill()
    saved, refused = [], None
    for _ in range(300):
        body = {**craving(), "note": "A long evening, and I stayed. " * 60}
        answer = client.post("/api/v1/logs", json=body, headers=headers)
        assert answer.status_code in (201, 507), answer.get_data(as_text=True)
        if answer.status_code == 507:
            refused = answer
            break
        saved.append(body["id"])
    assert refused is not None and saved, "the capped file never filled, or was full from the start"
    assert refused.mimetype == "application/problem+json"
    assert "run out of storage space" in refused.get_json()["detail"]
    page = client.post("/log/craving", data={"intensity": "7", "client_id": str(uuid.uuid4()), "csrf_token": token})
    assert page.status_code == 507 and "run out of storage space" in page.get_data(as_text=True)
    full_disk.free()

    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert sorted(str(i) for i in db.session.scalars(select(LogEntry.id))) == sorted(saved)
    assert client.post("/api/v1/logs", json=craving(), headers=headers).status_code == 201  # space again: saved again


def test_a_running_scheduler_rides_out_a_postgresql_outage_and_sends_each_reminder_once_after(
        app, outage, program, database_uri):  # noqa: F811
    """The worker process itself, not its functions: it keeps running through the outage and catches up after."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.fixtures.push import PushServer
    from tests.test_reminders_workers import due_reminders

    proxied, proxy = outage
    push_server = PushServer().start()
    app.config["PUSH_ALLOW_LOOPBACK"] = True  # the people's phones subscribe on the loopback push service
    try:
        due_reminders(program, push_server, 10, channel="inapp")
        proxied_url = make_url(database_uri).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        env = {**os.environ, "DATABASE_URL": proxied_url, "MAIL_SERVER": "", "PYTHONUNBUFFERED": "1",
               "REMINDER_SWEEP_SECONDS": "2",
               "SECRET_KEY": "a-worker-secret-key-that-is-long-enough-for-tests"}
        env.pop("FLASK_DEBUG", None)
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "companion", "scheduler"],
                                  cwd=Path(__file__).resolve().parent.parent, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)

        def inbox() -> int:
            db.session.rollback()
            return db.session.scalar(select(func.count()).select_from(Notification))

        def wait_for(count: int, seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and inbox() < count:
                time.sleep(0.5)

        try:
            wait_for(10, 60)  # its first sweep, at start
            assert inbox() == 10
            proxy.cut()  # PostgreSQL goes away while the worker runs
            # A reminder falls due during the outage (written past the proxy, as the web app would once it is back).
            from companion.models import Appointment, User

            now = datetime.now(zone("UTC")).replace(microsecond=0)

            person = db.session.scalar(select(User).where(User.email == "p0@example.org"))
            appointment = Appointment(user_id=person.id, starts_at=now + timedelta(hours=1), duration_minutes=30,
                                      title="During the outage")
            db.session.add(appointment)
            db.session.flush()
            db.session.add(Reminder(user_id=person.id, source_kind="appointment", source_id=str(appointment.id),
                                    occurrence_at=appointment.starts_at, lead_minutes=60, channel="inapp",
                                    title="During the outage", url="/sessions", due_at=now, send_after=now,
                                    status="pending", attempts=0, last_error="", created_at=now))
            db.session.commit()
            time.sleep(5)  # sweeps (every 2 s here) meet the outage
            assert worker.poll() is None, "the worker stopped during the outage"
            proxy.restore()
            wait_for(11, 60)  # the next sweep, with a fresh connection
            assert inbox() == 11
            assert db.session.scalar(select(func.count(func.distinct(Notification.reminder_id)))) == 11
        finally:
            worker.send_signal(signal.SIGTERM)
            out, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0, out
        assert "the database is unavailable" in out, out[-3000:]
    finally:
        push_server.stop()
