"""Reminders: settings, the in-app inbox, planning and sending."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)


@bp.record_once
def _setup(state) -> None:
    from companion.blueprints.reminders.jobs import register

    register(state.app)


from companion.blueprints.reminders import checkin, routes  # noqa: E402,F401
