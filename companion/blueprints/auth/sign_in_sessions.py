"""The signed-in session: starting it, ending it, and its idle and absolute limits."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from flask_babel import gettext as _
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from companion.errors import Unauthorized, wants_problem
from companion.extensions import db, login_manager
from companion.models import SignIn, User
from sqlalchemy import Integer, bindparam, delete, select
from sqlalchemy.orm import contains_eager

# The session cookie is rewritten at most this often just to move the idle clock.
SEEN_RESOLUTION = 60
# With a PIN, more often: the lock must know within seconds that the person has been away a minute.
PIN_SEEN_RESOLUTION = 10


def sign_in_id(token: str) -> str:
    """How the server keeps a session's token: its SHA-256, so that the table itself opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in person, unless they signed out, their account was switched off or all their sessions ended.

    The server-side session, the person and their program (which many pages show) are read in one statement:
    one indexed lookup of each.
    """
    id_part, _, epoch = user_id.partition(":")
    token = session.get("sid")
    if not id_part.isdigit() or not epoch.isdigit() or not isinstance(token, str):
        return None
    user = db.session.scalar(_user_statement(), {"sid": sign_in_id(token), "uid": int(id_part)})
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


@functools.cache
def _user_statement():
    """Built once: every request runs it."""
    return (select(User).join(SignIn, SignIn.user_id == User.id).outerjoin(User.program)
            .options(contains_eager(User.program))
            .where(SignIn.id == bindparam("sid"), User.id == bindparam("uid", type_=Integer)))


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous visitors: a 401 problem on the API, the sign-in page elsewhere."""
    if wants_problem():
        raise Unauthorized(_("Please sign in first."))
    if g.get("session_expired"):
        flash(_("You were signed out after a while without activity, to keep your information private. "
              "Please sign in again."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def start_session(user: User) -> None:
    """Sign in with a fresh session, so that nothing from before carries over."""
    # ``current_user`` itself would be stored as the signed-in user and then resolve to itself, forever.
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user
    session.clear()
    token = secrets.token_urlsafe(32)
    oldest = datetime.now(UTC) - current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    db.session.execute(delete(SignIn).where(SignIn.created_at < oldest))  # anyone's, past the 12-hour limit
    db.session.add(SignIn(id=sign_in_id(token), user_id=user.id))
    db.session.commit()
    session["sid"] = token
    if user.pin_hash:
        session["pin"] = True
    login_user(user)
    now = int(time.time())
    session["auth_at"] = now
    session["seen"] = now
    session.permanent = True


def end_session() -> None:
    """Sign out, on the server too (a copy of the cookie no longer works), and forget everything in the session."""
    token = session.get("sid")
    if isinstance(token, str):
        db.session.execute(delete(SignIn).where(SignIn.id == sign_in_id(token)))
        db.session.commit()
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
    """End a session idle for too long or older than the absolute limit; lock one with a PIN after a minute away.

    The PIN lock is the server's, on every page and API call, not only the installed app's: the same
    cookie in the phone's ordinary browser meets it too. The person is loaded only after a minute of
    quiet (a page loads them anyway), so an active session pays nothing for it.
    """
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
    resolution = PIN_SEEN_RESOLUTION if session.get("pin") else SEEN_RESOLUTION
    # seen lags the last request by less than its resolution, so this much quiet is a minute away at least.
    if now - seen > current_app.config["PIN_LOCK_AFTER"].total_seconds() + resolution and not session.get("locked"):
        if current_user.is_authenticated and current_user.pin_hash:
            session["locked"] = session["pin"] = True
    if now - seen >= resolution:
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
