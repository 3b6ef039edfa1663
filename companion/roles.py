"""Who may use a page or an API call, by role, and what everyone else is told: the one rule for 403 and 404.

The rule: a refusal is a **404** wherever the existence of a thing is itself private (anything named by an id
in the URL, a caseload, a program's people, a participant's own pages asked for by staff, the admin's pages),
so that the refusal says nothing of what is there. It is a **403** only for an action that names nothing and
whose existence everyone may know (a participant opening the staff's "new group" or "new appointment"):
there the honest answer hides nothing. ``forbidden=True`` marks those few.

One declaration serves both surfaces: ``@roles.required(...)`` on a page (it also sends anonymous visitors to
sign in) or on a blueprint's ``before_request``, and ``endpoint(..., roles=roles.required(...))`` in the API
(where an anonymous caller is a 401 before the role is looked at).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask_babel import gettext as _
from flask_login import current_user, login_required

from companion.errors import Forbidden, NotFound, wants_problem
from companion.models import Role

STAFF = (Role.COUNSELOR, Role.ADMIN)


@dataclass(frozen=True)
class Rule:
    """The roles a page or call is for; ``program``: and only for someone of a program."""

    roles: tuple[str, ...]
    program: bool = False
    forbidden: bool = False

    def allows(self, user) -> bool:
        """Whether ``user`` (signed in or not) may use what this rule guards."""
        return (user.is_authenticated and user.role in self.roles
                and (not self.program or user.program_id is not None))

    def enforce(self, user) -> None:
        """Raise the rule's refusal unless ``user`` is allowed."""
        if self.allows(user):
            return
        if self.forbidden:
            raise Forbidden(_("Only the program's counselors and admins can do this."))
        raise NotFound(_("Not found.") if wants_problem() else _("That page was not found."))

    def __call__(self, view):
        """Guard a page: sign-in first, then the role."""

        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            self.enforce(current_user)
            return view(*args, **kwargs)

        return wrapper


def required(*roles: str, program: bool = False, forbidden: bool = False) -> Rule:
    """Only people with one of ``roles`` (of a program, with ``program``); others: 404, or 403 with ``forbidden``."""
    return Rule(tuple(roles), program=program, forbidden=forbidden)
