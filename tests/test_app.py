"""The app itself: configuration, headers, errors, commands and migrations."""

from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import text

from companion import create_app
from companion.cli import deployment_problems
from companion.config import Config, TestConfig, database_url
from companion.extensions import db
from companion.models import InviteCode, Program, User

PAGES_FOR_ANYONE = ["/login", "/register", "/reset", "/help"]


def test_plain_postgresql_url_uses_psycopg():
    assert database_url("postgresql://user@host/db") == "postgresql+psycopg://user@host/db"
    assert database_url("postgres://user@host/db") == "postgresql+psycopg://user@host/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_secret_key_is_generated_into_the_instance_folder_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    from companion.config import instance_secret_key

    first = instance_secret_key(str(tmp_path / "instance"))
    second = instance_secret_key(str(tmp_path / "instance"))
    assert first == second and len(first) >= 48
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only apply to SQLite (this run is PostgreSQL)")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


@pytest.mark.parametrize("path", PAGES_FOR_ANYONE)
def test_every_page_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", PAGES_FOR_ANYONE)
def test_every_page_links_to_crisis_help(client, path):
    assert 'href="/help"' in client.get(path).get_data(as_text=True)


def test_help_page_lists_every_crisis_line_without_signing_in(client):
    page = client.get("/help").get_data(as_text=True)
    for needle in ['href="tel:988"', 'href="sms:988"', "1-800-662-4357", "1-800-487-4889", "741741", 'href="tel:911"',
                   "not watched in real time"]:
        assert needle in page


def test_session_cookie_is_httponly_and_lax(client):
    client.get("/login")
    cookie = client.get_cookie("companion_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_behind_https_the_cookie_is_secure_and_hsts_is_sent(client):
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_unknown_page_is_a_kind_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "could not find that page" in response.get_data(as_text=True)


def test_unknown_api_path_is_a_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_wrong_method_on_the_api_is_a_problem(client):
    response = client.put("/api/v1/session", json={})
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_error_is_a_problem_on_the_api_and_a_page_elsewhere(database_uri):
    app = create_app(TestConfig(database_uri))

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("boom")

    @app.get("/boom")
    def boom():
        abort(500)

    client = app.test_client()
    with app.app_context():
        response = client.get("/api/v1/boom")
        assert response.status_code == 500 and response.mimetype == "application/problem+json"
        assert "boom" not in response.get_data(as_text=True)
        page = client.get("/boom")
        assert page.status_code == 500 and "Nothing you did caused it" in page.get_data(as_text=True)
        db.engine.dispose()


@pytest.mark.parametrize("env, expected", [
    ({"FLASK_DEBUG": "1"}, "Debug mode is on"),
    ({"SECRET_KEY": "dev"}, "SECRET_KEY is a default"),
    ({"SECRET_KEY": "short-but-random-Xq9"}, "too short"),
    ({"HTTPS": ""}, "HTTPS is not set"),
    ({"WEB_CONCURRENCY": "4", "RATELIMIT_STORAGE_URI": "memory://"}, "in memory"),
    ({"GUNICORN_CMD_ARGS": "--workers 3", "RATELIMIT_STORAGE_URI": "memory://"}, "in memory"),
    ({"APP_URL": ""}, "APP_URL is not set"),
    ({"APP_URL": "http://companion.example.org"}, "APP_URL does not start with https://"),
    ({"TRUSTED_HOSTS": "https://companion.example.org/"}, "TRUSTED_HOSTS has 'https://companion.example.org/'"),
    ({"LEDGER_KEY": ""}, "LEDGER_KEY is not set"),
    ({"LEDGER_KEY": "changeme"}, "LEDGER_KEY is a default"),
    ({"LEDGER_KEY": "n3Q8v0Zc1Lr7pY2sXw5Tk9Hd4Jm6Bf0Ga8Ue3Oi7"}, "LEDGER_KEY is the same as SECRET_KEY"),
])
def test_check_names_each_unsafe_production_setting(monkeypatch, tmp_path, env, expected):
    good = {"SECRET_KEY": "n3Q8v0Zc1Lr7pY2sXw5Tk9Hd4Jm6Bf0Ga8Ue3Oi7", "HTTPS": "1",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "WEB_CONCURRENCY": "4",
            "APP_URL": "https://companion.example.org", "LEDGER_KEY": "Lq7Rz2Wc9Xv4Nb8Tk1Hm5Pd3Jf6Ys0Ga2Ue9Oi4",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}"}
    for name, value in {**good, **env}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FLASK_DEBUG", raising=False) if "FLASK_DEBUG" not in env else None
    app = create_app()
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code != 0
    assert expected in result.output
    assert len(deployment_problems(app)) == 1


def test_check_passes_a_safe_production_config(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("SECRET_KEY", "n3Q8v0Zc1Lr7pY2sXw5Tk9Hd4Jm6Bf0Ga8Ue3Oi7")
    monkeypatch.setenv("HTTPS", "1")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.setenv("APP_URL", "https://companion.example.org")
    monkeypatch.setenv("LEDGER_KEY", "Lq7Rz2Wc9Xv4Nb8Tk1Hm5Pd3Jf6Ys0Ga2Ue9Oi4")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'c.sqlite'}")
    result = create_app().test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output


def test_users_create_makes_the_program_when_missing(runner):
    result = runner.invoke(args=["users", "create", "--email", "Jo@Example.org", "--password",
                                 "counselor's own long phrase", "--role", "counselor", "--program", "harbor", "--name", "Jo"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "jo@example.org"))
    assert user.role == "counselor" and user.program.slug == "harbor" and user.name == "Jo"


@pytest.mark.parametrize("args, message", [
    (["--password", "short"], "at least 12"),
    (["--password", "password1234"], "too common"),
    (["--role", "boss"], "Invalid value"),
])
def test_users_create_refuses_bad_input(runner, args, message):
    base = {"--email": "x@example.org", "--password": "a perfectly fine phrase", "--role": "participant"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    result = runner.invoke(args=["users", "create", *[item for pair in base.items() for item in pair]])
    assert result.exit_code != 0
    assert message in result.output


def test_users_create_refuses_an_existing_email_in_another_case(runner, make_user):
    make_user(email="taken@example.org")
    result = runner.invoke(args=["users", "create", "--email", "TAKEN@example.org", "--password",
                                 "a perfectly fine phrase", "--role", "participant"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_demo_seeds_once_and_prints_the_sign_ins(runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "counselor@example.org" in first.output and "password:" in first.output
    assert db.session.scalar(db.select(db.func.count(Program.id))) == 1
    assert db.session.scalar(db.select(db.func.count(User.id))) == 5
    assert db.session.scalar(db.select(db.func.count(InviteCode.id))) == 1


def test_demo_sign_ins_work(runner, auth):
    output = runner.invoke(args=["demo"]).output
    line = next(line for line in output.splitlines() if "alex@example.org" in line)
    password = line.split("password: ")[1]
    assert auth.login("alex@example.org", password).status_code == 303
