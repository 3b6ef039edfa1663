"""PIN lock forms."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class PinForm(FlaskForm):
    pin = PasswordField("A PIN of 4 to 8 digits", validators=[DataRequired("Choose a PIN of 4 to 8 digits.")],
                        description="You will type it when you open the installed app again.")
    confirm = PasswordField("The same PIN again", validators=[DataRequired("Type the PIN again.")])


class UnlockForm(FlaskForm):
    pin = PasswordField("Your PIN", validators=[DataRequired("Type your PIN."),
                                                Length(max=64, message="Your PIN has 4 to 8 digits.")])
    next = HiddenField()


class RemovePinForm(FlaskForm):
    pin = PasswordField("Your current PIN", validators=[DataRequired("Type your current PIN to turn the lock off."),
                                                        Length(max=64, message="Your PIN has 4 to 8 digits.")])
