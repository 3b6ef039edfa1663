"""Medication doses as a source of reminders: once at each dose's time, and again when the person snoozes one.

Discretion is the reminders' own: a discreet notification says only "Companion: you have a reminder", so the
medication's name (in the title) is seen outside the app only by someone who turned discretion off.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime

from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from companion.blueprints.medication.schedule import occurrences
from companion.blueprints.reminders.sources import Planned, reminder_source
from companion.extensions import db
from companion.models import User
from companion.models.medication import Dose, Medication

URL = "/medications"


def reminder_title(medication: Medication, language: str | None = None) -> str:
    """What the reminder says inside the app (and outside it only with discretion off), in the person's language."""
    with force_locale(language or "en"):
        if medication.clinic_dosed:
            return _("Clinic visit: %(name)s", name=medication.name)
        if medication.dose:
            return _("Time for %(name)s (%(dose)s)", name=medication.name, dose=medication.dose)
        return _("Time for %(name)s", name=medication.name)


def _source_id(medication_id: int, scheduled_for: datetime | None = None) -> str:
    if scheduled_for is None:
        return str(medication_id)
    return f"{medication_id}:snooze:{int(scheduled_for.timestamp())}"


def _dose_still_open(row) -> bool:
    """Unless the dose was marked (or the medication paused or removed) since it was planned."""
    medication_id, _, snoozed = row.source_id.partition(":snooze:")
    medication = db.session.get(Medication, int(medication_id))
    if medication is None or not medication.active or not medication.reminders:
        return False
    scheduled = datetime.fromtimestamp(int(snoozed), UTC) if snoozed else row.occurrence_at
    dose = db.session.scalar(select(Dose).where(Dose.medication_id == medication.id, Dose.scheduled_for == scheduled))
    return dose is None or dose.status == "snoozed"


@reminder_source("medication", uses_lead_times=False, still_wanted=_dose_still_open)
def doses(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """Each scheduled dose of an active medication with reminders on, and each snoozed dose's second reminder."""
    query = (select(Medication, User.timezone, User.language).join(User, User.id == Medication.user_id)
             .where(Medication.active.is_(True), Medication.reminders.is_(True)))
    if user_ids is not None:
        query = query.where(Medication.user_id.in_(list(user_ids)))
    medications, languages = {}, {}
    for medication, timezone, language in db.session.execute(query):
        medications[medication.id] = medication
        languages[medication.id] = language
        title = reminder_title(medication, language)
        for moment in occurrences(medication, timezone, start, end):
            yield Planned(user_id=medication.user_id, source_id=_source_id(medication.id), at=moment, title=title,
                          url=URL)
    if not medications:
        return
    snoozed = select(Dose).where(Dose.status == "snoozed", Dose.snoozed_until >= start, Dose.snoozed_until < end,
                                 Dose.medication_id.in_(list(medications)))
    for dose in db.session.scalars(snoozed):
        medication = medications[dose.medication_id]
        yield Planned(user_id=dose.user_id, source_id=_source_id(medication.id, dose.scheduled_for),
                      at=dose.snoozed_until, title=reminder_title(medication, languages[medication.id]), url=URL)
