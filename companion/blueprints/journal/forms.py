"""Journal forms. Choices are checked by the services, so that the pages and the API say the same."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from companion import limits


TRIGGER_LABELS = {
    "people": _l("People"), "places": _l("Places"), "things": _l("Things"), "emotions": _l("Emotions"), "stress": _l("Stress"),
    "boredom": _l("Boredom"), "conflict": _l("Conflict"), "celebration": _l("Celebration"), "physical_pain": _l("Physical pain"),
    "substance_cue": _l("Seeing or smelling the substance"), "other": _l("Something else"),
}
HALT_LABELS = {"hungry": _l("Hungry"), "angry": _l("Angry"), "lonely": _l("Lonely"), "tired": _l("Tired")}
OUTCOME_LABELS = {"passed": _l("The urge passed"), "ongoing": _l("It's still going"), "used": _l("I used")}
KIND_LABELS = {"craving": _l("Craving"), "trigger": _l("Trigger"), "coping": _l("Coping skill")}
MOOD_LABELS = {1: _l("1 · very low"), 2: _l("2 · low"), 3: _l("3 · okay"), 4: _l("4 · good"), 5: _l("5 · great")}
EMOTIONS = ["anxious", "sad", "angry", "lonely", "bored", "stressed", "ashamed", "guilty", "restless", "numb",
            "tired", "happy", "excited", "hopeful", "calm"]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def optional_int(value):
    """An optional whole number from a form: empty is None."""
    if value in (None, ""):
        return None
    return int(value)


def options(pairs) -> list[SelectChoice]:
    """Choices for a field from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def scale(low: int, high: int) -> list[SelectChoice]:
    return options((n, str(n)) for n in range(low, high + 1))


class CravingForm(FlaskForm):
    client_id = HiddenField()
    intensity = RadioField(_l("How strong is the craving?"), choices=scale(0, 10), coerce=optional_int,
                           validate_choice=False, validators=[InputRequired(_l("Choose a number from 0 to 10."))],
                           invalid_value_message=_l("Choose a number from 0 to 10."),
                           description=_l("0 is barely there, 10 is the strongest you've felt."))


class EntryForm(FlaskForm):
    client_id = HiddenField()
    occurred_at = DateTimeLocalField(_l("When"), format=DATETIME_FORMAT, validators=[Optional()],
                                     description=_l("Leave as it is for now. You can log up to 7 days back."))
    intensity = RadioField(_l("How strong (0–10)"), choices=scale(0, 10), coerce=optional_int, validate_choice=False,
                           invalid_value_message=_l("Choose a number from 0 to 10."))
    triggers = SelectMultipleField(_l("What set it off?"), choices=options(TRIGGER_LABELS.items()), validate_choice=False)
    halt = SelectMultipleField(_l("HALT: were you…"), choices=options(HALT_LABELS.items()), validate_choice=False)
    emotion = StringField(_l("The feeling"), validators=[Length(max=limits.EMOTION, message=_l("Please keep this to 60 characters or fewer."))],
                          description=_l("One word is enough, like anxious, lonely or bored."),
                          render_kw={"list": "emotion-list"})
    skill = SelectField(_l("The skill you tried"), choices=[], validate_choice=False)
    # The whole library, folded under the one-tap chips (favourites, what helped): a choice here wins.
    skill_more = SelectField(_l("Another skill"), choices=[], validate_choice=False)
    helped = RadioField(_l("How much did it help? (1–5)"), choices=scale(1, 5), coerce=optional_int,
                        validate_choice=False, invalid_value_message=_l("Choose from 1 to 5."),
                        description=_l("1 is not at all, 5 is a lot."))
    outcome = RadioField(_l("How did it go?"), choices=options(OUTCOME_LABELS.items()), validate_choice=False)
    note = TextAreaField(_l("A note (optional)"), description=_l("Only you can see it unless you choose to share your journal."))


class CheckinForm(FlaskForm):
    client_id = HiddenField()
    day = DateField(_l("For the day"), validators=[InputRequired(_l("Choose the day."))])
    mood = RadioField(_l("Your mood"), choices=options(MOOD_LABELS.items()), coerce=optional_int, validate_choice=False,
                      validators=[InputRequired(_l("Choose your mood, from 1 to 5."))],
                      invalid_value_message=_l("Choose your mood, from 1 to 5."))
    craving = RadioField(_l("Cravings today (0–10)"), choices=scale(0, 10), coerce=optional_int, validate_choice=False,
                         validators=[InputRequired(_l("Choose from 0 to 10."))], invalid_value_message=_l("Choose from 0 to 10."))
    sleep_hours = FloatField(_l("Hours slept last night"), validators=[Optional(), NumberRange(0, 24, _l("Hours slept are between 0 and 24."))])
    used = RadioField(_l("Did you use today?"), choices=options([("no", _l("No")), ("yes", _l("Yes"))]), validate_choice=False,
                      validators=[InputRequired(_l("Answer yes or no. Either answer is okay to give."))],
                      description=_l("An honest answer helps you and your counselor; there is no wrong one."))
    note = TextAreaField(_l("A note (optional)"))


class StartDateForm(FlaskForm):
    started_on = DateField(_l("My start date"), validators=[InputRequired(_l("Choose a date."))],
                           description=_l("The first day of this stretch. Changing it is a correction, not a slip."))


class SlipForm(FlaskForm):
    at = DateTimeLocalField(_l("When"), format=DATETIME_FORMAT, validators=[InputRequired(_l("Choose the date and time."))])


class CustomSkillForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Give the skill a short name."))],
                       description=_l("For example: Walk the dog around the block."))
    purpose = StringField(_l("What it's for (optional)"))
    steps = TextAreaField(_l("Steps, one per line (optional)"))


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons."""
