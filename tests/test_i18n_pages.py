"""Every page in Spanish: ``<html lang="es">``, and no English sentence left (Contract: languages).

One seeded app (the demo program plus what the demo leaves out, as the browser walk seeds it) serves the
module. Every GET route of ``app.url_map`` that answers with a page is opened signed out and as a participant,
a counselor and an admin, in English and in Spanish. What a person reads on the Spanish page (text, and the
attributes a screen reader or a tooltip reads) is compared with the English page: a piece that is the same in
both and still holds an English word fails the test, unless it is the people's own data (anything stored in
the database: names, goal titles, notes, meeting names), an e-mail address, a web address or a code.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import JSON, String, Text, inspect, select

from companion import create_app
from companion.config import TestConfig
from companion.demo import DEMO_PEOPLE
from companion.extensions import db
from companion.models import User
from tests.conftest import csrf_from, empty
from tests.test_i18n_catalog import kept_in_english

SIGN_INS = {"participant": "alex@example.org", "counselor": "counselor@example.org", "admin": "admin@example.org"}
PASSWORDS = {email: password for email, _, _, password in DEMO_PEOPLE}

# Not pages a person reads in the browser: files, feeds, the API, the service worker and its data.
NOT_PAGES = re.compile(r"^/(api|static)/|\.(csv|json|ics|js|webmanifest|txt|xml)$")
# Which seeded id each route argument takes (a new argument name fails the walk until it is added here).
ARGUMENTS = {"goal_id": "goal", "step_id": "step", "entry_id": "entry", "meeting_id": "meeting",
             "group_id": "group", "key": "occurrence", "participant_id": "participant", "token": "reset_token",
             "slug": "skill", "saved_id": "saved", "consent_id": "consent", "suggestion_id": "suggestion",
             "user_id": "participant", "invite_id": "invite", "feed_id": "feed", "resource_id": "resource",
             "appointment_id": "appointment", "medication_id": "medication"}
# The same in both languages: names of services and formats, and words Spanish shares with English.
SAME_IN_BOTH = {"Companion", "SAMHSA", "PIN", "CSV", "JSON", "FHIR", "IOP", "UTC", "TTY", "HALT", "HOME", "AYUDA",
                "CFR", "No", "Error", "English", "Español", "Language", "Idioma", "Crisis", "Text", "Line", "Meeting",
                "Guide", "Step", "List", "RRULE", "RFC", "ISO", "YYYY", "MM", "DD", "am", "pm", "mi", "Total",
                "Lifeline", "Suicide", "Riverside", "Share", "Safari", "iPhone", "iPad", "Home", "Screen", "Add",
                "to", "plugin", "feed", "Zoom", "no", "TIPP", "STOP", "DEAR", "MAN", "SMART", "Recovery", "Refuge",
                "Dharma", "LGBTQ", "Arizona", "Phoenix", "Alaska", "Anchorage"}
# A validated instrument's own wording (the Brief Addiction Monitor), kept in English on purpose: see
# tests/test_i18n_catalog.py.
KEPT_IN_ENGLISH = kept_in_english()
IANA_ZONE = re.compile(r"[A-Z][A-Za-z_]*(?:/[A-Za-z_ +-]+)+")
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-announce", "aria-description")


class Visible(HTMLParser):
    """The pieces of a page a person reads: text between tags, and the attributes read out or shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skip = 0
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("script", "style", "template"):
            self.skip += 1
        for name in ATTRIBUTES:
            if attrs.get(name):
                self.pieces.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.pieces.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.pieces.append(data)


def visible(html: str) -> tuple[str | None, list[str]]:
    parser = Visible()
    parser.feed(html)
    return parser.lang, [" ".join(piece.split()) for piece in parser.pieces]


