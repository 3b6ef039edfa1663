"""Staff forms for groups, occurrences and appointments."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from companion.blueprints.sessions.services import MAX_DURATION, WEEKDAYS
from companion.timezones import zone_choices

DURATION = [InputRequired("Give the length in minutes."),
            NumberRange(min=5, max=MAX_DURATION, message=f"Between 5 and {MAX_DURATION} minutes.")]


class GroupForm(FlaskForm):
    name = StringField("Name of the group", validators=[DataRequired("Give the group a name."), Length(max=200, message="Use at most 200 characters.")],
                       description="Participants see it in their agenda. Their calendar shows only “Companion appointment” unless they choose otherwise.")
    days = SelectMultipleField("Days of the week", choices=[SelectChoice(v, l) for v, l in WEEKDAYS], validate_choice=True)
    rrule = StringField("Or a repeat rule (RFC 5545 RRULE)", validators=[Optional(), Length(max=500, message="Use at most 500 characters.")],
                        description="Leave empty to repeat weekly on the days above. For example FREQ=WEEKLY;INTERVAL=2;BYDAY=TU.")
    start_date = DateField("First session", validators=[InputRequired("Choose the date of the first session.")])
    start_time = TimeField("Starts at (local time)", validators=[InputRequired("Choose the time the session starts.")])
    timezone = SelectField("Time zone", choices=zone_choices(), validate_choice=False,
                           validators=[DataRequired("Choose the time zone.")],
                           description="The session stays at this local time when the clocks change.")
    duration_minutes = IntegerField("Length in minutes", validators=DURATION)
    location = StringField("Place (optional)", validators=[Optional(), Length(max=200, message="Use at most 200 characters.")])
    video_url = StringField("Video link (optional)", validators=[Optional(), Length(max=500, message="Use at most 500 characters.")],
                            description="The full link, starting with https://.")


class ParticipantForm(FlaskForm):
    participant_id = SelectField("Participant", coerce=int, validate_choice=True,
                                 validators=[InputRequired("Choose a participant.")])


class MoveForm(FlaskForm):
    date = DateField("New date", validators=[InputRequired("Choose the new date.")])
    time = TimeField("New start time (local)", validators=[InputRequired("Choose the new time.")])


class AppointmentForm(FlaskForm):
    participant_id = SelectField("Participant", coerce=int, validate_choice=True,
                                 validators=[InputRequired("Choose a participant.")])
    title = StringField("Title", validators=[DataRequired("Give the appointment a title."), Length(max=200, message="Use at most 200 characters.")],
                        default="Individual session")
    date = DateField("Date", validators=[InputRequired("Choose the date.")])
    time = TimeField("Starts at (your program's local time)", validators=[InputRequired("Choose the time.")])
    duration_minutes = IntegerField("Length in minutes", validators=DURATION, default=50)
    location = StringField("Place (optional)", validators=[Optional(), Length(max=200, message="Use at most 200 characters.")])
