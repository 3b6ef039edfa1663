"""Commands: ``flask --app companion users create``, ``demo`` and ``check``."""

from __future__ import annotations

import math
import re
import shlex
import sys
from collections import Counter

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from companion.config import host_list
from companion.errors import Invalid

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.option("--email", required=True, help="The person's e-mail address (their sign-in).")
@click.option("--password", required=True, help="At least 12 characters, not a common password.")
@click.option("--role", required=True, type=click.Choice(["participant", "counselor", "admin"]))
@click.option("--program", "program_slug", default=None, help="The program's slug; created when it does not exist.")
@click.option("--name", default=None, help="The name shown in the app.")
def create_user_command(email, password, role, program_slug, name):
    """Create an account."""
    from companion.blueprints.auth.services import create_user

    try:
        user = create_user(email=email, password=password, role=role, name=name, program_slug=program_slug)
    except Invalid as error:
        raise click.ClickException(error.detail) from None
    program = f" in program {user.program.slug}" if user.program else ""
    click.echo(f"Created {user.role} {user.email} (id {user.id}){program}.")


@click.command("demo")
@with_appcontext
def demo_command():
    """Seed the demo program with staff and participants (safe to run again)."""
    from companion.demo import seed_demo

    for line in seed_demo():
        click.echo(line)


DEFAULT_SECRETS = {"dev", "development", "secret", "changeme", "change-me", "please-change-me", "test",
                   "secret-key", "secret_key", "your-secret-key", "supersecret", "default", "insecure"}


def weak_secret(key: str | bytes | None) -> str | None:
    """Why a secret key is unsafe for production, or None when it is fine."""
    if not key:
        return "SECRET_KEY is empty."
    text = key.decode(errors="replace") if isinstance(key, bytes) else str(key)
    if text.lower() in DEFAULT_SECRETS or "change" in text.lower() or text.lower().startswith(("dev", "test")):
        return "SECRET_KEY is a default or example value: set a long random one (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    counts = Counter(text)
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values()) * len(text)
    if len(text) < 32 or entropy < 128:
        return "SECRET_KEY is too short or too simple: use at least 32 random characters."
    return None


def worker_count(config) -> int:
    """How many web worker processes the deployment says it runs (WEB_CONCURRENCY or GUNICORN_CMD_ARGS)."""
    if (value := str(config.get("WEB_CONCURRENCY") or "").strip()).isdigit():
        return int(value)
    args = shlex.split(config.get("GUNICORN_CMD_ARGS") or "")
    for i, arg in enumerate(args):
        if match := re.fullmatch(r"(?:--workers|-w)=?(\d*)", arg):
            number = match.group(1) or (args[i + 1] if i + 1 < len(args) else "")
            if number.isdigit():
                return int(number)
    return 1


def deployment_problems(app: Flask) -> list[str]:
    """Everything unsafe about this configuration for production."""
    problems = []
    if app.debug or app.config.get("FLASK_DEBUG"):
        problems.append("Debug mode is on (FLASK_DEBUG): it shows code and lets a visitor run it. Turn it off.")
    if reason := weak_secret(app.config.get("SECRET_KEY")):
        problems.append(reason)
    if not app.config.get("HTTPS"):
        problems.append("HTTPS is not set: serve the site over HTTPS behind a proxy and set HTTPS=1 "
                        "(Secure cookies and HSTS follow), with PROXY_FIX=1 when a proxy forwards the requests.")
    if app.config.get("HTTPS") and not app.config.get("APP_URL"):
        problems.append("APP_URL is not set: set it to the site's public address (e.g. APP_URL=https://companion.example.org). "
                        "Links in e-mails and the calendar feed are built from it, never from a request's Host header.")
    elif app.config.get("APP_URL") and app.config.get("HTTPS") and not app.config["APP_URL"].startswith("https://"):
        problems.append("APP_URL does not start with https:// although HTTPS is on: links in e-mails would be sent over plain HTTP.")
    for host in host_list(app.config.get("TRUSTED_HOSTS_SETTING", "")):
        if not re.fullmatch(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]|\.[a-z0-9.-]+", host):
            problems.append(f"TRUSTED_HOSTS has {host!r}, which is not a host name: list names only, like "
                            "companion.example.org or .example.org (every subdomain), without https:// or a path.")
    ledger_key = "" if app.config.get("LEDGER_KEY_IN_INSTANCE") else str(app.config.get("LEDGER_KEY") or "")
    if app.config.get("HTTPS") and not ledger_key:
        problems.append("LEDGER_KEY is not set: the disclosure ledger is keyed with a file in the instance folder, "
                        "and losing it leaves the ledger unverifiable. Set LEDGER_KEY to a long random value kept "
                        "with SECRET_KEY, never in the database (python -c 'import secrets; print(secrets.token_urlsafe(48))').")
    elif ledger_key and (reason := weak_secret(ledger_key)):
        problems.append(reason.replace("SECRET_KEY", "LEDGER_KEY", 1))
    elif ledger_key and ledger_key == str(app.config.get("SECRET_KEY")):
        problems.append("LEDGER_KEY is the same as SECRET_KEY: give the ledger a key of its own.")
    if app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://") and worker_count(app.config) > 1:
        problems.append(f"RATELIMIT_STORAGE_URI keeps sign-in limits in memory, but {worker_count(app.config)} workers run: "
                        "each would count on its own. Use Redis, e.g. RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0.")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and worker_count(app.config) > 1:
        click.echo("Note: SQLite serves one small clinic well; with several workers, PostgreSQL is the better choice.")
    return problems


