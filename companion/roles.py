"""Pages and calls for one role only; anyone else gets a 404, as if they were not there."""

from __future__ import annotations

from flask_babel import gettext as _
from functools import wraps

from flask_login import current_user

from companion.errors import NotFound


def role_required(*roles: str):
    """Let only signed-in people with one of ``roles`` through (others: 404, never a hint)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                raise NotFound(_("That page was not found."))
            return view(*args, **kwargs)

        return wrapper

    return decorator
