"""Consent and deletion forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from companion import limits
from companion.forms import at_most
from companion.models.privacy import SCOPE_LABELS


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConsentForm(FlaskForm):
    counselor_id = SelectField(_l("Who may see it"), choices=[], validate_choice=True,
                               validators=[DataRequired(_l("Choose the counselor who may see your information."))])
    scopes = CheckboxesField(_l("What they may see"), choices=[SelectChoice(s.value, label) for s, label in SCOPE_LABELS.items()],
                             validators=[DataRequired(_l("Choose at least one kind of information to share."))])
    medication_names = BooleanField(_l("With medication: also show the names of my medications"),
                                    description=_l("Without this, they see only how many doses you took or missed."))
    purpose = TextAreaField(_l("Why (the purpose)"), default="To support my treatment in the program.",
                            validators=[DataRequired(_l("Say what the information is for.")), at_most(limits.CONSENT_PURPOSE)])
    expires_on = DateField(_l("This consent ends on"), validators=[DataRequired(_l("Choose the date this consent ends."))],
                           description=_l("It stops by itself on this date. You can revoke it sooner at any time."))
    signature = StringField(_l("Type your full name to sign"), validators=[DataRequired(_l("Type your full name to sign.")), at_most(limits.SIGNATURE)],
                            description=_l("Typing your name here is your electronic signature."))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password to confirm."))])
