"""PIN lock forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class PinForm(FlaskForm):
    pin = PasswordField(_l("A PIN of 4 to 8 digits"), validators=[DataRequired(_l("Choose a PIN of 4 to 8 digits."))],
                        description=_l("You will type it when you open the installed app again."))
    confirm = PasswordField(_l("The same PIN again"), validators=[DataRequired(_l("Type the PIN again."))])


class UnlockForm(FlaskForm):
    pin = PasswordField(_l("Your PIN"), validators=[DataRequired(_l("Type your PIN.")),
                                                Length(max=64, message=_l("Your PIN has 4 to 8 digits."))])
    next = HiddenField()


class RemovePinForm(FlaskForm):
    pin = PasswordField(_l("Your current PIN"), validators=[DataRequired(_l("Type your current PIN to turn the lock off.")),
                                                        Length(max=64, message=_l("Your PIN has 4 to 8 digits."))])
