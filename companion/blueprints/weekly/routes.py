"""Weekly check-in pages: the questions, the past weeks charted, and the reminder day."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.blueprints.medication.schedule import parse_time
from companion.blueprints.weekly import bp, services
from companion.blueprints.weekly.bam import ITEMS, MAXIMA
from companion.blueprints.weekly.forms import ReminderForm, WeeklyForm, answers_from
from companion.errors import Conflict, Invalid
from companion.models import Role
from companion.roles import required


@bp.before_request
@required(Role.PARTICIPANT)
def require_participant() -> None:
    """The weekly check-in is a participant's own."""


def _place_errors(form: WeeklyForm, error: Invalid) -> None:
    """The service's errors on their questions ("answers.4" is q4), the rest above the form."""
    placed = False
    for name, messages in (error.errors or {}).items():
        field = getattr(form, "q" + name.removeprefix("answers."), None) if name.startswith("answers.") else None
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.detail)


@bp.get("/weekly")
def index():
    """My weekly check-ins: this week's, and the past weeks charted."""
    checkins = services.history(current_user)
    settings = services.settings_for(current_user)
    reminder = ReminderForm(formdata=None, data={"weekday": "" if settings.weekday is None else str(settings.weekday),
                                                 "remind_at": settings.remind_at.strftime("%H:%M") if settings.remind_at else "18:00"})
    return render_template("weekly/index.html", checkins=checkins, chart=services.chart(checkins),
                           this_week=services.this_weeks(current_user), reminder=reminder, maxima=MAXIMA)


@bp.route("/weekly/checkin", methods=["GET", "POST"])
def checkin():
    """This week's check-in: 17 questions about the past 7 days. Sending it again this week replaces it."""
    form = WeeklyForm()
    status = 200
    if request.method == "GET":
        form.client_id.data = str(uuid.uuid4())
    else:
        status = 422
        if form.validate_on_submit():
            try:
                raw = (form.client_id.data or "").strip()
                checkin_id = uuid.UUID(raw) if raw else uuid.uuid4()
            except ValueError:
                checkin_id = uuid.uuid4()
            try:
                services.save_checkin(current_user, checkin_id=checkin_id, answers=answers_from(form))
            except Invalid as error:
                _place_errors(form, error)
            except Conflict:
                form.client_id.data = str(uuid.uuid4())
                form.form_errors.append(_("This form was already sent with other answers. Please check them and send it again."))
            else:
                flash(_("Thank you. This week's check-in is saved."), "success")
                return redirect(url_for("weekly.index"), code=303)
    return render_template("weekly/checkin.html", form=form, items=ITEMS,
                           existing=services.this_weeks(current_user)), status


@bp.post("/weekly/reminder")
def reminder():
    """Choose the day and time of the weekly reminder, or none."""
    form = ReminderForm()
    if not form.validate_on_submit():
        abort(400)
    weekday = form.weekday.data
    try:
        day = int(weekday) if weekday not in (None, "") else None
        at = parse_time((form.remind_at.data or "").strip()) if day is not None else None
    except ValueError:
        flash(_("Choose a day and a time like 18:00."), "error")
        return redirect(url_for("weekly.index"), code=303)
    try:
        services.set_reminder(current_user, day, at)
    except Invalid as error:
        flash(error.detail, "error")
    else:
        flash(_("Saved.") if day is not None else _("No weekly reminder."), "success")
    return redirect(url_for("weekly.index"), code=303)
