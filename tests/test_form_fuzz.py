"""Every HTML form, posted with generated values (Hypothesis): never a 500, and a refusal says which field.

The forms are found from the app, not listed by hand: every GET page of ``app.url_map`` whose ids can be filled
is opened as a participant, a counselor and an admin, and each ``<form method="post">`` on it is parsed for its
fields. Each form is then posted with generated values: empty, huge, NUL and other control characters, other
scripts, right-to-left text, emoji, values that are not among a select's options or not numbers or dates.

For every answer: no 5xx; a 4xx page shows an error (tied to a field, or the form's alert), and the plain text
typed into the other fields is still in the form. A form posted without its CSRF token, or with a token of a
session that has signed out, is refused (400 or back to sign in), never a 500.

Bounded for CI: a fixed seed and ``FORM_FUZZ_EXAMPLES`` examples per form (3 by default; more for a longer run,
e.g. ``FORM_FUZZ_EXAMPLES=50``).
"""

from __future__ import annotations

import html
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from companion.extensions import db
from companion.models import GoalSuggestion
from tests.conftest import Auth

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "3"))
# Forms whose only effect is the session itself (nothing typed): tried for CSRF only, not fuzzed, since a valid
# post signs the fuzzing client out or locks it.
SESSION_ONLY = {"/logout", "/settings/sign-out-everywhere", "/lock"}


@dataclass
class Form:
    action: str
    page: str
    fields: dict = field(default_factory=dict)  # name -> (kind, options)


class FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.page, self.forms, self.form, self.select = page, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.form = Form(action=a.get("action") or self.page, page=self.page)
            self.forms.append(self.form)
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                if kind == "submit":
                    self.form.fields.setdefault(name, ("submit", [a.get("value") or "y"]))
                return
            options = self.form.fields.get(name, (kind, []))[1]
            if kind in ("radio", "checkbox"):
                options.append(a.get("value") or "y")
            else:
                options = [a.get("value") or ""]
            self.form.fields[name] = (kind, options)
        elif tag == "button" and name and (a.get("type") or "submit") == "submit":
            self.form.fields.setdefault(name, ("submit", [a.get("value") or ""]))
        elif tag == "textarea" and name:
            self.form.fields[name] = ("textarea", [])
        elif tag == "select" and name:
            self.select = name
            self.form.fields[name] = ("select-multiple" if "multiple" in a else "select", [])
        elif tag == "option" and self.select:
            self.form.fields[self.select][1].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def forms_on(page: str, body: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(body)
    return parser.forms


ROLES = {"participant": "alex@example.org", "counselor": "lee@example.org", "admin": "sam@example.org"}


@pytest.fixture
def people(app, clinic, make_goal, make_consent, make_user):
    """Alex with a row of each kind (so the edit pages have forms), Lee with Alex's consent, Sam the admin."""
    from companion.blueprints.journal import services as journal
    from companion.blueprints.medication import services as medication

    lee = make_user(email="lee@example.org", name="Lee", role="counselor", program=clinic.program)
    goal = make_goal(clinic.alex, shared=True)
    consent = make_consent(clinic.alex, lee, scopes=("goals", "checkins", "journal", "attendance"))
    entry, _ = journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=5, note="note")
    skill = journal.create_custom_skill(clinic.alex, name="Breathing slowly", purpose="calm")
    pills = medication.create_medication(clinic.alex, name="Naltrexone", times=("08:00",),
                                         start_date=date.today() - timedelta(days=3))
    suggestion = GoalSuggestion(user_id=clinic.alex.id, counselor_id=lee.id, title="Walk daily")
    db.session.add(suggestion)
    db.session.commit()
    return {"goal_id": goal.id, "step_id": goal.steps[0].id, "entry_id": entry.id, "slug": skill.slug,
            "kind": "trigger", "participant_id": clinic.alex.id, "consent_id": consent.id,
            "suggestion_id": suggestion.id, "medication_id": pills.id, "user_id": clinic.alex.id}


def pages(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/static/", "/api/", "/reset/")) \
                or rule.rule.endswith((".ics", ".json", ".csv", ".js", ".webmanifest", ".xlsx", ".pdf")):
            continue
        params = re.findall(r"<(?:[^:>]+:)?(\w+)>", rule.rule)
        if all(p in ids for p in params):
            yield re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def signed_in(app, email):
    client = app.test_client()
    if email:
        Auth(client).login(email)
    return client


def discover(app, ids, email) -> list[Form]:
    """The post forms of every page this person can open, one per action and set of fields."""
    client = signed_in(app, email)
    found = {}
    for url in pages(app, ids):
        response = client.get(url)
        # /offline is the service worker's shell, whose forms get their token from the page they replace.
        if url == "/offline" or response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        for form in forms_on(url, response.get_data(as_text=True)):
            key = (form.action, tuple(sorted(form.fields)))
            found.setdefault(key, form)
    return list(found.values())


# Text a person might type, and text nobody should have to handle: the strategies Hypothesis draws from.
SPECIAL = ["", " ", "\x00", "a\x00b", "\x01\x07\x1b[31m", "\r\n\t", "\u202eevil\u202c", "שלום עולם", "مرحبا",
           "日本語のテキスト", "Ελληνικά", "🙂🔥👩‍👩‍👧", "\ufeff", "\ud7ff", "'; DROP TABLE goal; --",
           "<script>alert(1)</script>", "-1", "0", "99999999999999999999", "1e309", "NaN", "2026-02-30",
           "25:61", "null", "[]", "{}", "x" * 5000, "é" * 70_000]
TYPED = st.text(alphabet=st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=30).map(str.strip)
TEXT = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=300), TYPED)


