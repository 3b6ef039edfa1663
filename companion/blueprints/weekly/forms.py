"""The weekly check-in's forms: the 17 questions, built from the instrument, and the reminder day."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice

from companion.blueprints.medication.services import WEEKDAY_NAMES
from companion.blueprints.weekly.bam import CHOICE_LABELS, DRUG_LABELS, ITEMS


class WeeklyForm(FlaskForm):
    """One radio group per question (item 7: check boxes), named q1..q17; the service checks every answer."""

    client_id = HiddenField()


for _item in ITEMS:
    if _item.number == 7:
        field = SelectMultipleField(_item.text, choices=[SelectChoice(d, label) for d, label in DRUG_LABELS.items()],
                                    validate_choice=False,
                                    description=_l("Only if you used drugs in the past 7 days. Choose all that apply."))
    else:
        field = RadioField(_item.text, choices=[SelectChoice(c, CHOICE_LABELS[c]) for c in _item.choices],
                           validate_choice=False,
                           description=_l("Number of days") if _item.choices[0] == "0" else None)
    setattr(WeeklyForm, f"q{_item.number}", field)


class ReminderForm(FlaskForm):
    weekday = SelectField(_l("Remind me on"), choices=[SelectChoice("", _l("No reminder"))]
                          + [SelectChoice(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)], validate_choice=False)
    remind_at = StringField(_l("At"), default="18:00", render_kw={"type": "time"})


def answers_from(form: WeeklyForm) -> dict:
    """The form's answers as the API takes them (item 7 as the drugs joined by "+", or none)."""
    answers = {}
    for item in ITEMS:
        field = getattr(form, f"q{item.number}")
        if item.number == 7:
            answers["7"] = "+".join(field.data or []) or ""
        elif field.data not in (None, "", "None"):
            answers[str(item.number)] = field.data
    if answers.get("7") == "" and answers.get("6") == "0":
        answers["7"] = "none"
    return answers
