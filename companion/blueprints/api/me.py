"""The signed-in person's own account."""

from flask_login import current_user

from companion.blueprints.api.schemas import ProfileIn, UserOut
from companion.blueprints.api.sign_in import user_body
from companion.blueprints.api.spec import endpoint
from companion.blueprints.auth import services


@endpoint("/me", "GET", summary="My account", tag="account", response=UserOut)
def me():
    """The signed-in person's account."""
    return user_body(current_user)


@endpoint("/me", "PATCH", summary="Change my name, time zone or language", tag="account", body=ProfileIn, response=UserOut)
def update_me(body: ProfileIn):
    """Change the name, time zone or language; fields left out stay as they are."""
    services.update_profile(current_user, name=body.name if body.name is not None else current_user.name,
                            timezone=body.timezone if body.timezone is not None else current_user.timezone,
                            language=body.language)
    return user_body(current_user)
