"""Checks shared by the services of every capability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from companion.errors import Invalid
from companion.i18n import N_


class Errors(dict):
    """Per-field messages gathered while checking input; ``raise_if_any`` ends the check."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self, detail: str | None = None) -> None:
        if self:
            raise Invalid(detail or _("Please check the highlighted fields."), dict(self))


@dataclass(frozen=True)
class Wording:
    """How a feature words the text checks (msgids, translated when the check runs): each keeps the sentences its
    people, its tests and its Spanish catalogue know. Placeholders: ``label``, the limit as ``max``, ``limit`` or
    ``max_length``, the length as ``count`` (both written by ``number``)."""

    unstorable: str = N_("%(label)s contains a character we can't store. Please retype it.")
    empty: str = N_("%(label)s can't be empty.")
    too_long: str = N_("%(label)s can be at most %(max)s characters (it has %(count)s).")
    not_text: str = N_("%(label)s must be text.")
    number: Callable[[int], object] = int


STANDARD = Wording()


def clean_text(errors: dict, field: str, value: str | None, *, max_length: int, required: bool = False,
               label: str | None = None, wording: Wording = STANDARD) -> str:
    """``value`` trimmed, with a message on ``field`` in ``errors`` (at most one, checked in this order) when it is
    not text, holds a NUL character (no database keeps it whole), is missing though ``required``, or is too long."""
    label = label or _("This")
    if value is not None and not isinstance(value, str):
        errors.setdefault(field, []).append(_(wording.not_text, label=label))
        return ""
    value = (value or "").strip()
    limit, count = wording.number(max_length), wording.number(len(value))
    if "\x00" in value:
        errors.setdefault(field, []).append(_(wording.unstorable, label=label))
    elif required and not value:
        errors.setdefault(field, []).append(_(wording.empty, label=label))
    elif len(value) > max_length:
        errors.setdefault(field, []).append(_(wording.too_long, label=label, max=limit, limit=limit, max_length=limit,
                                              count=count))
    return value
