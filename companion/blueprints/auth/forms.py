"""Account forms."""

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from companion import limits
from companion.forms import at_most
from companion.i18n import LANGUAGES
from companion.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from companion.timezones import zone_choices

EMAIL_CHECKS = [
    DataRequired(_l("Enter your e-mail address.")),
    Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
    Email(_l("Enter an e-mail address like name@example.com."), check_deliverability=False),
]


NEW_PASSWORD_LENGTH = [
    Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(MIN_PASSWORD_LENGTH)s characters. A few words strung together work well.", MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH)),
    Length(max=MAX_PASSWORD_LENGTH, message=_l("Use at most %(MAX_PASSWORD_LENGTH)s characters.", MAX_PASSWORD_LENGTH=MAX_PASSWORD_LENGTH)),
]


def timezone_field(label: str | None = None) -> SelectField:
    return SelectField(label or _l("Your time zone"), choices=zone_choices(), validate_choice=True,
                       validators=[DataRequired(_l("Choose your time zone."))],
                       description=_l("Reminders and your day's entries use this time zone."))


def language_field() -> SelectField:
    return SelectField(_l("Language / Idioma"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()], validate_choice=True,
                       validators=[DataRequired(_l("Choose a language."))],
                       description=_l("Companion, its e-mails and reminders are shown in this language."))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254, message=_l("An e-mail address has at most 254 characters."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1024, message=_l("That password is too long."))])
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Your first name or a nickname"), validators=[DataRequired(_l("Enter a name we can greet you by.")), at_most(limits.USER_NAME)],
                       description=_l("Only you and the counselors you choose will see it."))
    email = EmailField(_l("E-mail"), validators=EMAIL_CHECKS, description=_l("Used to sign in and to reset your password."))
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password.")), *NEW_PASSWORD_LENGTH],
                             description=_l("At least %(MIN_PASSWORD_LENGTH)s characters. A few unrelated words work well.", MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH))
    timezone = timezone_field()
    language = language_field()
    invite_code = StringField(_l("Invite code from your program (optional)"), validators=[Optional(), Length(max=32, message=_l("An invite code has at most 32 characters."))],
                              description=_l("Leave empty to use Companion on your own."))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=EMAIL_CHECKS)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password.")), *NEW_PASSWORD_LENGTH],
                             description=_l("At least %(MIN_PASSWORD_LENGTH)s characters.", MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH))


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name we can greet you by.")), at_most(limits.USER_NAME)])
    timezone = timezone_field()
    language = language_field()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password.")), Length(max=1024, message=_l("That password is too long."))])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password.")), *NEW_PASSWORD_LENGTH],
                                 description=_l("At least %(MIN_PASSWORD_LENGTH)s characters.", MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH))
