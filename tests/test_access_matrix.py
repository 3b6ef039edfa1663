"""Every page and API call, tried by everyone who should not see it.

For each GET route, with the ids of Alex's things filled in: Alex may see it; another participant,
a counselor without consent, a counselor of another program, the admin and an anonymous visitor get a
404 (or, anonymous, a redirect to sign in or a 401) and never Alex's private words.
"""

from __future__ import annotations

import re
import uuid

import pytest

from companion.extensions import db
from companion.models import GoalSuggestion
from tests.conftest import Auth

SECRET = "ALEX-PRIVATE-9F2C"
# Public by design, and the same for everyone: nothing personal is in them.
OPEN_TO_ALL = {"/help", "/login", "/register", "/reset", "/api/v1/openapi.json", "/manifest.webmanifest", "/sw.js",
               "/offline"}
SKIP_PREFIXES = ("/static/", "/reset/")


@pytest.fixture
def world(app, clinic, make_goal, make_consent):
    goal = make_goal(clinic.alex, title=f"{SECRET} goal", steps=[f"{SECRET} step"], why=SECRET, shared=False)
    # Jordan may see check-ins, but not goals: a goals scope is missing and the goal is not shared.
    consent = make_consent(clinic.alex, clinic.counselor, scopes=("checkins",))
    suggestion = GoalSuggestion(user_id=clinic.alex.id, counselor_id=clinic.counselor.id, title="Counselor's idea")
    db.session.add(suggestion)
    db.session.commit()
    from companion.blueprints.journal import services as journal

    entry, _ = journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=7, note=f"{SECRET} note")
    skill = journal.create_custom_skill(clinic.alex, name="Secret skill", purpose=SECRET, steps=SECRET)
    ids = {"entry_id": entry.id, "slug": skill.slug, "kind": "trigger", "goal_id": goal.id, "step_id": goal.steps[0].id, "participant_id": clinic.alex.id,
           "consent_id": consent.id, "suggestion_id": suggestion.id, "user_id": clinic.alex.id}
    return ids


def get_routes(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_PREFIXES):
            continue
        params = re.findall(r"<(?:[^:>]+:)?(\w+)>", rule.rule)
        if any(p not in ids for p in params):
            continue
        yield re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


VIEWERS = ["maria@example.org", "jordan@example.org", "kim@example.org", "sam@example.org", None]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_nobody_else_sees_alexs_private_data_on_any_page_or_call(app, world, viewer):
    client = app.test_client()
    if viewer:
        Auth(client).login(viewer)
    tried = 0
    for url in get_routes(app, world):
        response = client.get(url)
        tried += 1
        body = response.get_data(as_text=True)
        assert SECRET not in body, (viewer, url, response.status_code)
        if url in OPEN_TO_ALL:
            continue
        if viewer is None:
            assert response.status_code in (302, 401), url
        elif viewer != "jordan@example.org" and re.search(r"/(\d+|[0-9a-f-]{36}|secret-skill)(/|$|\.)", url):
            assert response.status_code == 404, (viewer, url, response.status_code)
    assert tried > 20


def test_alex_sees_alexs_own_pages(app, world):
    client = app.test_client()
    Auth(client).login("alex@example.org")
    for url in get_routes(app, world):
        if url.startswith(("/caseload", "/admin", "/support/admin", "/sessions/groups", "/sessions/appointments",
                           "/api/v1/participants", "/api/v1/caseload")):
            continue
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