def stored_text() -> list[str]:
    """Every text value in the database, longest first: the people's own words and names, the demo's included."""
    values = set()
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        columns = [c for c in inspect(model).columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for value in strings(list(row)):
                values.update(part.strip() for part in re.split(r"[\n\r]+", value) if len(part.strip()) > 1)
    return sorted(values, key=len, reverse=True)


def strings(value) -> list[str]:
    """The text in a value, through JSON lists and objects."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in strings(item)]
    return []


def english_left(piece: str, data: list[str]) -> bool:
    """Whether a piece shown the same in English and Spanish still holds an English word of its own."""
    if piece in KEPT_IN_ENGLISH:
        return False
    if IANA_ZONE.fullmatch(piece):
        return False  # a time zone's own name (America/Los Angeles), a code
    for value in data:
        if value in piece:  # a whole stored value, not a code that happens to be inside a word ("ST" in "STOP")
            piece = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", piece)
    piece = re.sub(r"\S+@\S+|https?://\S+|\b[\w-]+(?:\.[\w-]+)+\b|\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b", " ", piece)
    words = [w for w in re.findall(r"[^\W\d_]{2,}", piece) if w.isascii() and w not in SAME_IN_BOTH]
    return bool(words)


@pytest.fixture(scope="module")
def walk(database_uri, tmp_path_factory):
    """The seeded app's pages, as ``{(role, path): {language: (status, html lang, pieces)}}``."""
    from tests.browser.test_every_page import seed_every_page

    app = create_app(TestConfig(database_uri))
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        ids = seed_every_page()
        ids.update(more_ids())
        data = stored_text()
    paths = page_paths(app, ids)
    pages: dict = {}
    for language in ("en", "es"):
        with app.app_context():
            db.session.execute(db.update(User).values(language=language))
            db.session.commit()
        for role in (None, *SIGN_INS):
            client = app.test_client()
            if role:
                email = SIGN_INS[role]
                token = csrf_from(client.get("/login").get_data(as_text=True))
                response = client.post("/login", data={"email": email, "password": PASSWORDS[email],
                                                       "csrf_token": token})
                assert response.status_code in (302, 303), (role, response.status_code)
            for path in paths:
                response = client.get(path, headers={"Accept-Language": language})
                if response.mimetype != "text/html" or 300 <= response.status_code < 400:
                    continue
                lang, pieces = visible(response.get_data(as_text=True))
                pages.setdefault((role, path), {})[language] = (response.status_code, lang, pieces)
    yield pages, data
    empty(app)


def more_ids() -> dict:
    """The ids of rows the browser walk's seed has but does not return, and a medication of Alex's."""
    from companion.blueprints.medication import services as medication_services
    from companion.models import Appointment, Consent, GoalSuggestion, InviteCode, MeetingFeed, ProgramResource, SavedMeeting
    first = lambda model: db.session.scalar(select(model.id).order_by(model.id))  # noqa: E731
    alex = db.session.scalar(select(User).where(User.email == SIGN_INS["participant"]))
    medication = medication_services.create_medication(alex, name="Buprenorphine", dose="8 mg", times=("08:00",))
    return {"saved": first(SavedMeeting), "consent": first(Consent), "suggestion": first(GoalSuggestion),
            "invite": first(InviteCode), "feed": first(MeetingFeed), "resource": first(ProgramResource),
            "appointment": first(Appointment), "medication": medication.id}


def page_paths(app, ids: dict) -> list[str]:
    """Every GET route that may be a page, with the seeded ids filled in (each choice of an ``any`` part)."""
    from itertools import product

    from flask import url_for
    from werkzeug.routing import AnyConverter

    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or NOT_PAGES.search(rule.rule):
            continue
        choices = {name: sorted(converter.items) for name, converter in rule._converters.items()
                   if isinstance(converter, AnyConverter)}
        missing = [name for name in rule.arguments if name not in ARGUMENTS and name not in choices]
        assert not missing, f"{rule.rule}: say in ARGUMENTS which seeded id {missing} takes"
        values = {name: ids[ARGUMENTS[name]] for name in rule.arguments if name not in choices}
        if "slug" in values and ("edit" in rule.rule or "delete" in rule.rule):
            values["slug"] = ids["custom_skill"]
        for picked in product(*choices.values()):
            with app.test_request_context():
                paths.append(url_for(rule.endpoint, **values, **dict(zip(choices, picked))))
    return sorted(set(paths))


def test_the_walk_reaches_the_pages(walk):
    pages, _data = walk
    shown = {key for key, by_language in pages.items() if by_language.get("es", (0,))[0] == 200}
    assert len(shown) > 60, sorted(shown)


def test_every_page_in_spanish_says_so(walk):
    pages, _data = walk
    wrong = [(role, path, by_language["es"][1]) for (role, path), by_language in pages.items()
             if "es" in by_language and by_language["es"][1] != "es"]
    assert not wrong, wrong


def test_no_english_sentence_is_left_on_a_spanish_page(walk):
    pages, data = walk
    left = []
    for (role, path), by_language in sorted(pages.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        if "es" not in by_language or "en" not in by_language:
            continue
        english = set(by_language["en"][2])
        for piece in by_language["es"][2]:
            if piece in english and english_left(piece, data):
                left.append(f"{role or 'signed out'} {path}: {piece[:120]}")
    assert not left, "English left on Spanish pages:\n" + "\n".join(dict.fromkeys(left))
