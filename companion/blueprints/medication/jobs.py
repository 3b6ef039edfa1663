"""The medication job: missed doses recorded by the reminder worker (every 5 minutes, see reminders/jobs.py)."""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask.cli import AppGroup

from companion.extensions import db

log = logging.getLogger("companion.medication")
medication = AppGroup("medication", help="Medication doses.")


def missed_doses(app: Flask) -> None:
    """Record every dose whose window passed unmarked as missed, in the app's own context."""
    from companion.blueprints.medication.services import record_missed

    with app.app_context():
        try:
            written = record_missed()
            if written:
                log.info("recorded %s missed doses", written)
        finally:
            db.session.remove()


@medication.command("record-missed")
def record_missed_command():
    """Record as missed every dose not marked within its window; prints how many were recorded."""
    from companion.blueprints.medication.services import record_missed

    click.echo(f"missed={record_missed()}")
