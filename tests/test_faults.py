"""Faults of the services around the app, each against the real service: what the person sees, and nothing lost."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, make_url, select
from sqlalchemy.exc import OperationalError

from companion import create_app
from companion.blueprints.reminders import services as reminder_services
from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.reminders.jobs import dispatch_job
from companion.blueprints.reminders.planner import plan
from companion.config import TestConfig
from companion.extensions import db
from companion.models import LogEntry, Notification, Reminder
from companion.timezones import zone
from tests.conftest import Auth, Client, csrf_from
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
