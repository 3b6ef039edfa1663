"""The Today page and the help page."""

from datetime import UTC, datetime

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sqlalchemy import Date, bindparam

from companion.access import ME, about_me_statement, prepared, read_mine
from companion.blueprints.goals import services as goal_services
from companion.blueprints.journal import services as journal_services
from companion.blueprints.reminders.services import unread_column
from companion.blueprints.main import bp
from companion.blueprints.medication import today as medication_today
from companion.blueprints.medication.forms import DoseForm
from companion.blueprints.medication.schedule import local_day_bounds
from companion.blueprints.sessions.today import sessions_today
from companion.models import Role
from companion.models.base import UTCDateTime
from companion.timezones import zone


@bp.get("/")
@login_required
def today():
    """What matters today; staff start on their own page."""
    if current_user.role == Role.COUNSELOR:
        return redirect(url_for("counselor.caseload"))
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.index"))
    now = datetime.now(zone(current_user.timezone))
    today = now.date()
    day_start, day_end = local_day_bounds(current_user.timezone, today, today)
    mine = read_mine(current_user, today_statement(), today=today, day_start=day_start, day_end=day_end).one()
    due, upcoming = goal_services.steps_for_today(current_user, today)
    return render_template("main/today.html", now=now, greeting=greeting(now.hour),
                           today_steps={"due": due, "upcoming": upcoming},
                           journal=journal_services.today_summary(mine, today),
                           notes=goal_services.new_notes(mine),
                           medication_today=medication_today.today_from(current_user, mine.medications, mine.doses,
                                                                        day_start, day_end, now.astimezone(UTC)),
                           dose_form=DoseForm(),
                           **sessions_today(current_user, now, mine.unread))


@bp.get("/help")
def help():
    """Crisis lines and what to do in an emergency; open to everyone."""
    return render_template("main/help.html")


@prepared
def today_statement():
    """What Today shows of the journal, counselors' new notes and the inbox, in one statement."""
    return about_me_statement(**journal_services.today_columns(ME, bindparam("today", type_=Date)),
                              **goal_services.note_columns(ME), unread=unread_column(ME),
                              **medication_today.today_columns(ME, bindparam("day_start", type_=UTCDateTime()),
                                                               bindparam("day_end", type_=UTCDateTime())))


def greeting(hour: int) -> str:
    """A greeting for the local hour."""
    if 5 <= hour < 12:
        return _("Good morning")
    if 12 <= hour < 18:
        return _("Good afternoon")
    return _("Good evening")
