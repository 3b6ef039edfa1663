"""Signing in and out through the API."""

from flask import Response, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from companion.blueprints.api.schemas import Credentials, SessionOut
from companion.blueprints.api.spec import endpoint
from companion.blueprints.auth import services
from companion.blueprints.auth.sign_in_sessions import clear_device, end_session, start_session
from companion.models import User


def user_body(user: User) -> dict:
    """A person's account as the API shows it."""
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "program": user.program.slug if user.program else None, "timezone": user.timezone, "language": user.language}


def session_body(user: User) -> dict:
    """The signed-in person and the CSRF token for their session."""
    return {"user": user_body(user), "csrf_token": generate_csrf()}


@endpoint("/session", "POST", summary="Sign in", tag="session", body=Credentials, response=SessionOut,
          auth=False, csrf=False, errors=(401, 429))
def sign_in(body: Credentials):
    """Sign in with e-mail and password; the answer carries the CSRF token for later calls."""
    user = services.authenticate(body.email, body.password, request.remote_addr or "")
    start_session(user)
    return session_body(user)


@endpoint("/session", "GET", summary="The signed-in person", tag="session", response=SessionOut)
def current_session():
    """Who is signed in, with a CSRF token for this session."""
    return session_body(current_user)


@endpoint("/session", "DELETE", summary="Sign out", tag="session", status=204, auth=False, csrf=False)
def sign_out():
    """Sign out; the device's cached data is cleared too."""
    end_session()
    return clear_device(Response(status=204))
