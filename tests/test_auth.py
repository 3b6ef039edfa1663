"""Registration, sign-in and sign-out, throttling, session limits, password reset and settings."""

from __future__ import annotations

import re
import time

import pytest

from companion.extensions import db
from companion.models import User
from tests.conftest import PASSWORD, csrf_from

GOOD = {"email": "new@example.org", "password": "river stones and quiet mornings", "name": "Robin",
        "timezone": "America/Chicago", "invite_code": ""}


def register(client, **changes):
    token = csrf_from(client.get("/register").get_data(as_text=True))
    return client.post("/register", data={**GOOD, **changes, "csrf_token": token})


def test_register_form_has_the_contract_fields(client):
    page = client.get("/register").get_data(as_text=True)
    for name in ["email", "password", "name", "timezone", "invite_code", "csrf_token"]:
        assert f'name="{name}"' in page
    assert 'for="email"' in page and 'for="timezone"' in page


def test_register_for_personal_use_signs_in_and_shows_today(client):
    response = register(client)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    user = db.session.scalar(db.select(User).where(User.email == "new@example.org"))
    assert user.program is None and user.timezone == "America/Chicago" and user.role == "participant"
    assert user.password_hash.startswith("$argon2id$")
    assert "Robin" in client.get("/").get_data(as_text=True)


