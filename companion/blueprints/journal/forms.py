"""Journal forms. Choices are checked by the services, so that the pages and the API say the same."""

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


TRIGGER_LABELS = {
    "people": "People", "places": "Places", "things": "Things", "emotions": "Emotions", "stress": "Stress",
    "boredom": "Boredom", "conflict": "Conflict", "celebration": "Celebration", "physical_pain": "Physical pain",
    "substance_cue": "Seeing or smelling the substance", "other": "Something else",
}
HALT_LABELS = {"hungry": "Hungry", "angry": "Angry", "lonely": "Lonely", "tired": "Tired"}
OUTCOME_LABELS = {"passed": "The urge passed", "ongoing": "It's still going", "used": "I used"}
KIND_LABELS = {"craving": "Craving", "trigger": "Trigger", "coping": "Coping skill"}
MOOD_LABELS = {1: "1 · very low", 2: "2 · low", 3: "3 · okay", 4: "4 · good", 5: "5 · great"}
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
    intensity = RadioField("How strong is the craving?", choices=scale(0, 10), coerce=optional_int,
                           validate_choice=False, validators=[InputRequired("Choose a number from 0 to 10.")],
                           invalid_value_message="Choose a number from 0 to 10.",
                           description="0 is barely there, 10 is the strongest you've felt.")


class EntryForm(FlaskForm):
    client_id = HiddenField()
    occurred_at = DateTimeLocalField("When", format=DATETIME_FORMAT, validators=[Optional()],
                                     description="Leave as it is for now. You can log up to 7 days back.")
    intensity = RadioField("How strong (0–10)", choices=scale(0, 10), coerce=optional_int, validate_choice=False,
                           invalid_value_message="Choose a number from 0 to 10.")
    triggers = SelectMultipleField("What set it off?", choices=options(TRIGGER_LABELS.items()), validate_choice=False)
    halt = SelectMultipleField("HALT: were you…", choices=options(HALT_LABELS.items()), validate_choice=False)
    emotion = StringField("The feeling", validators=[Length(max=60, message="Please keep this to 60 characters or fewer.")],
                          description="One word is enough, like anxious, lonely or bored.",
                          render_kw={"list": "emotion-list"})
    skill = SelectField("The skill you tried", choices=[], validate_choice=False)
    # The whole library, folded under the one-tap chips (favourites, what helped): a choice here wins.
    skill_more = SelectField("Another skill", choices=[], validate_choice=False)
    helped = RadioField("How much did it help? (1–5)", choices=scale(1, 5), coerce=optional_int,
                        validate_choice=False, invalid_value_message="Choose from 1 to 5.",
                        description="1 is not at all, 5 is a lot.")
    outcome = RadioField("How did it go?", choices=options(OUTCOME_LABELS.items()), validate_choice=False)
    note = TextAreaField("A note (optional)", description="Only you can see it unless you choose to share your journal.")


class CheckinForm(FlaskForm):
    client_id = HiddenField()
    day = DateField("For the day", validators=[InputRequired("Choose the day.")])
    mood = RadioField("Your mood", choices=options(MOOD_LABELS.items()), coerce=optional_int, validate_choice=False,
                      validators=[InputRequired("Choose your mood, from 1 to 5.")],
                      invalid_value_message="Choose your mood, from 1 to 5.")
    craving = RadioField("Cravings today (0–10)", choices=scale(0, 10), coerce=optional_int, validate_choice=False,
                         validators=[InputRequired("Choose from 0 to 10.")], invalid_value_message="Choose from 0 to 10.")
    sleep_hours = FloatField("Hours slept last night", validators=[Optional(), NumberRange(0, 24, "Hours slept are between 0 and 24.")])
    used = RadioField("Did you use today?", choices=options([("no", "No"), ("yes", "Yes")]), validate_choice=False,
                      validators=[InputRequired("Answer yes or no. Either answer is okay to give.")],
                      description="An honest answer helps you and your counselor; there is no wrong one.")
    note = TextAreaField("A note (optional)")


class StartDateForm(FlaskForm):
    started_on = DateField("My start date", validators=[InputRequired("Choose a date.")],
                           description="The first day of this stretch. Changing it is a correction, not a slip.")


class SlipForm(FlaskForm):
    at = DateTimeLocalField("When", format=DATETIME_FORMAT, validators=[InputRequired("Choose the date and time.")])


class CustomSkillForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Give the skill a short name.")],
                       description="For example: Walk the dog around the block.")
    purpose = StringField("What it's for (optional)")
    steps = TextAreaField("Steps, one per line (optional)")


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons."""
