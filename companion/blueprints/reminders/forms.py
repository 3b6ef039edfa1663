"""The reminder settings form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

LEAD_CHOICES = [(2880, _l("2 days before")), (1440, _l("1 day before")), (180, _l("3 hours before")), (60, _l("1 hour before")),
                (30, _l("30 minutes before")), (15, _l("15 minutes before")), (0, _l("When it starts"))]
CHANNEL_CHOICES = [("push", _l("A notification on this phone")), ("email", _l("E-mail")), ("inapp", _l("Inside Companion"))]


class ReminderSettingsForm(FlaskForm):
    lead_minutes = SelectMultipleField(_l("Remind me before each session"), coerce=int, choices=[SelectChoice(v, l) for v, l in LEAD_CHOICES],
                                       validate_choice=True)
    channels = SelectMultipleField(_l("How to remind me"), choices=[SelectChoice(v, l) for v, l in CHANNEL_CHOICES], validate_choice=True)
    quiet_start = TimeField(_l("Quiet from"), validators=[Optional()])
    quiet_end = TimeField(_l("Quiet until"), validators=[Optional()])
    checkin_time = TimeField(_l("Daily check-in nudge at"), validators=[Optional()],
                             description=_l("Leave empty for no nudge."))
    goal_steps = BooleanField(_l("Remind me of goal steps on the day they are due"))
    discreet = BooleanField(_l("Discreet reminders"),
                            description=_l("Notifications and e-mails say only “Companion: you have a reminder”, and "
                                        "your calendar shows “Companion appointment”. The details stay inside the app."))
