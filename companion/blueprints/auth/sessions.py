"""The signed-in session: starting it, ending it, and its idle and absolute limits."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from companion.errors import Unauthorized, wants_problem
from companion.extensions import db, login_manager
from companion.models import User

# The session cookie is rewritten at most this often just to move the idle clock.
SEEN_RESOLUTION = 60


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in person, unless their account was switched off or all their sessions ended."""
    id_part, _, epoch = user_id.partition(":")
    if not id_part.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(id_part))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous visitors: a 401 problem on the API, the sign-in page elsewhere."""
    if wants_problem():
        raise Unauthorized("Please sign in first.")
    if g.get("session_expired"):
        flash("You were signed out after a while without activity, to keep your information private. "
              "Please sign in again.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def start_session(user: User) -> None:
    """Sign in with a fresh session, so that nothing from before carries over."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session["auth_at"] = now
    session["seen"] = now
    session.permanent = True


def end_session() -> None:
    """Sign out and forget everything in the session."""
    logout_user()
    session.clear()


CLEAR_SITE_DATA = '"cache", "storage"'


def clear_device(response):
    """After signing out: the browser drops what it kept of the site (Clear-Site-Data), and the next page
    clears the offline queue and caches itself too, for browsers without that header."""
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    session["clear_device"] = True
    return response


def enforce_session_limits() -> None:
    """End a session idle for too long or older than the absolute limit."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    seen, auth_at = session.get("seen", 0), session.get("auth_at", 0)
    if now - seen > idle or now - auth_at > absolute:
        end_session()
        g.session_expired = True
        return
    if now - seen >= SEEN_RESOLUTION:
        session["seen"] = now


def safe_next(target: str | None) -> str:
    """Where to go after signing in: ``target`` only when it stays on this site."""
    if not target:
        return url_for("main.today")
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.today")
    if any(ord(c) < 32 for c in target):
        return url_for("main.today")
    return target


def current_user_or_none() -> User | None:
    """The signed-in person, or None."""
    return current_user if current_user.is_authenticated else None
