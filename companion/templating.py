"""What every template may use: the app-wide filters, globals and context, registered in one place."""

from __future__ import annotations

from datetime import time

from flask import Flask, current_app
from flask_babel import gettext as _

from companion.i18n import DEFAULT_LANGUAGE, current_language, when
from companion.timezones import zone


def clock(value: str | None) -> str:
    """"19:00" as "7:00 pm"."""
    if not value:
        return ""
    hours, minutes = map(int, value.split(":"))
    if current_language() != DEFAULT_LANGUAGE:
        return when(time(hours, minutes), "%-I:%M %p")
    return f"{hours % 12 or 12}:{minutes:02d} {'am' if hours < 12 else 'pm'}"


def register(app: Flask) -> None:
    """Add the filters, globals and context processors every page's template may use."""
    from companion import phones
    from companion.blueprints.journal.services import milestone_label
    from companion.blueprints.privacy.ledger import REDISCLOSURE_NOTICE, ledger_what
    from companion.blueprints.support.library import meeting_days, type_name
    from companion.navigation import navigation
    from companion.script_text import script_text
    from companion.urls import template_url_for

    app.add_template_filter(clock, "clock")
    app.add_template_filter(meeting_days, "meeting_days")
    app.add_template_filter(zone, "tzinfo")  # a time zone's name as its ZoneInfo
    app.add_template_filter(type_name, "type_name")
    app.add_template_filter(milestone_label, "milestone")  # 24 hours, 6 months, 1 year: on Today as in the journal
    app.add_template_filter(ledger_what, "ledger_what")
    phones.init_app(app)
    app.jinja_env.globals["url_for"] = template_url_for
    app.context_processor(lambda: {"mail_configured": bool(current_app.config.get("MAIL_SERVER"))})
    # The notice in the reader's language, on every page that shows disclosed data.
    app.context_processor(lambda: {"redisclosure_notice": _(REDISCLOSURE_NOTICE)})
    app.context_processor(lambda: {"script_text": script_text})
    app.context_processor(lambda: {"navigation": navigation()})
