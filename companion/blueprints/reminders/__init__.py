"""Reminders: settings, the in-app inbox, planning and sending."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)


from companion.blueprints.reminders import checkin, routes  # noqa: E402,F401
