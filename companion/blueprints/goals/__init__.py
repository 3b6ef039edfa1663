"""Goals broken into small steps."""

from flask import Blueprint

bp = Blueprint("goals", __name__)

from companion.blueprints.goals import reminder_sources, routes  # noqa: E402,F401
