"""Goal and step forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from companion import limits
from companion.forms import at_most
from companion.models.goals import CATEGORY_LABELS

CATEGORY_CHOICES = [SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()]
BAD_DATE = _l("Enter a date like 2026-12-31, or leave it empty.")


class GoalForm(FlaskForm):
    title = StringField(_l("What is your goal?"), validators=[DataRequired(_l("Give your goal a short title.")), at_most(limits.GOAL_TITLE)])
    why = TextAreaField(_l("Why it matters to you (optional)"), validators=[Optional(), at_most(limits.GOAL_WHY)],
                        description=_l("On a hard day, this can remind you why you started."))
    category = SelectField(_l("Category"), choices=CATEGORY_CHOICES, validate_choice=True)
    target_date = DateField(_l("Target date (optional)"), validators=[Optional()], description=_l("When you'd like to get there."))
    shared = BooleanField(_l("Share this goal's progress with my counselor"),
                          description=_l("Your counselor sees it only while you have also given your consent. You can stop sharing at any time."))


class NewGoalForm(GoalForm):
    steps = TextAreaField(_l("First small steps (optional)"), validators=[Optional(), Length(max=10_000, message=_l("That is a lot of text. Try fewer steps."))],
                          description=_l("One step per line. Small and specific works best."))
    template = HiddenField()


class StepForm(FlaskForm):
    title = StringField(_l("Step"), validators=[DataRequired(_l("Write the step.")), at_most(limits.GOAL_TITLE)])
    due_date = DateField(_l("Due date (optional)"), validators=[Optional()])


class AddStepForm(StepForm):
    title = StringField(_l("Add a small step"), validators=[DataRequired(_l("Write the step.")), at_most(limits.GOAL_TITLE)])


def date_errors_friendly(form: FlaskForm) -> None:
    """Replace WTForms' wording for an unparseable date with plain words."""
    for field in form:
        if isinstance(field, DateField) and field.errors:
            field.errors = [BAD_DATE if "date" in e.lower() and "valid" in e.lower() else e for e in field.errors]
