"""Helpers shared by every form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Length

from companion.errors import DomainError

# "Use at most N characters." for each limit a form states so (each its own sentence in the catalogue).
AT_MOST = {40: _l("Use at most 40 characters."), 100: _l("Use at most 100 characters."),
           200: _l("Use at most 200 characters."), 500: _l("Use at most 500 characters."),
           2000: _l("Use at most 2,000 characters."), 5000: _l("Use at most 5,000 characters.")}


def at_most(limit: int) -> Length:
    """A field's length limit (from ``companion.limits``) with the sentence that states it."""
    return Length(max=limit, message=AT_MOST[limit])


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
