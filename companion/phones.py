"""The crisis lines, in one place: each line's number and how it is reached, in each language.

A line that takes calls gets a ``tel:`` link and a line that takes texts an ``sms:`` link with the keyword in
its body (Crisis Text Line takes texts only: a ``tel:`` link to it rings nowhere). Pages, the downloaded
copies, the offline page and the API's safety plan all draw their links from here, so a number or a keyword
is written once. The routes follow PRODUCT.md and the Spanish glossary (companion/translations/GLOSSARY.md):
in Spanish, 988 is "call and press 2" and "text AYUDA", and Crisis Text Line's keyword is AYUDA.

A phone number that a person wrote in their own plan (step 5 starts with these lines) is recognised by its
digits, so a plan saved before this module still offers to text Crisis Text Line rather than call it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import force_locale, gettext, lazy_gettext as _l

CALL = "call"
TEXT = "text"


@dataclass(frozen=True)
class Route:
    """One way to reach a line: a call or a text, its link and the words on its button."""

    kind: str  # CALL or TEXT
    href: str
    label: str


@dataclass(frozen=True)
class Line:
    """A crisis line: who answers, its number as people read it, and its routes per language."""

    slug: str
    name: str
    number: str  # as shown, and as saved in a safety plan
    summary: str
    plan_name: str  # how a safety plan's step 5 names it
    routes: tuple  # of (kind, href by language, label); a label is a lazy string with the number in it
    digits: tuple = ()  # other ways its number is written (with a country code, say)

    def routes_in(self, language: str) -> list[Route]:
        """How to reach this line in ``language`` (English when the language has no route of its own)."""
        return [Route(kind, hrefs.get(language, hrefs["en"]), str(label)) for kind, hrefs, label in self.routes]


def _both(href: str) -> dict:
    return {"en": href, "es": href}


# Order: the emergency first, then the lines for any crisis, then the helpline.
LINES = (
    Line("emergency", _l("Emergency services"), "911",
         _l("If you or someone else is in danger, or may have overdosed, call 911."),
         _l("Emergency services"),
         ((CALL, _both("tel:911"), _l("Call 911")),)),
    Line("lifeline", _l("988 Suicide & Crisis Lifeline"), "988",
         _l("For any kind of emotional distress, thoughts of suicide, or a substance use crisis. Call or text 988."),
         _l("988 Suicide & Crisis Lifeline (call or text)"),
         ((CALL, _both("tel:988"), _l("Call 988")),
          (TEXT, {"en": "sms:988", "es": "sms:988?&body=AYUDA"}, _l("Text 988")))),
    Line("samhsa", _l("SAMHSA's National Helpline"), "1-800-662-4357",
         _l("Free, confidential treatment referral and information about substance use and mental health, "
            "in English and Spanish."),
         _l("SAMHSA's National Helpline (free, 24/7, English and Spanish)"),
         ((CALL, _both("tel:+18006624357"), _l("Call 1-800-662-4357")),
          (CALL, _both("tel:+18004874889"), _l("TTY 1-800-487-4889"))),
         digits=("18006624357", "8006624357")),
    Line("crisis-text-line", _l("Crisis Text Line"), "741741",
         _l("Text HOME to 741741 to reach a trained crisis counselor. It takes texts only."),
         _l("Crisis Text Line: text HOME to 741741"),
         ((TEXT, {"en": "sms:741741?&body=HOME", "es": "sms:741741?&body=AYUDA"}, _l("Text HOME to 741741")),)),
)

BY_SLUG = {line.slug: line for line in LINES}
_NOT_DIGITS = re.compile(r"[^\d]")
BY_DIGITS = {}
for _line in LINES:
    for _digits in (_NOT_DIGITS.sub("", _line.number), *_line.digits):
        BY_DIGITS[_digits] = _line


def line_for(phone: str | None) -> Line | None:
    """The crisis line a written phone number is, or None for anyone else's number."""
    if not phone:
        return None
    return BY_DIGITS.get(_NOT_DIGITS.sub("", phone))


def call_href(phone: str) -> str:
    """A ``tel:`` link for a person's own number as written, without its spaces (RFC 3966 keeps - . ( ))."""
    return "tel:" + re.sub(r"\s", "", phone)


def routes_for(phone: str | None, language: str) -> list[Route]:
    """How to reach the number a person wrote: a crisis line's own routes, or one call."""
    line = line_for(phone)
    if line is not None:
        return line.routes_in(language)
    if not phone:
        return []
    return [Route(CALL, call_href(phone), gettext("Call %(phone)s", phone=phone))]


def plan_lines() -> list[dict]:
    """The crisis lines as a safety plan's step 5 starts: ``{name, phone}`` in the shown language."""
    order = ("lifeline", "samhsa", "crisis-text-line", "emergency")
    if not has_request_context():  # a command or a job: no reader, so the default language
        with force_locale("en"):
            return [{"name": str(BY_SLUG[slug].plan_name), "phone": BY_SLUG[slug].number} for slug in order]
    return [{"name": str(BY_SLUG[slug].plan_name), "phone": BY_SLUG[slug].number} for slug in order]


def init_app(app) -> None:
    """Give templates the crisis lines and the routes to a written number, in the page's language."""
    from companion.i18n import current_language

    app.jinja_env.globals.update(
        crisis_lines=lambda: [(line, line.routes_in(current_language())) for line in LINES],
        crisis_line=lambda slug: (BY_SLUG[slug], BY_SLUG[slug].routes_in(current_language())),
        phone_routes=lambda phone: routes_for(phone, current_language()),
    )
