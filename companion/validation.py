"""Checks shared by the services of every capability."""

from __future__ import annotations

from companion.errors import Invalid


class Errors(dict):
    """Per-field messages gathered while checking input; ``raise_if_any`` ends the check."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self, detail: str = "Please check the highlighted fields.") -> None:
        if self:
            raise Invalid(detail, dict(self))


def clean_text(errors: Errors, field: str, value: str | None, *, max_length: int, required: bool = False,
               label: str = "This") -> str:
    """``value`` trimmed, or a message on ``field`` when it is missing, too long or holds a NUL character."""
    value = (value or "").strip()
    if "\x00" in value:
        errors.add(field, f"{label} contains a character we can't store. Please retype it.")
    elif required and not value:
        errors.add(field, f"{label} can't be empty.")
    elif len(value) > max_length:
        errors.add(field, f"{label} can be at most {max_length} characters (it has {len(value)}).")
    return value
