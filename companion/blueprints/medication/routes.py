"""Medication pages: the list, adding and changing one, its calendar, and marking or snoozing a dose."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.blueprints.auth.sign_in_sessions import safe_next
from companion.blueprints.journal.forms import EmptyForm
from companion.blueprints.medication import bp, services
from companion.blueprints.medication.forms import DoseForm, MedicationForm, optional_int
from companion.errors import Conflict, Invalid
from companion.forms import apply_errors
from companion.models import Role
from companion.roles import required
from companion.timezones import zone


@bp.before_request
@required(Role.PARTICIPANT)
def require_participant() -> None:
    """Medication pages are personal, and only participants keep medications here."""


def _form_values(form: MedicationForm) -> dict:
    """The form's answers as the service takes them; what does not parse is passed on for the service to name."""
    frequency = form.frequency.data or "daily"
    times = [getattr(form, name).data.strip() for name in form.TIME_FIELDS if (getattr(form, name).data or "").strip()]
    weekdays = list(form.weekdays.data or []) if frequency == "weekdays" else None
    every_days = optional_int((form.every_days.data or "").strip()) if frequency == "every" else None
    if frequency == "every" and every_days is None:
        every_days = ""  # left empty: the service asks for a number
    return {"name": form.name.data, "dose": form.dose.data, "times": times, "weekdays": weekdays,
            "every_days": every_days, "start_date": form.start_date.data, "end_date": form.end_date.data,
            "clinic_dosed": bool(form.clinic_dosed.data), "reminders": bool(form.reminders.data),
            "missed_after_minutes": form.missed_after_minutes.data, "active": bool(form.active.data)}


FIELD_OF = {"schedule.times": "time_1", "schedule.weekdays": "weekdays", "schedule.every_days": "every_days"}


def _show_errors(form: MedicationForm, error: Invalid) -> None:
    apply_errors(form, Invalid(error.detail, {FIELD_OF.get(k, k): v for k, v in (error.errors or {}).items()}))


def _fill(form: MedicationForm, medication) -> None:
    values = services.medication_values(medication)
    form.name.data, form.dose.data = values["name"], values["dose"]
    form.frequency.data = "every" if values["every_days"] else "weekdays" if values["weekdays"] is not None else "daily"
    form.weekdays.data = values["weekdays"] or []
    form.every_days.data = str(values["every_days"] or 28)
    for name, text in zip(form.TIME_FIELDS, values["times"] + ["", "", ""]):
        getattr(form, name).data = text
    form.start_date.data, form.end_date.data = values["start_date"], values["end_date"]
    form.clinic_dosed.data, form.reminders.data = values["clinic_dosed"], values["reminders"]
    form.missed_after_minutes.data, form.active.data = values["missed_after_minutes"], values["active"]


@bp.app_template_global("new_id")
def new_id() -> str:
    """A fresh client id for each dose form, so that a form sent twice (or replayed offline) marks the dose once."""
    return str(uuid.uuid4())


@bp.get("/medications")
def index():
    """My medications, today's doses and the last four weeks."""
    return render_template("medication/index.html", medications=services.medications_of(current_user),
                           today=services.today_slots(current_user), weeks=services.calendar(current_user),
                           summary=services.summaries([current_user])[current_user.id], describe=services.describe_schedule,
                           dose_form=DoseForm(), tz=zone(current_user.timezone))


@bp.route("/medications/new", methods=["GET", "POST"])
def new():
    """Add a medication and its schedule."""
    form = MedicationForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                medication = services.create_medication(current_user, **_form_values(form))
            except Invalid as error:
                _show_errors(form, error)
            else:
                flash(_("Added. Its doses show on your Today page."), "success")
                return redirect(url_for("medication.show", medication_id=medication.id), code=303)
    return render_template("medication/form.html", form=form, medication=None,
                           names=services.MAT_MEDICATIONS), status


@bp.route("/medications/<int:medication_id>", methods=["GET", "POST"])
def show(medication_id: int):
    """One medication: its calendar of the last four weeks, and its details to change."""
    medication = services.medication_for(current_user, medication_id)
    form = MedicationForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.update_medication(current_user, medication_id, **_form_values(form))
            except Invalid as error:
                _show_errors(form, error)
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("medication.show", medication_id=medication_id), code=303)
    else:
        _fill(form, medication)
    return render_template("medication/form.html", form=form, medication=medication, names=services.MAT_MEDICATIONS,
                           weeks=services.calendar(current_user, medication), delete_form=EmptyForm(),
                           describe=services.describe_schedule), status


@bp.post("/medications/<int:medication_id>/delete")
def delete(medication_id: int):
    """Remove a medication and what was marked for it."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    services.delete_medication(current_user, medication_id)
    flash(_("Removed."), "success")
    return redirect(url_for("medication.index"), code=303)


def _back() -> str:
    return safe_next(request.form.get("next")) if request.form.get("next") else url_for("main.today")


def _scheduled(form: DoseForm) -> datetime | None:
    try:
        return datetime.fromisoformat((form.scheduled_for.data or "").strip())
    except ValueError:
        return None


@bp.post("/medications/doses")
def mark():
    """Mark one dose taken or skipped (one tap on Today); sent again with the same id, it is saved once."""
    form = DoseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        dose_id = uuid.UUID((form.client_id.data or "").strip()) if (form.client_id.data or "").strip() else uuid.uuid4()
        medication_id = int(form.medication_id.data or "")
    except ValueError:
        flash(_("That dose could not be marked. Please try again."), "error")
        return redirect(_back(), code=303)
    scheduled_for = _scheduled(form)
    try:
        services.mark_dose(current_user, dose_id=dose_id, medication_id=medication_id, scheduled_for=scheduled_for,
                           status=form.status.data or "", reason=form.reason.data or "")
    except (Invalid, Conflict) as error:
        errors = error.errors or {}
        messages = [m for name, ms in errors.items() if name != "reason" for m in ms] or [error.detail]
        if scheduled_for is None or scheduled_for.tzinfo is None or form.status.data not in ("taken", "skipped"):
            flash(" ".join(messages), "error")
            return redirect(_back(), code=303)
        # Shown again with what was typed, so that a reason too long is not lost.
        slot = services.Slot(services.medication_for(current_user, medication_id), scheduled_for, "pending", None)
        return render_template("medication/mark.html", slot=slot, status=form.status.data, next=_back(),
                               dose_form=DoseForm(formdata=None), reason=form.reason.data or "",
                               reason_errors=errors.get("reason"), messages=messages,
                               tz=zone(current_user.timezone)), 422
    else:
        flash(_("Marked taken. Well done.") if form.status.data == "taken" else _("Marked skipped. Thank you for noting it."),
              "success")
    return redirect(_back(), code=303)


@bp.post("/medications/doses/snooze")
def snooze():
    """Remind me about this dose again in a little while."""
    form = DoseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        until = services.snooze_dose(current_user, medication_id=int(form.medication_id.data or ""),
                                     scheduled_for=_scheduled(form))
    except ValueError:
        flash(_("That dose could not be snoozed. Please try again."), "error")
    except Invalid as error:
        flash(error.detail, "error")
    else:
        flash(_("We'll remind you again in %(n)d minutes.", n=services.SNOOZE_MINUTES), "success")
    return redirect(_back(), code=303)
