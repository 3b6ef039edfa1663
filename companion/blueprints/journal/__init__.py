"""The journal: cravings, triggers, coping skills, the daily check-in, days sober and insights."""

from flask import Blueprint

bp = Blueprint("journal", __name__)

from companion.blueprints.journal import routes  # noqa: E402,F401
