"""Counselor forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from companion import limits
from companion.forms import at_most


class SuggestGoalForm(FlaskForm):
    title = StringField(_l("Suggest a goal"), validators=[DataRequired(_l("Give the goal a short title.")), at_most(limits.GOAL_TITLE)])
    why = TextAreaField(_l("Why it could help (optional)"), validators=[Optional(), at_most(limits.GOAL_WHY)])
    steps = TextAreaField(_l("First small steps (optional)"), validators=[Optional(), at_most(limits.SUGGESTED_STEPS)],
                          description=_l("One step per line."))
