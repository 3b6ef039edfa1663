"""The JSON API at /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from companion.blueprints.api import docs, me, session  # noqa: E402,F401
from companion.blueprints.api import reminders, sessions  # noqa: E402,F401
