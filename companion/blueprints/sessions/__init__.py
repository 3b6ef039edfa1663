"""Sessions: the program's groups, appointments, agendas, attendance and the calendar feed."""

from flask import Blueprint

bp = Blueprint("sessions", __name__)

from companion.blueprints.sessions import reminder_sources, routes  # noqa: E402,F401
