"""The one place that loads personal data for a viewer.

Every query for a person's own rows goes through ``owned`` (a 404 for anyone else's id, never a hint
that it exists) or starts from ``mine``. Staff access under a participant's consent is added here too,
so that no view queries another person's rows by id directly.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select

from companion.errors import NotFound
from companion.extensions import db
from companion.models import User

T = TypeVar("T")


def mine(user: User, model: type[T]) -> Select:
    """A query for ``model``'s rows that belong to ``user`` (the model has a ``user_id`` column)."""
    return select(model).where(model.user_id == user.id)


def owned(user: User, model: type[T], object_id, *, options=(), what: str = "That") -> T:
    """The ``model`` row with this id when it belongs to ``user``; a 404 otherwise."""
    row = db.session.scalar(mine(user, model).where(model.id == object_id).options(*options))
    if row is None:
        raise NotFound(f"{what} was not found.")
    return row


def in_program(user: User, model: type[T], object_id, *, options=(), what: str = "That") -> T:
    """The ``model`` row (with a ``program_id``) with this id when ``user`` is staff of its program; a 404 otherwise."""
    row = None
    if user.is_staff and user.program_id is not None and isinstance(object_id, int):
        row = db.session.scalar(select(model).where(model.id == object_id, model.program_id == user.program_id)
                                .options(*options))
    if row is None:
        raise NotFound(f"{what} was not found.")
    return row
