"""The installable app: manifest, service worker, offline page, and the PIN lock."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from companion.extensions import db
from tests.conftest import csrf_from

STATIC = Path(__file__).resolve().parent.parent / "companion" / "static"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_is_neutral_standalone_and_its_icons_are_the_sizes_it_says(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Companion" and manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert not any(word in response.get_data(as_text=True).lower() for word in ("recovery", "substance", "sober", "addiction"))
    purposes = set()
    for icon in manifest["icons"]:
        width, height = png_size(STATIC / icon["src"].split("?")[0].removeprefix("/static/"))
        assert icon["sizes"] == f"{width}x{height}"
        purposes.add((icon["purpose"], width))
    assert {("any", 192), ("any", 512), ("maskable", 192), ("maskable", 512)} <= purposes


def test_the_service_worker_is_served_from_the_root_with_its_shell_version(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert body.startswith("const SHELL = {") and '"/offline"' in body and "/static/css/app.css" in body
    assert "/api/" not in body.split("\n", 1)[0]  # nothing personal in what it keeps


def test_the_shell_version_changes_when_a_kept_file_changes(tmp_path):
    from companion.blueprints.pwa.services import shell_version

    file = tmp_path / "app.css"
    file.write_text("body { color: black }")
    before = shell_version([file])
    file.write_text("body { color: navy }")
    assert shell_version([file]) != before


def test_the_offline_page_is_the_same_for_everyone_and_holds_nothing_personal(client, auth, participant):
    anonymous = client.get("/offline").get_data(as_text=True)
    auth.login(participant.email)
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "data-user" not in html and "csrf_token" not in html and participant.name not in html
    assert 'href="tel:988"' in html and 'data-offline="always"' in html and 'id="safety-plan"' in html
    assert html == anonymous


def test_every_page_links_the_manifest_and_loads_the_offline_scripts(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert "js/queue.js" in html and "js/offline.js" in html


def test_the_forms_that_can_wait_offline_are_marked(client, auth, participant, make_goal):
    auth.login(participant.email)
    goal = make_goal(participant)
    for path in ("/log/craving", "/log/trigger", "/log/coping", "/journal/checkin", f"/goals/{goal.id}"):
        assert "data-offline" in client.get(path).get_data(as_text=True), path


# The PIN lock

def set_pin(client, pin="2580", confirm=None):
    token = csrf_from(client.get("/settings/pin").get_data(as_text=True))
    return client.post("/settings/pin", data={"pin-csrf_token": token, "pin-pin": pin, "pin-confirm": confirm or pin})


@pytest.fixture
def with_pin(client, auth, participant):
    auth.login(participant.email)
    assert set_pin(client).status_code == 303
    return participant


@pytest.mark.parametrize("pin, confirm, message", [
    ("", "", "Choose a PIN of 4 to 8 digits."),
    ("12a4", "12a4", "Use 4 to 8 digits, numbers only."),
    ("123", "123", "Use 4 to 8 digits, numbers only."),
    ("123456789", "123456789", "Use 4 to 8 digits, numbers only."),
    ("1234", "1234", "easy to guess"),
    ("0000", "0000", "easy to guess"),
    ("9876", "9876", "easy to guess"),
    ("2580", "2581", "The two PINs are not the same."),
])
def test_a_bad_pin_is_refused_with_a_clear_message(client, auth, participant, pin, confirm, message):
    auth.login(participant.email)
    response = set_pin(client, pin, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(participant)
    assert participant.pin_hash is None


def test_a_pin_is_stored_hashed_and_the_settings_say_it_is_on(client, with_pin):
    db.session.refresh(with_pin)
    assert with_pin.pin_hash.startswith("$argon2id$") and "2580" not in with_pin.pin_hash
    assert "The PIN lock is on" in client.get("/settings/security").get_data(as_text=True)  # Settings was split
    assert "data-pin-lock" in client.get("/").get_data(as_text=True)


def test_the_installed_app_starts_locked_and_the_right_pin_opens_it(client, with_pin):
    response = client.get("/launch")
    assert response.status_code == 302 and response.headers["Location"] == "/unlock"
    locked = client.get("/goals")
    assert locked.status_code == 302 and locked.headers["Location"].startswith("/unlock?next=/goals")
    page = client.get("/unlock?next=/goals")
    assert page.status_code == 200 and "Type your PIN" in page.get_data(as_text=True)
    opened = client.post("/unlock", data={"csrf_token": csrf_from(page.get_data(as_text=True)), "pin": "2580",
                                          "next": "/goals"})
    assert opened.status_code == 303 and opened.headers["Location"] == "/goals"
    assert client.get("/goals").status_code == 200


def test_without_a_pin_the_app_starts_on_today(client, auth, participant):
    auth.login(participant.email)
    response = client.get("/launch")
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_locked_app_answers_the_api_with_401_and_still_shows_crisis_help(client, with_pin):
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    assert client.post("/lock", data={"csrf_token": token}).status_code == 303
    response = client.get("/api/v1/goals")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Locked"
    assert client.get("/api/v1/session").status_code == 401
    assert client.get("/help").status_code == 200
    assert client.get("/offline").status_code == 200


def test_the_lock_needs_the_csrf_token(client, with_pin):
    assert client.post("/lock").status_code == 400
    assert client.get("/goals").status_code == 200


def test_a_wrong_pin_says_how_many_tries_are_left_and_five_sign_out_everywhere(client, app, with_pin):
    client.get("/launch")
    token = csrf_from(client.get("/unlock").get_data(as_text=True))
    for left in (4, 3, 2):
        response = client.post("/unlock", data={"csrf_token": token, "pin": "1111"})
        assert response.status_code == 401 and f"{left} more tries" in response.get_data(as_text=True)
    response = client.post("/unlock", data={"csrf_token": token, "pin": "not a pin"})
    assert "One more try" in response.get_data(as_text=True)
    response = client.post("/unlock", data={"csrf_token": token, "pin": "0000"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/goals").status_code == 302  # signed out
    db.session.refresh(with_pin)
    assert with_pin.session_epoch == 1  # every other device too


def test_an_empty_or_overlong_pin_on_unlock_is_a_form_error(client, with_pin):
    client.get("/launch")
    token = csrf_from(client.get("/unlock").get_data(as_text=True))
    assert "Type your PIN." in client.post("/unlock", data={"csrf_token": token, "pin": ""}).get_data(as_text=True)
    assert client.post("/unlock", data={"csrf_token": token, "pin": "9" * 5000}).status_code == 422


def test_unlock_goes_only_to_pages_of_this_site(client, with_pin):
    client.get("/launch")
    token = csrf_from(client.get("/unlock").get_data(as_text=True))
    response = client.post("/unlock", data={"csrf_token": token, "pin": "2580", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_the_pin_lock_is_turned_off_with_the_current_pin(client, with_pin):
    token = csrf_from(client.get("/settings/pin").get_data(as_text=True))
    wrong = client.post("/settings/pin", data={"remove-csrf_token": token, "remove-pin": "1357", "remove-submit": "1"})
    assert wrong.status_code == 422 and "That PIN is not right." in wrong.get_data(as_text=True)
    right = client.post("/settings/pin", data={"remove-csrf_token": token, "remove-pin": "2580", "remove-submit": "1"})
    assert right.status_code == 303
    db.session.refresh(with_pin)
    assert with_pin.pin_hash is None
    client.get("/launch")
    assert client.get("/goals").status_code == 200


def test_a_locked_app_shows_no_navigation(client, with_pin):
    client.get("/launch")
    html = client.get("/unlock").get_data(as_text=True)
    assert 'aria-label="Main"' not in html and 'href="/help"' in html
