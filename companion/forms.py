"""Helpers shared by every form."""

from flask_wtf import FlaskForm

from companion.errors import DomainError


def apply_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a service's per-field errors on the form, and the rest above it."""
    placed = False
    for name, messages in (error.errors or {}).items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.detail)
