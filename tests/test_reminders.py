"""Reminders: planning, sending once by e-mail, push and inbox, discretion, grace, quiet hours, retries, the API."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from companion.blueprints.reminders import services
from companion.blueprints.reminders.dispatch import claim, dispatch, quiet_until, release_stale_claims
from companion.blueprints.reminders.vapid import new_vapid_keys
from companion.blueprints.reminders.planner import plan
from companion.errors import Invalid
from companion.extensions import db
from companion.models import Notification, PushSubscription, Reminder
from tests.conftest import csrf_from
from tests.fixtures.push import PushServer
from tests.fixtures.sessions import alex, counselor, make_group, program, utc  # noqa: F401

# A daily group at 18:00 New York (23:00 UTC in winter); "now" is a fixed winter morning.
NOW = utc(2026, 2, 2, 12)
SESSION = utc(2026, 2, 2, 23)


@pytest.fixture(autouse=True)
def planning_clock(monkeypatch):
    """Plans made on a change (an enrolment, a setting) are made as of NOW, like the sweeps of these tests."""
    from companion.blueprints.reminders import planner

    monkeypatch.setattr(planner, "utcnow", lambda: NOW)


@pytest.fixture
def push_server(app):
    """A loopback push service, with the app allowed to reach it and signing with fresh VAPID keys."""
    server = PushServer().start()
    private, public = new_vapid_keys()
    app.config.update(PUSH_ALLOW_LOOPBACK=True, VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public,
                      VAPID_SUBJECT="mailto:ops@example.org")
    yield server
    server.stop()


def subscribe(user, push_server, name="phone"):
    sub = push_server.receiver(name).subscription()
    return services.subscribe(user, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])


def rows(**filters) -> list[Reminder]:
    query = select(Reminder).order_by(Reminder.due_at, Reminder.channel)
    for name, value in filters.items():
        query = query.where(getattr(Reminder, name) == value)
    return list(db.session.scalars(query))


def enrolled(make_group, alex, **settings):
    if settings:
        services.update_settings(alex, **settings)
    return make_group([alex], start_date=date(2026, 1, 5))


def test_enrolment_plans_one_row_per_occurrence_lead_and_channel(make_group, alex):
    enrolled(make_group, alex, channels=["email", "inapp"])
    plan(NOW, [alex.id])
    tomorrow = SESSION + timedelta(days=1)
    assert [(r.lead_minutes, r.channel, r.due_at) for r in rows(occurrence_at=tomorrow)] == [
        (1440, "email", SESSION), (1440, "inapp", SESSION),
        (60, "email", tomorrow - timedelta(hours=1)), (60, "inapp", tomorrow - timedelta(hours=1))]


def test_planning_twice_adds_nothing(make_group, alex):
    enrolled(make_group, alex)
    plan(NOW)
    count = len(rows())
    assert count > 0
    assert plan(NOW) == 0 and len(rows()) == count


def test_push_rows_are_planned_only_with_a_subscription(make_group, alex, push_server):
    enrolled(make_group, alex)
    plan(NOW)
    assert {r.channel for r in rows()} == {"email", "inapp"}
    subscribe(alex, push_server)
    plan(NOW)
    assert {r.channel for r in rows()} == {"email", "inapp", "push"}


def test_a_settings_change_replans_the_future_rows(make_group, alex):
    enrolled(make_group, alex)
    plan(NOW)
    services.update_settings(alex, lead_minutes=[30], channels=["inapp"])
    plan(NOW)
    assert {(r.lead_minutes, r.channel) for r in rows()} == {(30, "inapp")}


def test_leaving_a_group_removes_its_pending_reminders(make_group, alex):
    from companion.blueprints.sessions.services import unenrol

    group = enrolled(make_group, alex)
    plan(NOW)
    unenrol(group, alex.id)
    plan(NOW)
    assert rows() == []


def test_a_daily_check_in_nudge_is_planned_at_the_local_time(alex):
    services.update_settings(alex, checkin_time=time(20, 30))
    plan(NOW)
    nudges = rows(source_kind="checkin", channel="inapp")
    assert nudges[0].due_at == utc(2026, 2, 3, 1, 30) and nudges[0].lead_minutes == 0
    assert len(nudges) == 8


def test_reminders_arrive_once_by_email_push_and_inbox_with_discreet_text(make_group, alex, smtp_server, push_server):
    enrolled(make_group, alex, lead_minutes=[60])
    subscribe(alex, push_server)
    plan(NOW)
    counts = dispatch(SESSION - timedelta(hours=1))
    assert (counts.sent, counts.failed) == (3, 0)
    assert str(dispatch(SESSION - timedelta(minutes=59))) == "sent=0 skipped=0 failed=0"
    [mail] = smtp_server.inbox.messages
    assert mail["To"] == "alex@example.org" and mail["Subject"] == "Companion: you have a reminder"
    assert "Evening group" not in mail.as_string()
    assert push_server.received == {"/push/phone": [{"title": "Companion: you have a reminder", "url": "/notifications"}]}
    assert push_server.headers[0]["authorization"].startswith("vapid t=")
    [note] = db.session.scalars(select(Notification)).all()
    assert note.title == "Evening group" and note.user_id == alex.id


def test_without_discretion_the_details_go_out(make_group, alex, smtp_server, push_server):
    enrolled(make_group, alex, lead_minutes=[60], discreet=False)
    subscribe(alex, push_server)
    dispatch(SESSION - timedelta(hours=2))
    dispatch(SESSION - timedelta(hours=1))
    assert smtp_server.inbox.messages[0]["Subject"] == "Companion: Evening group"
    assert "6:00 PM" in push_server.received["/push/phone"][0]["body"]


def test_a_reminder_within_the_grace_period_is_sent_late(make_group, alex):
    enrolled(make_group, alex, lead_minutes=[60], channels=["inapp"])
    plan(NOW)
    counts = dispatch(SESSION - timedelta(minutes=35), plan_first=False)
    assert counts.sent == 1 and rows(occurrence_at=SESSION)[0].status == "sent"


def test_a_reminder_beyond_the_grace_period_is_recorded_as_missed(make_group, alex):
    enrolled(make_group, alex, lead_minutes=[60], channels=["inapp"])
    plan(NOW)
    counts = dispatch(SESSION - timedelta(minutes=29), plan_first=False)
    assert (counts.sent, counts.skipped) == (0, 1)
    assert rows(occurrence_at=SESSION)[0].status == "missed"
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_grace_period_follows_the_setting(app, make_group, alex):
    app.config["REMINDER_GRACE_MINUTES"] = 45
    enrolled(make_group, alex, lead_minutes=[60], channels=["inapp"])
    plan(NOW)
    assert dispatch(SESSION - timedelta(minutes=20), plan_first=False).sent == 1


def test_a_reminder_in_quiet_hours_waits_until_they_end_when_that_is_before_the_session(make_group, alex,
                                                                                        monkeypatch):
    # 24 h before 18:00 is 18:00 the day before; quiet 17:00–19:00 ends well before the session. Enrolled the
    # day before too: enrolled at NOW, the 24-hour reminder would be long past, and recorded as missed.
    from companion.blueprints.reminders import planner

    monkeypatch.setattr(planner, "utcnow", lambda: NOW - timedelta(days=1))
    enrolled(make_group, alex, lead_minutes=[1440], channels=["inapp"], quiet_start=time(17), quiet_end=time(19))
    plan(NOW - timedelta(days=1))
    due = SESSION - timedelta(days=1)
    assert dispatch(due, plan_first=False).sent == 0
    [row] = rows(occurrence_at=SESSION)
    assert (row.status, row.send_after) == ("pending", due + timedelta(hours=1))
    assert dispatch(due + timedelta(hours=1), plan_first=False).sent == 1


def test_a_reminder_in_quiet_hours_that_would_end_after_the_session_is_skipped(make_group, alex):
    enrolled(make_group, alex, lead_minutes=[60], channels=["inapp"], quiet_start=time(16), quiet_end=time(22))
    plan(NOW)
    counts = dispatch(SESSION - timedelta(hours=1), plan_first=False)
    assert (counts.sent, counts.skipped) == (0, 1)
    assert rows(occurrence_at=SESSION)[0].status == "skipped"


@pytest.mark.parametrize("now_local, expected", [((23, 0), (2026, 2, 3, 12)), ((3, 0), (2026, 2, 2, 12)),
                                                 ((12, 0), None), ((7, 0), None)])
def test_quiet_hours_across_midnight(alex, now_local, expected):
    settings = services.update_settings(alex, quiet_start=time(22), quiet_end=time(7))
    now = utc(2026, 2, 2, now_local[0], now_local[1]) + timedelta(hours=5)  # New York is UTC-5 in February
    assert quiet_until(now, settings, "America/New_York") == (utc(*expected) if expected else None)


def test_a_push_subscription_answered_410_is_removed(make_group, alex, push_server):
    enrolled(make_group, alex, lead_minutes=[60], channels=["push"])
    subscribe(alex, push_server)
    push_server.status["/push/phone"] = 410
    counts = dispatch(SESSION - timedelta(hours=1))
    assert counts.skipped == 1 and db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_a_failure_is_retried_with_backoff_and_recorded(make_group, alex, push_server):
    enrolled(make_group, alex, lead_minutes=[60], channels=["push"])
    subscribe(alex, push_server)
    push_server.status["/push/phone"] = 500
    due = SESSION - timedelta(hours=1)
    assert dispatch(due).failed == 1
    [row] = rows(occurrence_at=SESSION)
    assert (row.status, row.attempts, row.send_after) == ("pending", 1, due + timedelta(minutes=2))
    assert "500" in row.last_error
    del push_server.status["/push/phone"]
    assert dispatch(due + timedelta(minutes=2)).sent == 1
    assert push_server.count() == 1


def test_email_failures_are_retried(app, make_group, alex):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    enrolled(make_group, alex, lead_minutes=[60], channels=["email"])
    assert dispatch(SESSION - timedelta(hours=1)).failed == 1
    assert rows(occurrence_at=SESSION)[0].status == "pending"


def test_a_claim_left_by_a_crashed_worker_is_taken_back_after_the_timeout(app, make_group, alex):
    enrolled(make_group, alex, lead_minutes=[60], channels=["inapp"])
    plan(NOW)
    due = SESSION - timedelta(hours=1)
    _, claimed = claim(due, 10)  # a worker claims, then dies
    assert len(claimed) == 1
    assert dispatch(due + timedelta(minutes=1), plan_first=False).sent == 0
    app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"] = 60
    assert release_stale_claims(due + timedelta(minutes=2)) == 1
    assert dispatch(due + timedelta(minutes=2), plan_first=False).sent == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_the_dispatch_command_prints_the_counts(runner, make_group, alex):
    enrolled(make_group, alex)
    result = runner.invoke(args=["reminders", "dispatch"])
    assert result.exit_code == 0
    assert re.fullmatch(r"sent=\d+ skipped=\d+ failed=\d+\n", result.output)


def test_the_scheduler_never_runs_under_the_test_configuration(runner):
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code != 0 and "test" in result.output


@pytest.mark.parametrize("endpoint, allowed", [
    ("https://10.0.0.5/push", False), ("https://192.168.1.1/x", False), ("https://[::1]/x", False),
    ("http://127.0.0.1:9/x", False), ("https://169.254.169.254/latest", False), ("https://localhost/x", False),
    ("https://8.8.8.8/push", True), ("ftp://8.8.8.8/x", False), ("https://user:pw@8.8.8.8/x", False),
])
def test_push_endpoints_must_be_https_on_public_addresses(endpoint, allowed):
    assert (services.endpoint_problem(endpoint, allow_loopback=False) is None) is allowed


def test_loopback_push_endpoints_are_allowed_only_with_the_test_setting():
    assert services.endpoint_problem("http://127.0.0.1:9/x", allow_loopback=True) is None
    assert services.endpoint_problem("http://10.0.0.1:9/x", allow_loopback=True) is not None


def test_quiet_hours_need_both_ends(alex):
    with pytest.raises(Invalid) as error:
        services.update_settings(alex, quiet_start=time(22))
    assert "quiet_end" in error.value.errors


# Pages


def test_the_settings_page_saves_reminder_settings(client, auth, alex):
    auth.login(alex.email)
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    response = client.post("/settings/reminders", data={
        "reminders-csrf_token": token, "reminders-lead_minutes": ["60", "15"], "reminders-channels": ["inapp"],
        "reminders-quiet_start": "22:00", "reminders-quiet_end": "07:00", "reminders-checkin_time": "20:00",
        "reminders-discreet": "y"})
    assert response.status_code == 303
    settings = services.settings_for(alex)
    assert (settings.lead_minutes, settings.channels, settings.quiet_start, settings.checkin_time, settings.discreet,
            settings.goal_steps) == ([60, 15], ["inapp"], time(22), time(20), True, False)


@pytest.mark.parametrize("fields", [{"reminders-quiet_start": "22:00"}, {"reminders-lead_minutes": ["61"]},
                                    {"reminders-channels": ["fax"]}, {"reminders-checkin_time": "25:00"},
                                    {"reminders-quiet_start": "\x00"}])
def test_bad_reminder_settings_are_shown_again_with_422(client, auth, alex, fields):
    auth.login(alex.email)
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    response = client.post("/settings/reminders", data={"reminders-csrf_token": token, **fields})
    assert response.status_code == 422
    assert "Please check the fields marked below" in response.get_data(as_text=True) or \
        "quiet hours" in response.get_data(as_text=True)


def test_the_inbox_lists_reminders_and_marks_them_read(client, auth, make_group, alex):
    enrolled(make_group, alex, lead_minutes=[60], channels=["inapp"])
    dispatch(SESSION - timedelta(hours=2))
    dispatch(SESSION - timedelta(hours=1))
    auth.login(alex.email)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Evening group" in html and "New" in html
    assert "1 new reminder" in client.get("/").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": csrf_from(html)})
    assert services.unread_count(alex) == 0


# The API


def api(client, auth, user) -> dict:
    return {"X-CSRFToken": auth.api_login(user.email)}


def test_api_reminder_settings_have_the_defaults(client, auth, alex):
    api(client, auth, alex)
    body = client.get("/api/v1/reminder-settings").get_json()
    assert body["lead_minutes"] == [1440, 60] and body["discreet"] is True and body["checkin_time"] is None
    assert set(body["channels"]) == {"push", "email", "inapp"}
    assert re.fullmatch(r"http://localhost/sessions/calendar/[\w-]{40,}\.ics", body["calendar_url"])


def test_api_put_reminder_settings(client, auth, alex):
    headers = api(client, auth, alex)
    response = client.put("/api/v1/reminder-settings", headers=headers, json={
        "lead_minutes": [30, 120], "channels": ["inapp", "email"], "quiet_start": "22:00", "quiet_end": "07:00",
        "checkin_time": "20:15", "discreet": False})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["lead_minutes"], body["channels"], body["quiet_start"], body["checkin_time"], body["discreet"]) == \
        ([120, 30], ["email", "inapp"], "22:00", "20:15", False)
    response = client.put("/api/v1/reminder-settings", headers=headers, json={"checkin_time": None})
    assert response.get_json()["checkin_time"] is None and response.get_json()["quiet_start"] == "22:00"


@pytest.mark.parametrize("body, field", [
    ({"lead_minutes": [-1]}, "lead_minutes.0"), ({"lead_minutes": [1, 2, 3, 4, 5, 6]}, "lead_minutes"),
    ({"channels": ["fax"]}, "channels.0"), ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
    ({"quiet_start": "22:00"}, "quiet_end"), ({"checkin_time": "8pm"}, "checkin_time"), ({"discreet": "yes"}, "discreet"),
    ({"unknown": 1}, "unknown"), ({"lead_minutes": "60"}, "lead_minutes"), ({"checkin_time": "20:00\x00"}, "checkin_time"),
    ({"discreet": None}, "discreet"),
])
def test_api_bad_reminder_settings_are_422(client, auth, alex, body, field):
    response = client.put("/api/v1/reminder-settings", json=body, headers=api(client, auth, alex))
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_api_calendar_token_replaces_the_feed_url(app, client, auth, alex):
    headers = api(client, auth, alex)
    old = client.get("/api/v1/reminder-settings").get_json()["calendar_url"]
    new = client.post("/api/v1/calendar-token", headers=headers).get_json()["calendar_url"]
    assert new != old
    assert app.test_client().get(old.removeprefix("http://localhost")).status_code == 404
    assert app.test_client().get(new.removeprefix("http://localhost")).status_code == 200


def test_api_notifications_list_my_inbox(client, auth, make_group, alex, make_user, program):
    enrolled(make_group, alex, lead_minutes=[60], channels=["inapp"])
    dispatch(SESSION - timedelta(hours=2))
    dispatch(SESSION - timedelta(hours=1))
    api(client, auth, alex)
    body = client.get("/api/v1/notifications").get_json()
    assert body["unread"] == 1 and body["items"][0]["title"] == "Evening group"
    assert body["items"][0]["created_at"].endswith("-05:00")
    other = make_user(email="sam@example.org", program=program)
    client.delete("/api/v1/session")
    api(client, auth, other)
    assert client.get("/api/v1/notifications").get_json() == {"unread": 0, "items": []}


def test_api_push_subscriptions_are_kept_and_removed(client, auth, alex, push_server):
    headers = api(client, auth, alex)
    sub = push_server.receiver().subscription()
    response = client.post("/api/v1/push-subscriptions", json=sub, headers=headers)
    assert response.status_code == 201
    assert db.session.scalar(select(PushSubscription.user_id)) == alex.id
    assert client.delete("/api/v1/push-subscriptions", json={"endpoint": sub["endpoint"]}, headers=headers).status_code == 204
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    assert client.delete("/api/v1/push-subscriptions", json={"endpoint": sub["endpoint"]}, headers=headers).status_code == 404
    assert client.delete("/api/v1/push-subscriptions", headers=headers).status_code == 204


@pytest.mark.parametrize("change, field", [
    ({"endpoint": "https://10.1.2.3/push"}, "endpoint"), ({"endpoint": "not a url"}, "endpoint"),
    ({"keys": {"p256dh": "short", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
    ({"keys": {"p256dh": "x"}}, "keys.auth"), ({"extra": True}, "extra"), ({"endpoint": "http://127.0.0.1/\x00"}, "endpoint"),
])
def test_api_bad_push_subscriptions_are_422(client, auth, alex, push_server, change, field):
    sub = {**push_server.receiver().subscription(), **change}
    response = client.post("/api/v1/push-subscriptions", json=sub, headers=api(client, auth, alex))
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_push_endpoints_are_refused_without_the_loopback_setting(client, auth, alex, push_server, app):
    app.config["PUSH_ALLOW_LOOPBACK"] = False
    sub = push_server.receiver().subscription()
    assert client.post("/api/v1/push-subscriptions", json=sub, headers=api(client, auth, alex)).status_code == 422


def test_one_failed_delivery_in_a_batch_leaves_the_others_sent(make_group, alex, push_server):
    enrolled(make_group, alex, lead_minutes=[60], channels=["push", "inapp"])
    subscribe(alex, push_server)
    push_server.status["/push/phone"] = 500
    counts = dispatch(SESSION - timedelta(hours=1))
    assert (counts.sent, counts.failed) == (1, 1)
    by_channel = {row.channel: row for row in rows(occurrence_at=SESSION)}
    assert by_channel["inapp"].status == "sent" and by_channel["inapp"].claim_token is None
    assert (by_channel["push"].status, by_channel["push"].attempts) == ("pending", 1)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_subscription_answered_410_is_not_tried_again_for_later_rows_of_the_batch(make_group, alex, push_server):
    enrolled(make_group, alex, lead_minutes=[70, 60], channels=["push"])  # both due in one sweep, within grace
    subscribe(alex, push_server)
    push_server.status["/push/phone"] = 410
    counts = dispatch(SESSION - timedelta(hours=1))
    assert counts.skipped == 2 and len(push_server.requests) == 1
    assert [row.last_error for row in rows(occurrence_at=SESSION)] == ["every push subscription has expired",
                                                                       "no push subscription"]


class Crash(BaseException):
    """The worker dies here (nothing catches it, nothing after it runs)."""


def crash_on_first_record(monkeypatch, inside_the_transaction: bool = False):
    """Make the worker die when it records its first outcomes: after the sends, before (or in) the commit."""
    from companion.blueprints.reminders import dispatch as module

    real_record = module.record

    def record(outcomes, gone=frozenset()):
        if not inside_the_transaction:
            raise Crash

        def written_then_crash():
            db.session.flush()  # the rows and inbox items are written, the transaction not committed
            raise Crash

        with monkeypatch.context() as patch:
            patch.setattr(db.session, "commit", written_then_crash)
            return real_record(outcomes, gone)

    monkeypatch.setattr(module, "record", record)


def test_a_worker_dying_between_its_sends_and_their_record_sends_them_again_once_with_the_same_topic(
        app, make_group, alex, push_server, monkeypatch):
    # At least once: the pushes went out, their "sent" was never written, so once the claims time out they
    # are sent again, each once, as the same push message. How many: at most REMINDER_MAX_IN_FLIGHT.
    app.config["REMINDER_MAX_IN_FLIGHT"] = 2
    enrolled(make_group, alex, lead_minutes=[80, 70, 60], channels=["push"])
    subscribe(alex, push_server)
    crash_on_first_record(monkeypatch)
    due = SESSION - timedelta(hours=1)
    with pytest.raises(Crash):
        dispatch(due)
    db.session.rollback()
    first = [headers["topic"] for _, headers in push_server.requests]
    assert len(first) == 2  # no more than two claimed and unrecorded at once
    assert sorted(row.status for row in rows(occurrence_at=SESSION)) == ["claimed", "claimed", "pending"]
    monkeypatch.undo()
    app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"] = 60
    assert dispatch(due + timedelta(minutes=1), plan_first=False).sent == 1  # the claims are not stale yet
    assert dispatch(due + timedelta(minutes=2), plan_first=False).sent == 2
    topics = Counter(headers["topic"] for _, headers in push_server.requests)
    assert topics == Counter({f"reminder-{row.id}": 2 if f"reminder-{row.id}" in first else 1
                              for row in rows(occurrence_at=SESSION)})
    assert sum(topics.values()) == 5
    assert [row.status for row in rows(occurrence_at=SESSION)] == ["sent"] * 3


def test_a_worker_dying_while_recording_inbox_items_leaves_each_there_once(app, make_group, alex, monkeypatch):
    enrolled(make_group, alex, lead_minutes=[80, 70, 60], channels=["inapp"])
    crash_on_first_record(monkeypatch, inside_the_transaction=True)
    due = SESSION - timedelta(hours=1)
    with pytest.raises(Crash):
        dispatch(due)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    monkeypatch.undo()
    app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"] = 60
    assert dispatch(due + timedelta(minutes=2), plan_first=False).sent == 3
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 3
    assert db.session.scalar(select(func.count(func.distinct(Notification.reminder_id)))) == 3


def test_each_reminder_e_mail_is_whole_with_its_own_recipient_date_and_message_id(app, make_group, alex, make_user,
                                                                                  program, smtp_server):
    app.config["MAIL_DEFAULT_SENDER"] = "Compañía de apoyo <avisos@example.org>"
    sam = make_user(email="sam@example.org", name="Sam", program=program, language="es")
    for person in (alex, sam):
        services.update_settings(person, lead_minutes=[60], channels=["email"])
    make_group([alex, sam], start_date=date(2026, 1, 5))
    assert dispatch(SESSION - timedelta(hours=1)).sent == 2
    mails = {mail["To"]: mail for mail in smtp_server.inbox.messages}
    assert set(mails) == {"alex@example.org", "sam@example.org"}
    ids = {row.user_id: row.id for row in rows(occurrence_at=SESSION)}
    for person in (alex, sam):
        mail = mails[person.email]
        assert mail["From"] == "Compañía de apoyo <avisos@example.org>"
        assert mail["Message-ID"] == f"<reminder-{ids[person.id]}@localhost>"
        assert mail["Date"] is not None and mail.get_content_type() == "text/plain"
    assert mails["sam@example.org"]["Subject"] == "Companion: tienes un recordatorio"
    assert "Abre Companion para verlo." in mails["sam@example.org"].get_content()
    assert mails["alex@example.org"].get_content().startswith("Open Companion to see it.")
    for raw in smtp_server.inbox.raw:  # SMTP's lines end in CRLF (RFC 5321 2.3.8): no bare LF on the wire
        assert b"\n" not in raw.replace(b"\r\n", b"")