def value_for(data, kind, options):
    if kind in ("hidden",) and options and options[0]:
        return data.draw(st.one_of(st.just(options[0]), TEXT), label="hidden")
    if kind in ("radio", "select"):
        return data.draw(st.one_of(st.sampled_from(options or [""]), TEXT))
    if kind in ("checkbox", "select-multiple"):
        chosen = data.draw(st.lists(st.one_of(st.sampled_from(options or ["y"]), TEXT), max_size=3))
        return chosen
    if kind == "submit":
        return options[0]
    return data.draw(TEXT)


def plain(value) -> bool:
    """Text that must come back exactly as typed: letters, digits and spaces, already trimmed, short."""
    return isinstance(value, str) and value == value.strip() and 0 < len(value) <= 30 and \
        all(c.isalnum() or c == " " for c in value)


def rule_of(app, url):
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(url, method="POST", return_rule=True)[0].rule
    except Exception:  # noqa: BLE001 - a form that posts nowhere: shown in the failure
        return None


def token_of(client, form) -> str | None:
    """A fresh CSRF token of this client's session, from the same form on its page now."""
    page = client.get(form.page)
    if page.status_code != 200:
        return None
    for found in forms_on(form.page, page.get_data(as_text=True)):
        if found.action == form.action:
            for name, (_, options) in found.fields.items():
                if name.endswith("csrf_token") and options and options[0]:
                    return options[0]
    return None


def fuzz_form(app, client, form, problems):

    @seed(20261203)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        body = {}
        for name, (kind, options) in form.fields.items():
            if name == "csrf_token" or name.endswith("-csrf_token"):
                continue
            if kind != "submit" and data.draw(st.integers(0, 9), label=f"leave out {name}") == 0:
                # (the button pressed is always sent, as by a browser; pages with several forms tell them by it)
                continue  # a field missing altogether
            body[name] = value_for(data, kind, options)
        token = token_of(client, form)
        if token is None:
            return  # the form is gone (an earlier example deleted its row, or the page needs more now)
        body["csrf_token"] = token
        response = client.post(form.action, data=body)
        text = response.get_data(as_text=True)
        where = (form.action, response.status_code, {k: (v[:40] if isinstance(v, str) else v) for k, v in body.items()})
        if response.status_code >= 500:
            problems.append(("server error", *where))
            return
        if 400 <= response.status_code < 500 and "html" in (response.content_type or ""):
            nothing_typed = all(kind in ("submit", "hidden") or name.endswith("csrf_token")
                                for name, (kind, _) in form.fields.items())
            if nothing_typed and "<h1>" in text:
                return  # buttons only (a forged value): the error page says what was wrong
            if not re.search(r'id="[\w-]+-error"|role="alert"', text):
                problems.append(("refused without saying which field", *where))
                return
            for name, value in body.items():
                kind = form.fields.get(name, ("", []))[0]
                if kind in ("text", "textarea", "search", "email", "tel", "url") and plain(value) \
                        and html.escape(value, quote=True) not in text and value not in text:
                    problems.append((f"what was typed in {name} is gone", *where))

    run()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_takes_generated_values_without_a_500(app, people, role):
    forms = discover(app, people, ROLES[role])
    assert forms, "no forms found"
    problems = []
    client = signed_in(app, ROLES[role])
    for form in forms:
        if not any(name.endswith("csrf_token") for name in form.fields):
            problems.append(("a form without a CSRF token", form.page, form.action))
            continue
        if form.action in SESSION_ONLY or rule_of(app, form.action) is None:
            continue
        fuzz_form(app, client, form, problems)
        # A fuzzed form may have locked the app or changed the password: start again signed in.
        client = signed_in(app, ROLES[role])
    assert not problems, "\n".join(map(str, problems[:40]))


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_refuses_a_missing_or_replayed_csrf_token(app, people, role):
    forms = discover(app, people, ROLES[role])
    problems = []
    for form in forms:
        client = signed_in(app, ROLES[role])
        token = token_of(client, form)
        if token is None:
            continue
        body = {name: (options[0] if options else "x") for name, (kind, options) in form.fields.items()
                if not name.endswith("csrf_token")}
        missing = client.post(form.action, data=body)
        if missing.status_code not in (400, 403):
            problems.append(("no CSRF token", form.action, missing.status_code))
        Auth(client).logout()
        replayed = client.post(form.action, data={**body, "csrf_token": token})
        ok = replayed.status_code in (400, 403) or (replayed.status_code in (302, 303) and "/login" in replayed.location)
        if not ok:
            problems.append(("a token replayed after sign-out", form.action, replayed.status_code))
    assert not problems, "\n".join(map(str, problems))
