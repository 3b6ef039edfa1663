"""The weekly recovery check-in: the Brief Addiction Monitor over the past 7 days, its history and reminder."""

from flask import Blueprint

bp = Blueprint("weekly", __name__)

from companion.blueprints.weekly import reminder_sources, routes  # noqa: E402,F401
