"""Languages: which one a request is shown in, and the switch that remembers a signed-out choice.

The order (PRODUCT.md, Contract: languages): the signed-in person's own setting; signed out, a language
chosen with the page's switch (``?lang=es``, kept in a cookie); otherwise ``Accept-Language``, where any
``es`` tag means Spanish. Adding a language is a catalog under ``companion/translations/`` and its code in
``LANGUAGES``; nothing else.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime, format_time, get_day_names
from babel.numbers import format_decimal

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user

# Code -> the language's own name, as the switch shows it.
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def N_(text: str) -> str:
    """Text put in the catalog (``make translations`` extracts it) and kept as it is here: the place that shows it
    translates it with ``gettext``, while elsewhere (a header, a stored record) it stays in English."""
    return text


def accepted_language(header: str) -> str | None:
    """The first supported language ``Accept-Language`` asks for (by quality), or None."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def chosen_language() -> str | None:
    """A language picked on this request (``?lang=``), or None."""
    choice = request.args.get("lang", "")
    return choice if choice in LANGUAGES else None


def select_language() -> str:
    """The language this request is shown in (outside a request, a job's or a test's: the default)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated:
        language = getattr(current_user, "language", None)
        if language in LANGUAGES:
            return language
    choice = chosen_language() or request.cookies.get(LANGUAGE_COOKIE)
    if choice in LANGUAGES:
        return choice
    return accepted_language(request.headers.get("Accept-Language", "")) or DEFAULT_LANGUAGE


def select_timezone() -> str | None:
    """Dates and times are shown in the signed-in person's zone."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def remember_choice(response: Response) -> Response:
    """Keep a language chosen with the switch for the next signed-out visit; pages that vary say so."""
    choice = chosen_language()
    if choice and request.cookies.get(LANGUAGE_COOKIE) != choice:
        response.set_cookie(LANGUAGE_COOKIE, choice, max_age=LANGUAGE_COOKIE_MAX_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def locale_for_babel() -> str:
    """Flask-Babel's locale selector: this request's language, or the default outside a request."""
    return current_language() if has_request_context() else DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of this request, worked out once; outside a request (a worker, the CLI), the language
    Flask-Babel was told to use (``force_locale``), else the default."""
    if not has_request_context():
        locale = get_locale()
        return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE
    if "language" not in g:
        g.language = select_language()
    return g.language


def switch_url(language: str) -> str:
    """This page's address in ``language``, keeping the rest of its query (a ``next``, say)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [language]
    return f"{request.path}?{urlencode(args, doseq=True)}"


# The strftime patterns the pages write dates and times with (in English, as they are), and the CLDR pattern
# that says the same in another language, which its catalog gives (Spanish: "EEEE, d 'de' MMMM" writes
# "miércoles, 2 de diciembre"). A new pattern here is a new msgid to translate.
DATE_PATTERNS = {
    "%-d %B %Y": _l("d MMMM y"), "%-d %B": _l("d MMMM"), "%A %-d %B": _l("EEEE d MMMM"), "%-d %b": _l("d MMM"),
    "%-d %b %Y": _l("d MMM y"), "%a %-d %b": _l("EEE d MMM"), "%a": _l("EEE"), "%A": _l("EEEE"),
    "%B %Y": _l("MMMM y"), "%-I:%M %p": _l("h:mm a"), "%H:%M": _l("HH:mm"),
}
_TIME_AT_END = re.compile(r"(?P<sep> at |, | )?(?P<time>%-I:%M %p|%H:%M)$")


def when(value: date | datetime | time | None, pattern: str) -> str:
    """``value`` written as the strftime ``pattern`` writes it in English, in the page's language."""
    if value is None:
        return ""
    if current_language() == DEFAULT_LANGUAGE or "%Y-%m-%d" in pattern:
        return value.strftime(pattern)
    date_part, time_part, sep = pattern, None, ""
    match = _TIME_AT_END.search(pattern)
    if match:
        date_part, time_part, sep = pattern[:match.start()], match.group("time"), match.group("sep") or ""
    if date_part not in DATE_PATTERNS and date_part:
        return value.strftime(pattern)
    locale = get_locale()
    tzinfo = getattr(value, "tzinfo", None)
    parts = []
    for part in (date_part, time_part):
        if part:
            cldr = str(DATE_PATTERNS[part])
            if isinstance(value, datetime):
                parts.append(format_datetime(value, cldr, tzinfo=tzinfo, locale=locale))
            elif isinstance(value, time):
                parts.append(format_time(value, cldr, locale=locale))
            else:
                parts.append(format_date(value, cldr, locale=locale))
    if date_part and date_part.startswith(("%A", "%a")):
        parts[0] = parts[0][:1].upper() + parts[0][1:]  # a weekday opens the line
    if len(parts) == 2:
        return _("%(date)s at %(time)s", date=parts[0], time=parts[1]) if sep.strip() == "at" else sep.join(parts)
    return parts[0]


def one_decimal(value: float | None) -> str:
    """A number with one decimal, as the page's language writes it ("3.5", "3,5")."""
    return "" if value is None else format_decimal(value, "0.0", locale=get_locale())


def weekday_names(width: str = "wide") -> list[str]:
    """Monday to Sunday in the page's language ("lunes" or "lun" in Spanish)."""
    names = get_day_names(width, locale=get_locale())
    return [names[day] for day in range(7)]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel (which gives templates ``_`` and ``ngettext``) and give templates the language and its switch."""
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=locale_for_babel,
                   timezone_selector=select_timezone)
    app.after_request(remember_choice)
    app.add_template_filter(when)
    app.add_template_filter(one_decimal)
    app.add_template_global(weekday_names)
    app.context_processor(lambda: {"current_language": current_language(), "languages": LANGUAGES,
                                              "language_url": switch_url})
