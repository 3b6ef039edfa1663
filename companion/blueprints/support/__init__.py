"""Support: meetings, fellowships, the aftercare plan and the safety plan."""

from flask import Blueprint

# cli_group=None puts the blueprint's commands at the top level: ``flask --app companion meetings import``.
bp = Blueprint("support", __name__, cli_group=None)

from companion.blueprints.support import cli, reminder_sources, routes  # noqa: E402,F401
