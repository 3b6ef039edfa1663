"""Consent and deletion forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from companion.models.privacy import SCOPE_LABELS


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConsentForm(FlaskForm):
    counselor_id = SelectField("Who may see it", choices=[], validate_choice=True,
                               validators=[DataRequired("Choose the counselor who may see your information.")])
    scopes = CheckboxesField("What they may see", choices=[SelectChoice(s.value, label) for s, label in SCOPE_LABELS.items()],
                             validators=[DataRequired("Choose at least one kind of information to share.")])
    medication_names = BooleanField("With medication: also show the names of my medications",
                                    description="Without this, they see only how many doses you took or missed.")
    purpose = TextAreaField("Why (the purpose)", default="To support my treatment in the program.",
                            validators=[DataRequired("Say what the information is for."), Length(max=500, message="Use at most 500 characters.")])
    expires_on = DateField("This consent ends on", validators=[DataRequired("Choose the date this consent ends.")],
                           description="It stops by itself on this date. You can revoke it sooner at any time.")
    signature = StringField("Type your full name to sign", validators=[DataRequired("Type your full name to sign."), Length(max=200, message="Use at most 200 characters.")],
                            description="Typing your name here is your electronic signature.")


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password to confirm.")])
