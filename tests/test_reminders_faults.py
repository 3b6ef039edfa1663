"""Reminders when the push service or the mail server misbehaves: a retry for that reminder, never the sweep's rate."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import select

from companion.blueprints.reminders.dispatch import dispatch
from companion.extensions import db
from companion.models import Reminder
from tests.fixtures.sessions import alex, counselor, make_group, program, utc  # noqa: F401
from tests.fixtures.smtp import SMTPServer
from tests.test_reminders import SESSION, enrolled, planning_clock, push_server, rows, subscribe  # noqa: F401
from tests.test_reminders_workers import due_reminders, start_dispatch, statuses, worker_env  # noqa: F401

DUE = SESSION - timedelta(hours=1)


def people(make_user, program, count):  # noqa: F811
    return [make_user(email=f"member{n}@example.org", name=f"Member {n}", program=program) for n in range(count)]


def group_with_phones(make_group, push_server, members):  # noqa: F811
    from companion.blueprints.reminders import services

    for n, member in enumerate(members):
        services.update_settings(member, lead_minutes=[60], channels=["push"])
        subscribe(member, push_server, name=f"phone{n}")
    return make_group(members)


def test_a_429_with_retry_after_in_seconds_waits_that_long_and_the_others_are_sent(
        make_group, make_user, program, push_server):  # noqa: F811
    members = people(make_user, program, 3)
    group_with_phones(make_group, push_server, members)
    push_server.status["/push/phone0"] = 429
    push_server.answer_headers["/push/phone0"] = {"Retry-After": "600"}
    counts = dispatch(DUE)
    assert (counts.sent, counts.failed) == (2, 1)
    [held] = [r for r in rows(occurrence_at=SESSION) if r.user_id == members[0].id]
    assert (held.status, held.attempts, held.send_after) == ("pending", 1, DUE + timedelta(seconds=600))
    assert "429" in held.last_error
    assert push_server.count() == 2


def test_a_5xx_with_retry_after_as_an_http_date_is_not_tried_before_that_date(
        make_group, make_user, program, push_server):  # noqa: F811
    members = people(make_user, program, 2)
    group_with_phones(make_group, push_server, members)
    push_server.status["/push/phone1"] = 503
    # An HTTP date (RFC 9110 10.2.3) 15 minutes from now, by the real clock the date is read against.
    push_server.answer_headers["/push/phone1"] = {
        "Retry-After": format_datetime(datetime.now(UTC) + timedelta(minutes=15), usegmt=True)}
    assert dispatch(DUE).failed == 1
    [held] = [r for r in rows(occurrence_at=SESSION) if r.user_id == members[1].id]
    assert held.status == "pending" and "503" in held.last_error
    assert DUE + timedelta(minutes=14) <= held.send_after <= DUE + timedelta(minutes=15)
    assert dispatch(DUE + timedelta(minutes=10), plan_first=False).failed == 0  # not before the date
    assert dispatch(held.send_after, plan_first=False).failed == 1  # tried again, still refused
    db.session.expire_all()
    assert db.session.get(Reminder, held.id).attempts == 2


def test_backoff_doubles_with_each_failure_until_the_reminder_would_come_too_late(make_group, alex, push_server):  # noqa: F811
    enrolled(make_group, alex, lead_minutes=[60], channels=["push"])
    subscribe(alex, push_server)
    push_server.status["/push/phone"] = 500
    moment, waits = DUE, []
    for _ in range(5):
        if dispatch(moment, plan_first=False if waits else True).failed == 0:
            break
        [row] = rows(occurrence_at=SESSION)
        if row.status != "pending":
            break
        waits.append(row.send_after - moment)
        moment = row.send_after
    assert waits[:4] == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8), timedelta(minutes=16)]
    [row] = rows(occurrence_at=SESSION)
    # The next wait (32 minutes) would pass the session's start: given up, and said so.
    assert row.status == "failed" and row.attempts == 5


def test_a_push_service_that_stalls_costs_that_reminder_a_retry_not_the_sweep(
        app, make_group, make_user, program, push_server):  # noqa: F811
    app.config.update(REMINDER_SEND_TIMEOUT_SECONDS=0.5, REMINDER_SEND_THREADS=4)
    members = people(make_user, program, 12)
    group_with_phones(make_group, push_server, members)
    push_server.stall["/push/phone0"] = 8  # answers, much later than the timeout
    started = time.monotonic()
    counts = dispatch(DUE)
    elapsed = time.monotonic() - started
    assert (counts.sent, counts.failed) == (11, 1)
    [held] = [r for r in rows(occurrence_at=SESSION) if r.user_id == members[0].id]
    assert held.status == "pending" and "no answer within 0.5 s" in held.last_error
    assert held.send_after == DUE + timedelta(minutes=2)
    # The sweep waited for that one push no longer than its timeout, not for the service's 8 seconds.
    assert elapsed < 6, elapsed


@pytest.fixture
def mail_server():
    server = SMTPServer().start()
    yield server
    server.stop()


def test_a_worker_killed_while_mailing_loses_nothing_and_a_repeat_is_the_same_message(
        program, push_server, worker_env, mail_server):  # noqa: F811
    due_reminders(program, push_server, 60, channel="email")
    mail_server.inbox.hold_after = 20  # takes the 21st message and never acknowledges it
    env = {**worker_env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail_server.port), "REMINDER_MAX_IN_FLIGHT": "10"}
    worker = start_dispatch(env)
    assert mail_server.inbox.holding.wait(120)
    time.sleep(0.5)
    worker.kill()  # SIGKILL: no chance to tidy up
    worker.communicate(timeout=30)
    mail_server.inbox.hold_after = None
    status = statuses()
    assert status["sent"] == 20 and status.get("claimed", 0) <= 10 and sum(status.values()) == 60
    time.sleep(2)
    restarted = start_dispatch({**env, "REMINDER_CLAIM_TIMEOUT_SECONDS": "1"})
    out, err = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, err[-2000:]
    assert out == "sent=40 skipped=0 failed=0\n"
    assert statuses() == {"sent": 60}
    ids = Counter(message["Message-ID"] for message in mail_server.inbox.messages)
    expected = {row_id for row_id in db.session.scalars(select(Reminder.id))}
    assert {int(mid.split("@")[0].removeprefix("<reminder-")) for mid in ids} == expected
    # The one message in flight when the worker died came again, under the same Message-ID; no other twice.
    assert sorted(ids.values()) == [1] * 59 + [2]
