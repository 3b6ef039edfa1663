"""Support forms."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import Length, Optional, ValidationError

from companion import limits
from companion.forms import at_most
from companion.blueprints.support.library import DAY_NAMES, SEARCH_TYPES, TIMES_OF_DAY, type_name

MAX_ROWS = 20


class MeetingSearchForm(FlaskForm):
    """The meeting search: sent by GET, so that a search can be bookmarked and shared."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, place or group"), validators=[Optional(), Length(max=200)])
    day = SelectField(_l("Day"), choices=[SelectChoice("", _l("Any day"))] + [SelectChoice(str(i), name) for i, name in enumerate(DAY_NAMES)],
                      validators=[Optional()])
    time_of_day = SelectField(_l("Time of day"), choices=[SelectChoice("", _l("Any time"))] + [SelectChoice(k, v[0]) for k, v in TIMES_OF_DAY.items()],
                              validators=[Optional()])
    how = SelectField(_l("Online or in person"), choices=[SelectChoice("", _l("Either")), SelectChoice("online", _l("Online")), SelectChoice("in_person", _l("In person"))],
                      validators=[Optional()])
    type = SelectField(_l("Kind of meeting"), choices=[SelectChoice("", _l("Any kind"))] + [SelectChoice(code, type_name(code)) for code in SEARCH_TYPES],
                       validators=[Optional()])
    soon = BooleanField(_l("Starting in the next 2 hours"))
    near = StringField(_l("Near"), validators=[Optional(), Length(max=200)],
                       description=_l("A town or ZIP code from the list, or 'latitude, longitude'. Nearest meetings come first."))


class SaveMeetingForm(FlaskForm):
    remind = BooleanField(_l("Remind me before it starts"), default=True)


class ReminderForm(FlaskForm):
    remind = BooleanField(_l("Remind me before it starts"))


class ContactForm(Form):
    """A person (or place) with an optional phone number."""

    name = StringField(_l("Name"), validators=[Optional(), at_most(limits.CONTACT_NAME)])
    phone = StringField(_l("Phone"), validators=[Optional(), at_most(limits.PHONE)])


def lines_field(label: str, description: str = "") -> TextAreaField:
    return TextAreaField(label, description=description or _l("One per line."),
                         validators=[Optional(), Length(max=12_000, message=_l("That is more than we can keep here."))])


class RowsField(FieldList):
    """A list of rows that says so when more rows are sent than it keeps, instead of dropping them unseen."""

    sent_rows = 0

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.sent_rows = len(set(self._extract_indices(self.name, formdata))) if formdata else 0
        super().process(formdata, data, extra_filters)


def _not_too_many_rows(form, field: RowsField) -> None:
    if field.sent_rows > field.max_entries:
        raise ValidationError(_("At most %(max)s rows fit here (%(sent)s were sent). Put the others in another part of the plan.",
                                max=field.max_entries, sent=field.sent_rows))


def contacts_field(label: str) -> RowsField:
    return RowsField(FormField(ContactForm), label=label, min_entries=0, max_entries=MAX_ROWS,
                     validators=[_not_too_many_rows])


class SafetyPlanForm(FlaskForm):
    warning_signs = lines_field(_l("1. Warning signs"), _l("Thoughts, moods, situations or behaviours that tell me a crisis may be coming. One per line."))
    coping_strategies = lines_field(_l("2. Things I can do on my own"), _l("What takes my mind off my problems without contacting anyone. One per line."))
    distractions = contacts_field(_l("3. People and places that take my mind off things"))
    people = contacts_field(_l("4. People I can ask for help"))
    professionals = contacts_field(_l("5. Professionals and crisis lines"))
    environment = lines_field(_l("6. Making my surroundings safe"), _l("How I can keep myself safe. One per line."))
    reasons = lines_field(_l("What matters most to me, and is worth living for"), _l("Optional. One per line."))


class AftercareForm(FlaskForm):
    follow_up = TextAreaField(_l("Follow-up care"), validators=[Optional(), Length(max=4000)],
                              description=_l("Outpatient care or therapy after IOP: who, where and when."))
    meetings = TextAreaField(_l("Meetings"), validators=[Optional(), Length(max=4000)],
                             description=_l("The meetings you plan to go to each week."))
    sponsor_name = StringField(_l("Sponsor or mentor"), validators=[Optional(), Length(max=200)])
    sponsor_phone = StringField(_l("Their phone"), validators=[Optional(), Length(max=40)])
    contacts = contacts_field(_l("People to call"))
    steps = lines_field(_l("Next steps"), _l("Things to do in the weeks after IOP. One per line."))
    # The plan as the form was built from it (services.aftercare_version): a save never undoes a change
    # someone else made meanwhile, as the counselor and the participant both write it.
    version = HiddenField()


def aftercare_form_data(plan) -> dict:
    """A saved aftercare plan as the form's starting values."""
    if plan is None:
        return {}
    return {"follow_up": plan.follow_up, "meetings": plan.meetings, "sponsor_name": plan.sponsor_name,
            "sponsor_phone": plan.sponsor_phone, "contacts": plan.contacts, "steps": "\n".join(plan.steps)}


def form_lines(text: str | None) -> list[str]:
    """The non-blank lines of a text area."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def form_contacts(field) -> list[dict]:
    """The name and phone of every row of a list of people (blank rows are dropped by the service)."""
    return [{"name": entry.form.name.data or "", "phone": entry.form.phone.data or ""} for entry in field.entries]


def aftercare_data(form: AftercareForm) -> dict:
    """What an aftercare form holds, as ``services.save_aftercare_plan`` takes it."""
    return {"follow_up": form.follow_up.data, "meetings": form.meetings.data,
            "sponsor_name": form.sponsor_name.data, "sponsor_phone": form.sponsor_phone.data,
            "contacts": form_contacts(form.contacts), "steps": form_lines(form.steps.data)}


def add_blank_rows(*fields, count: int = 3) -> None:
    """Room for a few more people in each list, within its limit."""
    for field in fields:
        for _ in range(count):
            if len(field.entries) < field.max_entries:
                field.append_entry()


class FeedImportForm(FlaskForm):
    url = StringField(_l("Web address of the feed"), validators=[Optional(), Length(max=2000)],
                      description=_l("A Meeting Guide JSON feed, e.g. https://example.org/wp-admin/admin-ajax.php?action=meetings"))
    file = FileField(_l("Or a feed file from this device"))


class ResourceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    description = TextAreaField(_l("What it offers"), validators=[Optional(), Length(max=2000)])
    url = StringField(_l("Web address"), validators=[Optional(), Length(max=2000)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
