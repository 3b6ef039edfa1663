"""The API base: the session endpoints, problem responses, CSRF, size limits and the OpenAPI document."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PASSWORD


def test_sign_in_returns_the_user_and_a_csrf_token(client, participant):
    response = client.post("/api/v1/session", json={"email": "alex@example.org", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"user", "csrf_token"}
    assert body["user"] == {"id": participant.id, "email": "alex@example.org", "name": "Alex", "role": "participant",
                            "program": participant.program.slug, "timezone": "America/New_York", "language": "en"}
    assert body["csrf_token"]
    assert client.get_cookie("companion_session").http_only


def test_get_session_returns_the_same_for_the_signed_in_user(client, auth, participant):
    auth.api_login("alex@example.org")
    response = client.get("/api/v1/session")
    assert response.status_code == 200
    assert response.get_json()["user"]["email"] == "alex@example.org"


def test_the_api_and_pages_share_one_session(client, auth, participant):
    auth.api_login("alex@example.org")
    assert client.get("/").status_code == 200


def test_delete_session_signs_out(client, auth, participant):
    auth.api_login("alex@example.org")
    response = client.delete("/api/v1/session")
    assert response.status_code == 204
    assert client.get("/api/v1/session").status_code == 401


def test_not_signed_in_is_a_401_problem(client):
    response = client.get("/api/v1/session")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401 and body["title"] and body["detail"]


@pytest.mark.parametrize("credentials", [
    {"email": "alex@example.org", "password": "wrong password here"},
    {"email": "nobody@example.org", "password": PASSWORD},
    {"email": "not an email", "password": PASSWORD},
])
def test_wrong_credentials_are_a_401_problem(client, participant, credentials):
    response = client.post("/api/v1/session", json=credentials)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("body, field", [
    ({"email": "alex@example.org"}, "password"),
    ({"password": PASSWORD}, "email"),
    ({"email": "", "password": PASSWORD}, "email"),
    ({"email": 42, "password": PASSWORD}, "email"),
    ({"email": "alex@example.org", "password": ["x"]}, "password"),
    ({"email": "alex@example.org", "password": PASSWORD, "admin": True}, "admin"),
    ({"email": "e" * 300, "password": PASSWORD}, "email"),
    ([1, 2, 3], "body"),
    ("a string", "body"),
    (None, "body"),
])
def test_bad_sign_in_bodies_are_422_with_errors_per_field(client, participant, body, field):
    response = client.post("/api/v1/session", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["status"] == 422 and field in problem["errors"]
    assert all(isinstance(m, str) for messages in problem["errors"].values() for m in messages)


def test_unparseable_json_is_a_400_problem(client):
    response = client.post("/api/v1/session", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_deeply_nested_json_is_not_a_500(client):
    response = client.post("/api/v1/session", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code in (400, 422)


def test_a_form_body_is_a_415_problem(client):
    response = client.post("/api/v1/session", data={"email": "a", "password": "b"})
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_a_body_over_one_megabyte_is_a_413_problem(client):
    big = json.dumps({"email": "a@b.org", "password": "x" * (1024 * 1024)})
    response = client.post("/api/v1/session", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_ten_failed_api_sign_ins_are_throttled_with_429(client, participant):
    for _ in range(10):
        assert client.post("/api/v1/session", json={"email": "alex@example.org", "password": "wrong password here"}).status_code == 401
    response = client.post("/api/v1/session", json={"email": "alex@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json" and response.headers["Retry-After"]


def test_unsafe_calls_need_the_csrf_header(client, auth, participant):
    token = auth.api_login("alex@example.org")
    assert client.patch("/api/v1/me", json={"name": "Lex"}).status_code == 403
    assert client.patch("/api/v1/me", json={"name": "Lex"}, headers={"X-CSRFToken": "forged"}).status_code == 403
    response = client.patch("/api/v1/me", json={"name": "Lex"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["name"] == "Lex"


def test_unsafe_calls_without_a_session_are_401_before_csrf(client):
    assert client.patch("/api/v1/me", json={"name": "Lex"}).status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"timezone": "Nowhere/Land"}, "timezone"),
    ({"name": ""}, "name"),
    ({"name": "n" * 101}, "name"),
    ({"name": 7}, "name"),
    ({"role": "admin"}, "role"),
])
def test_profile_changes_are_validated(client, auth, participant, body, field):
    token = auth.api_login("alex@example.org")
    response = client.patch("/api/v1/me", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_markup_in_a_name_comes_back_as_data(client, auth, participant):
    token = auth.api_login("alex@example.org")
    response = client.patch("/api/v1/me", json={"name": "<b>Alex</b>"}, headers={"X-CSRFToken": token})
    assert response.get_json()["name"] == "<b>Alex</b>"
    assert response.mimetype == "application/json"


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule
        for converter in ("int:", "string:", "uuid:"):
            path = path.replace("<" + converter, "<")
        path = path.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)


def test_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").get_json())


def test_openapi_names_the_problem_responses(client):
    document = client.get("/api/v1/openapi.json").get_json()
    sign_in = document["paths"]["/api/v1/session"]["post"]
    assert {"200", "401", "422", "429", "413"} <= set(sign_in["responses"])
    assert sign_in["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/Credentials")
    assert document["components"]["schemas"]["Credentials"]["additionalProperties"] is False