def test_passwords_are_hashed_with_argon2id_at_rfc_9106_parameters():
    """The suite hashes with cheap parameters (see conftest); outside it, RFC 9106's low-memory option."""
    from argon2 import profiles

    from companion.security import DEFAULT_HASHER

    fields = ["type", "time_cost", "memory_cost", "parallelism", "hash_len", "salt_len"]
    assert [getattr(DEFAULT_HASHER, f) for f in fields] == [getattr(profiles.RFC_9106_LOW_MEMORY, f) for f in fields]
    assert DEFAULT_HASHER.hash(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_register_with_an_invite_code_joins_the_program(client, make_program, make_invite):
    program = make_program(slug="harbor")
    invite = make_invite(program, code="HARBOR-2026")
    assert register(client, invite_code="harbor-2026").status_code == 303
    user = db.session.scalar(db.select(User).where(User.email == "new@example.org"))
    assert user.program_id == program.id
    db.session.refresh(invite)
    assert invite.uses == 1


@pytest.mark.parametrize("changes, field, message", [
    ({"email": ""}, "email", "Enter your e-mail address."),
    ({"email": "not-an-address"}, "email", "Enter an e-mail address like"),
    ({"email": "a" * 250 + "@example.org"}, "email", "at most 254"),
    ({"password": ""}, "password", "Choose a password."),
    ({"password": "short one"}, "password", "at least 12"),
    ({"password": "x" * 300}, "password", "at most 256"),
    ({"password": "password1234"}, "password", "too common"),
    ({"password": "qwerty123456"}, "password", "too common"),
    ({"password": "abababababab"}, "password", "too"),
    ({"name": ""}, "name", "Enter a name"),
    ({"name": "n" * 101}, "name", "at most 100"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
    ({"timezone": ""}, "timezone", ""),
    ({"invite_code": "NO-SUCH-CODE"}, "invite_code", "do not recognise this invite code"),
    ({"invite_code": "x" * 40}, "invite_code", "at most 32"),
])
def test_register_explains_each_bad_field_and_keeps_the_rest(client, changes, field, message):
    response = register(client, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert 'aria-invalid="true"' in page
    if field != "name":
        assert 'value="Robin"' in page  # what was typed is still there
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_register_with_an_existing_email_in_another_case_makes_no_second_account(client, make_user, smtp_server):
    """The page answers as for a new account (see test_security.py); the owner is told by e-mail."""
    make_user(email="new@example.org")
    response = register(client, email="NEW@Example.ORG")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert [m["To"] for m in smtp_server.inbox.messages] == ["new@example.org"]


def test_register_refuses_a_used_up_invite(client, make_program, make_invite):
    make_invite(make_program(), code="ONCE", max_uses=1, uses=1)
    assert "do not recognise" in register(client, invite_code="ONCE").get_data(as_text=True)


def test_register_without_csrf_token_is_refused_kindly(client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "send it again" in response.get_data(as_text=True)


def test_a_name_with_markup_is_shown_as_text(client):
    register(client, name="<script>alert(1)</script>")
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_login_form_has_the_contract_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert re.search(r'<input[^>]*name="csrf_token"[^>]*type="hidden"|<input[^>]*type="hidden"[^>]*name="csrf_token"', page)


def test_login_redirects_to_today(auth, participant):
    response = auth.login("alex@example.org")
    assert response.status_code in (302, 303) and response.headers["Location"] == "/"


def test_login_ignores_the_case_of_the_email(auth, participant):
    assert auth.login("ALEX@Example.org").status_code == 303


@pytest.mark.parametrize("target, expected", [
    ("/settings", "/settings"),
    ("/help?x=1", "/help?x=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    (" https://evil.example", "/"),
])
def test_login_follows_next_only_within_this_site(auth, participant, target, expected):
    response = auth.login("alex@example.org", next=target)
    assert response.headers["Location"] == expected


def test_login_page_sends_anonymous_visitors_back_after_signing_in(client, auth, participant):
    response = client.get("/settings")
    assert response.status_code == 302 and "/login?next=/settings" in response.headers["Location"]


def test_wrong_password_is_a_clear_message_and_keeps_the_email(auth, participant):
    response = auth.login("alex@example.org", "not the right password")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "do not match an account" in page and 'value="alex@example.org"' in page


def test_unknown_email_gets_the_same_message_as_a_wrong_password(auth):
    response = auth.login("nobody@example.org", "not the right password")
    assert response.status_code == 401 and "do not match an account" in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [{"email": "", "password": ""}, {"email": "a@b.org", "password": "p" * 2000},
                                  {"email": "e" * 300, "password": "whatever"}])
def test_login_with_bad_input_is_a_form_error(client, data):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={**data, "csrf_token": token})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)


def test_ten_failures_for_one_account_lock_sign_in_for_a_while(auth, participant):
    for _ in range(10):
        assert auth.login("alex@example.org", "wrong password here").status_code == 401
    response = auth.login("alex@example.org")  # even the right password waits
    assert response.status_code == 429
    assert "too many sign-in attempts" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_twenty_failures_from_one_address_lock_that_address(auth, make_user):
    make_user(email="other@example.org")
    for n in range(20):
        assert auth.login(f"guess{n}@example.org", "wrong password here").status_code == 401
    assert auth.login("other@example.org").status_code == 429


def test_successful_sign_ins_never_count(client, auth, participant):
    for _ in range(12):
        assert auth.login("alex@example.org").status_code == 303
        auth.logout()
    assert auth.login("alex@example.org").status_code == 303


def test_the_throttle_window_passes(app, auth, participant, monkeypatch):
    for _ in range(10):
        auth.login("alex@example.org", "wrong password here")
    assert auth.login("alex@example.org").status_code == 429
    later = time.time() + 16 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert auth.login("alex@example.org").status_code == 303


def test_sign_in_starts_a_new_session(client, auth, participant):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login("alex@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_needs_post_and_clears_the_device(client, auth, participant):
    auth.login("alex@example.org")
    assert client.get("/logout").status_code == 405
    response = auth.logout()
    assert response.status_code == 303
    assert "storage" in response.headers["Clear-Site-Data"]
    assert client.get("/").status_code == 302


def test_idle_session_ends_after_30_minutes(client, auth, participant):
    auth.login("alex@example.org")
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    response = client.get("/")
    assert response.status_code == 302
    assert "without activity" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_active_session_ends_after_12_hours_in_all(client, auth, participant):
    auth.login("alex@example.org")
    with client.session_transaction() as session:
        session["auth_at"] -= 12 * 3600 + 1
    assert client.get("/").status_code == 302


def test_session_within_limits_stays(client, auth, participant):
    auth.login("alex@example.org")
    with client.session_transaction() as session:
        session["seen"] -= 29 * 60
    assert client.get("/").status_code == 200


def test_sign_out_everywhere_ends_other_devices_at_once(app, client, auth, participant):
    other = app.test_client()
    from tests.conftest import Auth

    Auth(other).login("alex@example.org")
    auth.login("alex@example.org")
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    response = client.post("/settings/sign-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 303
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_deactivated_account_is_signed_out_at_once(client, auth, participant):
    from companion.blueprints.auth.services import deactivate

    auth.login("alex@example.org")
    deactivate(participant)
    assert client.get("/").status_code == 302
    assert auth.login("alex@example.org").status_code == 401


def test_a_deleted_account_is_signed_out_at_once(client, auth, participant):
    auth.login("alex@example.org")
    db.session.delete(participant)
    db.session.commit()
    assert client.get("/").status_code == 302


def reset_link(smtp_server) -> str:
    body = smtp_server.inbox.messages[-1].get_content()
    return re.search(r"http://localhost(/reset/\S+)", body).group(1)


def ask_reset(client, email):
    token = csrf_from(client.get("/reset").get_data(as_text=True))
    return client.post("/reset", data={"email": email, "csrf_token": token})


def test_password_reset_by_emailed_single_use_link(client, auth, participant, smtp_server):
    response = ask_reset(client, "Alex@example.org")
    assert response.status_code == 303
    message = smtp_server.inbox.messages[-1]
    assert message["To"] == "alex@example.org"
    link = reset_link(smtp_server)
    token = csrf_from(client.get(link).get_data(as_text=True))
    new = "a brand new passphrase today"
    assert client.post(link, data={"password": new, "csrf_token": token}).status_code == 303
    assert auth.login("alex@example.org", PASSWORD).status_code == 401
    assert auth.login("alex@example.org", new).status_code == 303
    again = client.get(link)
    assert again.status_code == 302  # used once: no second time
    assert "already been used" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_password_reset_link_expires(app, client, participant, smtp_server):
    ask_reset(client, "alex@example.org")
    link = reset_link(smtp_server)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.get(link).status_code == 302


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, smtp_server):
    response = ask_reset(client, "nobody@example.org")
    assert response.status_code == 303
    assert "If that address has an account" in client.get("/login").get_data(as_text=True)
    assert smtp_server.inbox.messages == []


def test_password_reset_with_a_forged_token_is_refused(client):
    assert client.get("/reset/not-a-real-token").status_code == 302


def test_password_reset_refuses_a_weak_new_password(client, participant, smtp_server):
    ask_reset(client, "alex@example.org")
    link = reset_link(smtp_server)
    token = csrf_from(client.get(link).get_data(as_text=True))
    response = client.post(link, data={"password": "password12345", "csrf_token": token})
    assert response.status_code == 422 and "too common" in response.get_data(as_text=True)


def settings_post(client, **data):
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    return client.post("/settings", data={**data, "profile-csrf_token": token, "password-csrf_token": token})


def test_settings_change_name_and_time_zone(client, auth, participant):
    auth.login("alex@example.org")
    response = settings_post(client, **{"profile-name": "Alexandra", "profile-timezone": "Europe/Dublin", "profile-submit": "1"})
    assert response.status_code == 303
    db.session.refresh(participant)
    assert participant.name == "Alexandra" and participant.timezone == "Europe/Dublin"


def test_settings_refuse_a_bad_time_zone_and_keep_the_name(client, auth, participant):
    auth.login("alex@example.org")
    response = settings_post(client, **{"profile-name": "Alexandra", "profile-timezone": "Nowhere/Land", "profile-submit": "1"})
    assert response.status_code == 422
    assert 'value="Alexandra"' in response.get_data(as_text=True)


def test_password_change_needs_the_current_password(client, auth, participant):
    auth.login("alex@example.org")
    response = settings_post(client, **{"password-current_password": "not my password at all",
                                        "password-new_password": "another fine long phrase", "password-submit": "1"})
    assert response.status_code == 422 and "not your current password" in response.get_data(as_text=True)


def test_password_change_keeps_this_device_and_signs_out_others(app, client, auth, participant):
    from tests.conftest import Auth

    other = app.test_client()
    Auth(other).login("alex@example.org")
    auth.login("alex@example.org")
    response = settings_post(client, **{"password-current_password": PASSWORD,
                                        "password-new_password": "another fine long phrase", "password-submit": "1"})
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
