"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from companion.i18n import LANGUAGES
from companion.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from companion.timezones import zone_choices

EMAIL_CHECKS = [
    DataRequired("Enter your e-mail address."),
    Length(max=254, message="An e-mail address has at most 254 characters."),
    Email("Enter an e-mail address like name@example.com.", check_deliverability=False),
]


NEW_PASSWORD_LENGTH = [
    Length(min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters. A few words strung together work well."),
    Length(max=MAX_PASSWORD_LENGTH, message=f"Use at most {MAX_PASSWORD_LENGTH} characters."),
]


def timezone_field(label: str = "Your time zone") -> SelectField:
    return SelectField(label, choices=zone_choices(), validate_choice=True,
                       validators=[DataRequired("Choose your time zone.")],
                       description="Reminders and your day's entries use this time zone.")


def language_field() -> SelectField:
    return SelectField("Language / Idioma", choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()], validate_choice=True,
                       validators=[DataRequired("Choose a language.")],
                       description="Companion, its e-mails and reminders are shown in this language.")


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired("Enter your e-mail address."), Length(max=254, message="An e-mail address has at most 254 characters.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024, message="That password is too long.")])
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField("Your first name or a nickname", validators=[DataRequired("Enter a name we can greet you by."), Length(max=100, message="Use at most 100 characters.")],
                       description="Only you and the counselors you choose will see it.")
    email = EmailField("E-mail", validators=EMAIL_CHECKS, description="Used to sign in and to reset your password.")
    password = PasswordField("Password", validators=[DataRequired("Choose a password."), *NEW_PASSWORD_LENGTH],
                             description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.")
    timezone = timezone_field()
    language = language_field()
    invite_code = StringField("Invite code from your program (optional)", validators=[Optional(), Length(max=32, message="An invite code has at most 32 characters.")],
                              description="Leave empty to use Companion on your own.")


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail", validators=EMAIL_CHECKS)


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Choose a new password."), *NEW_PASSWORD_LENGTH],
                             description=f"At least {MIN_PASSWORD_LENGTH} characters.")


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name we can greet you by."), Length(max=100, message="Use at most 100 characters.")])
    timezone = timezone_field()
    language = language_field()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password."), Length(max=1024, message="That password is too long.")])
    new_password = PasswordField("New password", validators=[DataRequired("Choose a new password."), *NEW_PASSWORD_LENGTH],
                                 description=f"At least {MIN_PASSWORD_LENGTH} characters.")
