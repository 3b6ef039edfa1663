"""Support: meetings, fellowships, the aftercare plan and the safety plan."""

from flask import Blueprint

bp = Blueprint("support", __name__)

from companion.blueprints.support import reminder_sources, routes  # noqa: E402,F401
