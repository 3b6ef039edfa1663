"""The reminder settings form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

LEAD_CHOICES = [(2880, "2 days before"), (1440, "1 day before"), (180, "3 hours before"), (60, "1 hour before"),
                (30, "30 minutes before"), (15, "15 minutes before"), (0, "When it starts")]
CHANNEL_CHOICES = [("push", "A notification on this phone"), ("email", "E-mail"), ("inapp", "Inside Companion")]


class ReminderSettingsForm(FlaskForm):
    lead_minutes = SelectMultipleField("Remind me before each session", coerce=int, choices=[SelectChoice(v, l) for v, l in LEAD_CHOICES],
                                       validate_choice=True)
    channels = SelectMultipleField("How to remind me", choices=[SelectChoice(v, l) for v, l in CHANNEL_CHOICES], validate_choice=True)
    quiet_start = TimeField("Quiet from", validators=[Optional()])
    quiet_end = TimeField("Quiet until", validators=[Optional()])
    checkin_time = TimeField("Daily check-in nudge at", validators=[Optional()],
                             description="Leave empty for no nudge.")
    goal_steps = BooleanField("Remind me of goal steps on the day they are due")
    discreet = BooleanField("Discreet reminders",
                            description="Notifications and e-mails say only “Companion: you have a reminder”, and "
                                        "your calendar shows “Companion appointment”. The details stay inside the app.")
