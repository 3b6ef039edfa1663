"""Accounts: registration, sign-in, sign-out, password reset and settings."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from companion.blueprints.auth import routes  # noqa: E402,F401
