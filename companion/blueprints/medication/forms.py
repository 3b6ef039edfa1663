"""Medication forms. The services check every value, so that the pages and the API say the same."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from companion.blueprints.medication.services import MISSED_AFTER_CHOICES, WEEKDAY_NAMES

FREQUENCIES = [SelectChoice("daily", _l("Every day")), SelectChoice("weekdays", _l("Some days of the week")),
               SelectChoice("every", _l("Every so many days (an injection)"))]
MISSED_AFTER_LABELS = {60: _l("1 hour"), 120: _l("2 hours"), 180: _l("3 hours"), 240: _l("4 hours"),
                       360: _l("6 hours"), 720: _l("12 hours")}


def optional_int(value):
    """An optional whole number from a form: empty is None, anything else not a number is kept as typed."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


class MedicationForm(FlaskForm):
    name = StringField(_l("Medication"), description=_l("Pick from the list or type its name."),
                       render_kw={"list": "medication-names", "autocomplete": "off"})
    dose = StringField(_l("Dose (optional)"), description=_l("For example: 8 mg, or 1 tablet."))
    frequency = RadioField(_l("How often"), choices=FREQUENCIES, default="daily", validate_choice=False)
    weekdays = SelectMultipleField(_l("Which days"), choices=[SelectChoice(i, name) for i, name in enumerate(WEEKDAY_NAMES)],
                                   coerce=optional_int, validate_choice=False)
    every_days = StringField(_l("Every how many days"), default="28", description=_l("28 for a monthly injection."))
    time_1 = StringField(_l("Time"), default="08:00", render_kw={"type": "time"})
    time_2 = StringField(_l("Second time (optional)"), render_kw={"type": "time"})
    time_3 = StringField(_l("Third time (optional)"), render_kw={"type": "time"})
    start_date = DateField(_l("Starting on"), validators=[Optional()])
    end_date = DateField(_l("Ending on (optional)"), validators=[Optional()])
    clinic_dosed = BooleanField(_l("I get this dose at a clinic (like methadone)"),
                                description=_l("Then the reminder is for your clinic visit."))
    reminders = BooleanField(_l("Remind me at each time"), default=True)
    missed_after_minutes = SelectField(_l("Count a dose as not taken if I haven't marked it after"),
                                       choices=[SelectChoice(m, label) for m, label in MISSED_AFTER_LABELS.items()],
                                       coerce=optional_int, default=180, validate_choice=False)
    active = BooleanField(_l("I'm taking this now"), default=True)

    TIME_FIELDS = ("time_1", "time_2", "time_3")


class DoseForm(FlaskForm):
    """One tap on Today: taken, or skipped with an optional reason. Sent offline, it waits in the queue."""

    client_id = HiddenField()
    medication_id = HiddenField()
    scheduled_for = HiddenField()
    status = HiddenField()
    reason = StringField(_l("Reason (optional)"))
