"""The ``meetings`` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from companion.errors import DomainError

meetings = AppGroup("meetings", help="Manage the meeting lists imported from Meeting Guide feeds.")


@meetings.command("import")
@click.argument("source")
@click.option("--program", "program_slug", default=None,
              help="The program's slug; without it the meetings are listed for everyone.")
@click.option("--timezone", default=None,
              help="Time zone of meetings that name none (default: the program's, else America/New_York).")
def import_command(source, program_slug, timezone):
    """Import a Meeting Guide JSON feed from a file path or a URL (all or nothing)."""
    from companion.blueprints.support import services
    from companion.timezones import is_valid_zone

    try:
        if timezone is not None and not is_valid_zone(timezone):
            raise click.ClickException(f"{timezone} is not a time zone name like America/New_York.")
        program = services.program_by_slug(program_slug) if program_slug else None
        result = services.import_meetings(services.read_source(source), program, timezone)
    except DomainError as error:
        reasons = [r for messages in (error.errors or {}).values() for r in messages if r != error.detail]
        for reason in reasons:
            click.echo(f"  {reason}", err=True)
        raise click.ClickException(error.detail) from None
    where = f" for program {program_slug}" if program_slug else " for everyone"
    click.echo(f"{result.summary}{where}.")

