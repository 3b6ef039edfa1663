"""The API fuzzed from its own OpenAPI document, with Schemathesis.

Every operation of ``/api/v1/openapi.json`` is called with generated requests, valid and invalid, as a
participant, as a counselor the participant consented to, and as an admin, and every answer is checked
against the document with all of Schemathesis' checks: no server error, status codes, content types,
headers and bodies as documented, valid input accepted and invalid input refused. The stateful test then
follows the document's links (create, then read, change and delete what was created).

The suite runs a bounded number of examples per operation with a fixed seed under CI; ``make fuzz`` runs
many more with a fresh seed each time (its figures are in BENCHMARKS.md).
"""

from __future__ import annotations

import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth

from companion import create_app
from companion.config import TestConfig
from companion.extensions import db
from companion.models import GoalSuggestion
from tests.conftest import Auth

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "12"))
LOG = os.environ.get("FUZZ_LOG")  # a file to which each generated request's operation and status are added

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=CI,  # the same requests on every CI run; a fresh seed elsewhere, where finding new cases is the point
    database=None,  # no .hypothesis directory in the work tree
    suppress_health_check=list(HealthCheck),  # generation from a large schema is slow on a shared machine
    print_blob=True,
)


@pytest.fixture
def world(app, clinic, make_goal, make_consent):
    """Alex with a goal, a journal entry and a consent to Jordan for everything; Sam is the admin."""
    from companion.blueprints.journal import services as journal

    make_goal(clinic.alex, title="Walk every morning", steps=["Shoes by the door"], shared=True)
    make_consent(clinic.alex, clinic.counselor, scopes=("goals", "checkins", "journal", "attendance"))
    db.session.add(GoalSuggestion(user_id=clinic.alex.id, counselor_id=clinic.counselor.id, title="Call a friend"))
    db.session.commit()
    journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=4, note="Passed by the old bar")
    return clinic


ACTORS = {"participant": "alex@example.org", "counselor": "jordan@example.org", "admin": "sam@example.org"}


@pytest.fixture
def fresh_app(app):
    """The test's app, each request in an app context (and ``g``) of its own as in production, rather than
    in the one the test holds open (see ``tests.conftest.Client``)."""
    wsgi_app = app.wsgi_app

    def each_in_its_own_context(environ, start_response):
        # Schemathesis' WSGI transport asks for gzip but, unlike an HTTP client, does not undo it: the
        # bodies are checked as sent without compression (tests/test_compression.py tests compression).
        environ.pop("HTTP_ACCEPT_ENCODING", None)
        with app.app_context():
            return wsgi_app(environ, start_response)

    app.wsgi_app = each_in_its_own_context
    return app


@pytest.fixture(params=list(ACTORS))
def actor(request, app, world):
    """The session cookie of a signed-in person and the CSRF header their unsafe requests carry.

    They are given to Schemathesis per request (not kept in a client's cookie jar), so that its checks
    of authentication can leave them out and expect a 401."""
    client = app.test_client()
    token = Auth(client).api_login(ACTORS[request.param])
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    SignedIn.current = {"headers": {"X-CSRFToken": token}, "cookies": {cookie.key: cookie.value}}
    yield request.param
    SignedIn.current = None


# Valid requests must be accepted (positive_data_acceptance) unless the operation's answer depends on
# more than the document can say: these operations may also refuse a request that matches the schema
# with a 422, each for the reason given, and every other check still holds for them.
BEYOND_THE_SCHEMA = {
    "DELETE /api/v1/me": "the password must be the account's own",
    "POST /api/v1/consents": "the counselor must be one of the participant's program, and the expiry after today",
    "GET /api/v1/sessions": "`to` must be on or after `from`",
    "POST /api/v1/push-subscriptions": "the endpoint's host must resolve to a public address",
    "POST /api/v1/appointments": "the participant must be one of the counselor's program",
    "POST /api/v1/groups/{group_id}/members": "the participant must be one of the program's",
    "POST /api/v1/groups": "the RRULE must parse (RFC 5545 has no JSON Schema)",
    "POST /api/v1/saved-meetings": "the meeting must be one of the feed's",
    "POST /api/v1/goals": "a target date must be today or later, in the participant's time zone",
    "PATCH /api/v1/goals/{goal_id}": "a target date must be today or later, in the participant's time zone",
    "POST /api/v1/goals/{goal_id}/steps": "a position must be within the goal's steps",
    "PATCH /api/v1/steps/{step_id}": "a position must be within the goal's steps",
    "POST /api/v1/logs": "an entry is at most 7 days old and not in the future",
    "GET /api/v1/logs": "a cursor must be one the server gave (it is opaque)",
    "POST /api/v1/checkins": "a check-in is at most 30 days old and not in the future",
    "PUT /api/v1/reminder-settings": "quiet hours need both a start and an end, or neither",
    "GET /api/v1/meetings": "a cursor must be one the server gave (it is opaque)",
    "PUT /api/v1/goals/{goal_id}/order": "the ids must be exactly the goal's step ids",
    "POST /api/v1/medications": "an end date on or after the start; every_days with one time and no weekdays",
    "PATCH /api/v1/medications/{medication_id}": "an end date on or after the start; every_days with one time and no weekdays",
    "POST /api/v1/doses": "the time must be one the medication's schedule has, within 35 days back and 12 hours ahead",
    "GET /api/v1/doses": "`to` must be on or after `from`, at most 92 days apart",
    "POST /api/v1/weekly-checkins": "each answer must be one of its item's codes; the week a Monday of the last four weeks",
}
CONFIG = "\n".join(
    f'[[operations]]\ninclude-name = "{name}"\n'
    '[operations.checks.positive_data_acceptance]\n'
    'expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]\n'
    for name in BEYOND_THE_SCHEMA)

# The document is the same whatever the database: it is read once, from an app of its own, and every
# generated request is sent to the app (and database) of the test.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(TestConfig("sqlite://")),
                                        config=schemathesis.config.SchemathesisConfig.from_str(CONFIG))


@schema.auth(refresh_interval=None)
class SignedIn:
    """The signed-in actor's cookie and CSRF header, as the document's security schemes name them.

    Given as Schemathesis' authentication, so that its checks know them: they leave them out, or send
    wrong ones, and expect a 401 or 403."""

    current: dict | None = None

    def get(self, case, context):
        return self.current

    def set(self, case, data, context):
        if data:
            case.cookies = {**(case.cookies or {}), **data["cookies"]}
            case.headers = {**(case.headers or {}), **data["headers"]}


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_as_documented(case, fresh_app, actor):
    response = case.call_and_validate(app=fresh_app)
    if LOG:  # make fuzz counts what it sent
        with open(LOG, "a") as log:
            log.write(f"{case.method} {case.path} {response.status_code}\n")


def test_the_links_from_each_create_lead_to_what_was_created(fresh_app, actor):
    """The stateful phase: sequences of calls that follow the document's links (create a goal, then read,
    change or delete it; add a step, then tick or delete it; ...), every answer checked as above."""
    from hypothesis.stateful import run_state_machine_as_test

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"app": fresh_app}

    run_state_machine_as_test(Workflow, settings=settings(
        FUZZ_SETTINGS, max_examples=max(1, EXAMPLES // 4), stateful_step_count=STATEFUL_STEPS))