@click.command("check")
@with_appcontext
def check_command():
    """Check the configuration for production; exits non-zero naming every problem."""
    problems = deployment_problems(current_app)
    for problem in problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("No problems found.")


audit = AppGroup("audit", help="The disclosure ledger.")


@audit.command("verify")
@click.option("--heads", "kept_heads", type=click.File("r"), default=None,
              help="A file of heads kept earlier (the output of `audit heads`): each must still be in its chain.")
def audit_verify_command(kept_heads):
    """Check every participant's chain in the disclosure ledger, and its head; exits non-zero naming each broken row."""
    from companion.blueprints.privacy import ledger
    from companion.extensions import db
    from companion.models import DisclosureEntry

    problems = ledger.verify()
    if kept_heads is not None:
        problems += ledger.check_kept_heads(kept_heads.read().splitlines())
    for problem in problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if problems:
        sys.exit(1)
    count = db.session.scalar(db.select(db.func.count(DisclosureEntry.id)))
    heads = ledger.heads()
    click.echo(f"The ledger is intact: {count} rows in {len(heads)} chains.")
    click.echo(f"Heads digest: {ledger.heads_digest(heads)} (keep it, or the output of `audit heads`, outside the database)")


@audit.command("heads")
def audit_heads_command():
    """Print the head of every participant's chain (reference, rows, newest hash), to keep outside the database."""
    from companion.blueprints.privacy import ledger

    for ref, seq, hash_ in ledger.heads():
        click.echo(f"{ref} {seq} {hash_}")


@audit.command("grants")
@click.option("--role", required=True, help="The PostgreSQL role the app connects as.")
def audit_grants_command(role):
    """Print the SQL that keeps the app's database role from changing or deleting ledger rows."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]{0,62}", role):
        raise click.ClickException("A role name is letters, digits and underscores.")
    click.echo(f"-- Run as the tables' owner (the role that ran `flask db upgrade`), not as {role}.\n"
               f"REVOKE UPDATE, DELETE, TRUNCATE ON disclosure_entry FROM {role};\n"
               f"GRANT SELECT, INSERT ON disclosure_entry TO {role};\n"
               f"GRANT USAGE ON SEQUENCE disclosure_entry_id_seq TO {role};\n"
               f"REVOKE DELETE, TRUNCATE ON ledger_head FROM {role};\n"
               f"GRANT SELECT, INSERT, UPDATE ON ledger_head TO {role};")


def register(app: Flask) -> None:
    """Add every command to the app (each feature's beside its code; ``db`` comes with Flask-Migrate)."""
    from companion.blueprints.medication.jobs import medication
    from companion.blueprints.reminders.jobs import reminders, scheduler_command
    from companion.blueprints.support.cli import meetings

    for command in (users, audit, demo_command, check_command, scheduler_command, reminders, meetings, medication):
        app.cli.add_command(command)
