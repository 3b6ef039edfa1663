"""The account e-mails, each made in the person's language when it is sent (companion.mail sends them again until taken)."""

from __future__ import annotations

from flask_babel import force_locale, gettext as _

from companion.blueprints.auth import services
from companion.mail import account_mail
from companion.models import User
from companion.urls import absolute_url


@account_mail("existing_account")
def existing_account(user: User) -> tuple[str, str]:
    """Someone tried to register with the address of an account that exists."""
    with force_locale(user.language):
        return (_("Your Companion account"),
                _("Hello %(name)s,\n\nSomeone, maybe you, tried to create a Companion account with this e-mail "
                  "address. You already have one, so nothing was changed.\n\nTo sign in: %(login)s\n"
                  "If you forgot your password: %(reset)s\n\nIf it was not you, you can ignore this e-mail; "
                  "your account stays as it is.\n", name=user.name, login=absolute_url("auth.login"),
                  reset=absolute_url("auth.reset_request")))


@account_mail("password_reset")
def password_reset(user: User) -> tuple[str, str]:
    """A link to choose a new password, with a token made now (so a late try still carries an hour's link)."""
    link = absolute_url("auth.reset_password", token=services.make_reset_token(user))
    with force_locale(user.language):  # the account's language, not the page's
        return (_("Reset your Companion password"),
                _("Hello %(name)s,\n\nTo choose a new password, open this link within an hour:\n\n%(link)s\n\n"
                  "If you did not ask for this, you can ignore this e-mail; your password stays as it is.\n",
                  name=user.name, link=link))
