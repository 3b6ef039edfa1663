"""Counselor forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class SuggestGoalForm(FlaskForm):
    title = StringField(_l("Suggest a goal"), validators=[DataRequired(_l("Give the goal a short title.")), Length(max=200, message=_l("Use at most 200 characters."))])
    why = TextAreaField(_l("Why it could help (optional)"), validators=[Optional(), Length(max=2000, message=_l("Use at most 2,000 characters."))])
    steps = TextAreaField(_l("First small steps (optional)"), validators=[Optional(), Length(max=5000, message=_l("Use at most 5,000 characters."))],
                          description=_l("One step per line."))
