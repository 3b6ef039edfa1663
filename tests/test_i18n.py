"""Languages: which one a page is shown in, the switch, and the person's own setting (Contract: languages)."""

from __future__ import annotations

import re

import pytest

from companion.extensions import db
from companion.i18n import accepted_language
from companion.models import User
from tests.conftest import PASSWORD, csrf_from
from tests.test_auth import GOOD


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("header, expected", [
    ("es", "es"), ("es-MX,es;q=0.9,en;q=0.8", "es"), ("en-US,es;q=0.5", "en"), ("en;q=0.2, es-419;q=0.9", "es"),
    ("fr-FR, de", None), ("", None), ("es;q=0", None), ("es;q=abc, en", "en"), (",,;;", None), ("*", None),
])
def test_accept_language_picks_the_best_supported_language(header, expected):
    assert accepted_language(header) == expected


def test_signed_out_pages_follow_accept_language(client):
    response = client.get("/login", headers={"Accept-Language": "es-US,es;q=0.9"})
    assert html_lang(response) == "es"
    assert "Ayuda ahora" in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]
    assert html_lang(client.get("/login", headers={"Accept-Language": "en-US"})) == "en"
    assert html_lang(client.get("/help")) == "en"


def test_the_switch_is_remembered_and_wins_over_accept_language(client):
    page = client.get("/login?next=/goals").get_data(as_text=True)
    assert 'href="/login?next=%2Fgoals&amp;lang=es"' in page  # the switch keeps the rest of the address
    response = client.get("/login?lang=es")
    assert html_lang(response) == "es" and "lang=es" in response.headers["Set-Cookie"]
    assert html_lang(client.get("/help", headers={"Accept-Language": "en"})) == "es"
    client.get("/login?lang=en")
    assert html_lang(client.get("/help", headers={"Accept-Language": "es"})) == "en"
    assert html_lang(client.get("/help?lang=xx", headers={"Accept-Language": "es"})) == "en"


def test_a_signed_in_person_sees_their_own_language_everywhere(client, auth, participant):
    participant.language = "es"
    db.session.commit()
    auth.login(participant.email)
    for path in ["/", "/goals", "/settings", "/help"]:
        response = client.get(path, headers={"Accept-Language": "en"})
        assert html_lang(response) == "es", path
    assert "Hoy" in client.get("/").get_data(as_text=True)


def test_register_takes_an_optional_language(client):
    token = csrf_from(client.get("/register?lang=es").get_data(as_text=True))
    assert client.post("/register", data={**GOOD, "csrf_token": token}).status_code == 303
    assert db.session.scalar(db.select(User.language).where(User.email == GOOD["email"])) == "es"  # the page's


def test_register_with_a_language_and_a_bad_one(client):
    token = csrf_from(client.get("/register").get_data(as_text=True))
    response = client.post("/register", data={**GOOD, "language": "fr", "csrf_token": token})
    assert response.status_code == 422 and 'value="new@example.org"' in response.get_data(as_text=True)
    response = client.post("/register", data={**GOOD, "language": "es", "csrf_token": token})
    assert response.status_code == 303
    assert db.session.scalar(db.select(User.language).where(User.email == GOOD["email"])) == "es"


def test_settings_change_the_language(client, auth, participant):
    auth.login(participant.email)
    page = client.get("/settings").get_data(as_text=True)
    assert 'name="profile-language"' in page or 'name="language"' in page
    token = csrf_from(page)
    response = client.post("/settings", data={"csrf_token": token, "profile-name": participant.name,
                                              "profile-timezone": participant.timezone, "profile-language": "es",
                                              "profile-submit": "1"})
    assert response.status_code == 303
    assert html_lang(client.get("/settings")) == "es"


