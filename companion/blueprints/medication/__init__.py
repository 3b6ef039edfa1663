"""Medication (MAT): medications with their schedules, today's doses, the calendar, reminders and missed doses."""

from flask import Blueprint

bp = Blueprint("medication", __name__)

from companion.blueprints.medication import jobs, reminder_sources, routes  # noqa: E402,F401
