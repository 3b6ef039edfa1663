"""The JSON API at /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from companion.blueprints.api import docs, goals, journal, me, medication, privacy, reminders, sessions, sign_in, support, weekly  # noqa: E402,F401