def test_the_api_carries_and_changes_the_language(client, auth, participant):
    token = auth.api_login(participant.email)
    assert client.get("/api/v1/session").get_json()["user"]["language"] == "en"
    response = client.patch("/api/v1/me", json={"language": "es"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["language"] == "es"
    assert client.get("/api/v1/session").get_json()["user"]["language"] == "es"
    again = client.post("/api/v1/session", json={"email": participant.email, "password": PASSWORD}).get_json()
    assert again["user"]["language"] == "es"
    token = again["csrf_token"]
    bad = client.patch("/api/v1/me", json={"language": "fr"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and "language" in bad.get_json()["errors"]
    assert client.get("/api/v1/me").get_json()["language"] == "es"


# The API's problems and the forms' messages follow the caller's language (Contract: languages).

def test_a_422_problem_is_in_spanish_with_its_field_messages(client, auth, participant):
    participant.language = "es"
    db.session.commit()
    token = auth.api_login(participant.email)
    response = client.post("/api/v1/goals", json={"title": "", "shared": "yes", "colour": "red"},
                           headers={"X-CSRFToken": token})
    problem = response.get_json()
    assert response.status_code == 422 and problem["status"] == 422
    assert problem["title"] == "Los datos no son válidos"
    assert problem["detail"] == "Faltan algunos campos o no son válidos."
    assert problem["errors"]["colour"] == ["Este campo no se permite aquí."]
    assert problem["errors"]["shared"] == ["Se esperaba true o false."]


def test_a_404_and_a_401_problem_are_in_spanish_when_asked_for(client):
    spanish = {"Accept-Language": "es-MX"}
    missing = client.get("/api/v1/no-such-thing", headers=spanish).get_json()
    assert missing["status"] == 404 and missing["title"] == "No encontrado"
    assert missing["detail"] == "No encontramos la dirección pedida en este servidor."
    signed_out = client.get("/api/v1/goals", headers=spanish)
    assert signed_out.status_code == 401
    assert signed_out.get_json()["title"] == "No has iniciado sesión"
    assert signed_out.get_json()["detail"] == "Primero inicia sesión."
    english = client.get("/api/v1/goals", headers={"Accept-Language": "en"}).get_json()
    assert english["title"] == "Not signed in" and english["detail"] == "Please sign in first."


def test_pydantic_messages_are_translated_with_their_figures(client, auth, participant):
    participant.language = "es"
    db.session.commit()
    token = auth.api_login(participant.email)
    response = client.patch("/api/v1/me", json={"language": "fr"}, headers={"X-CSRFToken": token})
    message = response.get_json()["errors"]["language"][0]
    assert message.startswith("Elige una de estas opciones:") and "'es'" in message and " or " not in message


def test_a_problem_in_a_language_that_has_no_message_for_its_kind_says_it_plainly(app):
    from flask_babel import force_locale

    from companion.blueprints.api.spec import friendly
    item = {"type": "some_new_pydantic_kind", "msg": "Input should be something new", "ctx": {}}
    with app.test_request_context():
        assert friendly(item) == "Input should be something new"
        with force_locale("es"):
            assert friendly(item) == "Este valor no es válido."


def test_a_form_error_is_in_spanish(client):
    page = client.get("/register?lang=es").get_data(as_text=True)
    response = client.post("/register", data={**GOOD, "email": "not an address", "name": "",
                                              "csrf_token": csrf_from(page)})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Escribe una dirección de correo como nombre@example.com." in text
    assert "Escribe un nombre con el que podamos saludarte." in text
    assert "Enter an e-mail address" not in text


def test_a_flash_and_a_service_error_are_in_spanish(client, auth, participant):
    participant.language = "es"
    db.session.commit()
    auth.login(participant.email)
    page = client.get("/goals/new/write").get_data(as_text=True)
    response = client.post("/goals/new/write", data={"csrf_token": csrf_from(page), "title": "Caminar",
                                               "category": "health", "steps": ""}, follow_redirects=True)
    assert "Tu meta está guardada. Un pequeño paso a la vez." in response.get_data(as_text=True)


def test_the_language_outside_a_request_is_the_forced_one(app):
    from flask_babel import force_locale, gettext
    from companion.i18n import current_language
    with app.app_context():
        assert current_language() == "en"
        with force_locale("es"):
            assert current_language() == "es"
            assert gettext("Please sign in first.") == "Primero inicia sesión."
