"""Counselor forms."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class SuggestGoalForm(FlaskForm):
    title = StringField("Suggest a goal", validators=[DataRequired("Give the goal a short title."), Length(max=200, message="Use at most 200 characters.")])
    why = TextAreaField("Why it could help (optional)", validators=[Optional(), Length(max=2000, message="Use at most 2,000 characters.")])
    steps = TextAreaField("First small steps (optional)", validators=[Optional(), Length(max=5000, message="Use at most 5,000 characters.")],
                          description="One step per line.")
