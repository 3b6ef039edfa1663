"""Goals broken into small steps."""

from flask import Blueprint

bp = Blueprint("goals", __name__)

from companion.blueprints.goals import routes  # noqa: E402,F401
