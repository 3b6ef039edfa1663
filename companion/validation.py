"""Checks shared by the services of every capability."""

from __future__ import annotations

from flask_babel import gettext as _

from companion.errors import Invalid


class Errors(dict):
    """Per-field messages gathered while checking input; ``raise_if_any`` ends the check."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self, detail: str | None = None) -> None:
        if self:
            raise Invalid(detail or _("Please check the highlighted fields."), dict(self))


def clean_text(errors: Errors, field: str, value: str | None, *, max_length: int, required: bool = False,
               label: str | None = None) -> str:
    """``value`` trimmed, or a message on ``field`` when it is missing, too long or holds a NUL character."""
    value = (value or "").strip()
    label = label or _("This")
    if "\x00" in value:
        errors.add(field, _("%(label)s contains a character we can't store. Please retype it.", label=label))
    elif required and not value:
        errors.add(field, _("%(label)s can't be empty.", label=label))
    elif len(value) > max_length:
        errors.add(field, _("%(label)s can be at most %(max)s characters (it has %(count)s).", label=label,
                            max=max_length, count=len(value)))
    return value
