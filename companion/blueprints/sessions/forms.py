"""Staff forms for groups, occurrences and appointments."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from companion import limits
from companion.forms import at_most
from companion.blueprints.sessions.services import MAX_DURATION, WEEKDAYS
from companion.timezones import zone_choices

DURATION = [InputRequired(_l("Give the length in minutes.")),
            NumberRange(min=5, max=MAX_DURATION, message=_l("Between 5 and %(MAX_DURATION)s minutes.", MAX_DURATION=MAX_DURATION))]


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), validators=[DataRequired(_l("Give the group a name.")), at_most(limits.GROUP_NAME)],
                       description=_l("Participants see it in their agenda. Their calendar shows only “Companion appointment” unless they choose otherwise."))
    days = SelectMultipleField(_l("Days of the week"), choices=[SelectChoice(v, l) for v, l in WEEKDAYS], validate_choice=True)
    rrule = StringField(_l("Or a repeat rule (RFC 5545 RRULE)"), validators=[Optional(), at_most(limits.REPEAT_RULE)],
                        description=_l("Leave empty to repeat weekly on the days above. For example FREQ=WEEKLY;INTERVAL=2;BYDAY=TU."))
    start_date = DateField(_l("First session"), validators=[InputRequired(_l("Choose the date of the first session."))])
    start_time = TimeField(_l("Starts at (local time)"), validators=[InputRequired(_l("Choose the time the session starts."))])
    timezone = SelectField(_l("Time zone"), choices=zone_choices(), validate_choice=False,
                           validators=[DataRequired(_l("Choose the time zone."))],
                           description=_l("The session stays at this local time when the clocks change."))
    duration_minutes = IntegerField(_l("Length in minutes"), validators=DURATION)
    location = StringField(_l("Place (optional)"), validators=[Optional(), at_most(limits.PLACE)])
    video_url = StringField(_l("Video link (optional)"), validators=[Optional(), at_most(limits.VIDEO_URL)],
                            description=_l("The full link, starting with https://."))


class ParticipantForm(FlaskForm):
    participant_id = SelectField(_l("Participant"), coerce=int, validate_choice=True,
                                 validators=[InputRequired(_l("Choose a participant."))])


class MoveForm(FlaskForm):
    date = DateField(_l("New date"), validators=[InputRequired(_l("Choose the new date."))])
    time = TimeField(_l("New start time (local)"), validators=[InputRequired(_l("Choose the new time."))])


class AppointmentForm(FlaskForm):
    participant_id = SelectField(_l("Participant"), coerce=int, validate_choice=True,
                                 validators=[InputRequired(_l("Choose a participant."))])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the appointment a title.")), at_most(limits.APPOINTMENT_TITLE)],
                        default=_l("Individual session"))
    date = DateField(_l("Date"), validators=[InputRequired(_l("Choose the date."))])
    time = TimeField(_l("Starts at (your program's local time)"), validators=[InputRequired(_l("Choose the time."))])
    duration_minutes = IntegerField(_l("Length in minutes"), validators=DURATION, default=50)
    location = StringField(_l("Place (optional)"), validators=[Optional(), at_most(limits.PLACE)])
