"""Fixtures: the app on SQLite (and on PostgreSQL when TEST_DATABASE_URL is set), clients and factories."""

from __future__ import annotations

import os
import re

import jinja2
import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError

from companion import create_app
from companion.config import TestConfig, database_url
from companion.extensions import db
from companion.ratelimits import counters
from companion.models import InviteCode, Program, User
from companion.security import hash_password, use_hasher

# argon2id at its cheapest for the suite. The real parameters cost tens of milliseconds of CPU per sign-in
# on purpose (seconds on a busy machine), and the suite signs in over a thousand times; what production
# uses is pinned by test_passwords_are_hashed_with_argon2id_at_rfc_9106_parameters.
use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


# Every test builds a fresh app, and two things it builds again each time cost most of a test's set-up
# without being about anything a test checks: werkzeug compiles a URL builder for each of the ~300 rules
# (Python source through ``compile``), and Jinja compiles every template a test renders. Both are pure
# functions of their input, so the suite keeps them for the whole run: the builder by everything it is
# made from, the templates' bytecode by Jinja's own key (name and source checksum). Production is
# unchanged; this roughly halves a test's set-up.
_compile_builder = Rule._compile_builder
_builders: dict = {}


def _remembered_builder(self: Rule, append_unknown: bool = True):
    defaults = self.defaults or {}
    converters = tuple((name, type(converter).__name__, repr(sorted((k, repr(v)) for k, v in vars(converter).items()
                                                                     if k != "map")))
                       for name, converter in sorted(self._converters.items()) if name in defaults)
    key = (self.rule, tuple(self._trace), append_unknown, tuple(sorted((k, repr(v)) for k, v in defaults.items())),
           converters)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _remembered_builder


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole run, keyed as Jinja keys them (template name and source checksum)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedBytecode()

PASSWORD = "a long and unusual passphrase"
PASSWORD_HASH = hash_password(PASSWORD)

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def worker_database_url(url: str) -> str:
    """The PostgreSQL database of this pytest-xdist worker: ``test`` becomes ``test_gw0``, created when missing.

    Each worker empties its database's schema when it starts, so two workers must never share one.
    The worker's database commits without waiting for the disk (``synchronous_commit = off``): a commit
    is as visible and as atomic as before and only a crash of PostgreSQL itself could lose one, which no
    test is about; each commit then costs a fraction of a millisecond instead of several. Without xdist
    the URL is returned as it is.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")  # CREATE DATABASE cannot run in a transaction
    try:
        with engine.connect() as conn:
            name = conn.dialect.identifier_preparer.quote(own.database)
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}):
                try:
                    conn.execute(text(f"CREATE DATABASE {name}"))
                except ProgrammingError as error:
                    if getattr(error.orig, "sqlstate", None) != "42P04":  # created meanwhile by another run
                        raise
            conn.execute(text(f"ALTER DATABASE {name} SET synchronous_commit = off"))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=DATABASES)
def database_uri(request, tmp_path_factory) -> str:
    """The database URI of one test run: an SQLite file, or the PostgreSQL of TEST_DATABASE_URL (one per xdist worker)."""
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    else:
        uri = worker_database_url(database_url(os.environ["TEST_DATABASE_URL"]))
    app = create_app(TestConfig(uri))
    with app.app_context():
        if request.param == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        db.engine.dispose()
    return uri


class Client(FlaskClient):
    """A test client whose every request has an app context (and ``g`` and a db session) of its own, as in production.

    Without it, requests would share the context the test holds open, and with it ``g``'s caches.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_uri, tmp_path):
    """A fresh app over an empty database; every row is removed afterwards."""
    config = TestConfig(database_uri)
    app = create_app(config)
    app.test_client_class = Client
    app.jinja_env.bytecode_cache = TEMPLATES
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        yield app
    empty(app)


def empty(app) -> None:
    """Remove every row a test left, and forget the rate limits it counted."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()
    counters.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_program(app):
    """A factory of programs."""
    counter = iter(range(1, 10_000))

    def make(**fields) -> Program:
        n = next(counter)
        program = Program(slug=fields.pop("slug", f"program-{n}"), name=fields.pop("name", f"Program {n}"),
                          timezone=fields.pop("timezone", "America/New_York"), **fields)
        db.session.add(program)
        db.session.commit()
        return program

    return make


@pytest.fixture
def make_user(app):
    """A factory of accounts; every one has the password ``PASSWORD``."""
    counter = iter(range(1, 10_000))

    def make(**fields) -> User:
        n = next(counter)
        fields.setdefault("email", f"person{n}@example.org")
        fields.setdefault("name", f"Person {n}")
        fields.setdefault("role", "participant")
        fields.setdefault("timezone", "America/New_York")
        user = User(password_hash=PASSWORD_HASH, **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_invite(app):
    def make(program: Program, code: str = "JOIN-US-2026", **fields) -> InviteCode:
        invite = InviteCode(code=code, program=program, **fields)
        db.session.add(invite)
        db.session.commit()
        return invite

    return make


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Auth:
    """Signs a test client in and out through the real pages and API."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        token = csrf_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})

    def api_login(self, email: str, password: str = PASSWORD) -> str:
        """Sign in through the API and return the CSRF token for later calls."""
        response = self.client.post("/api/v1/session", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["csrf_token"]

    def logout(self):
        token = csrf_from(self.client.get("/settings").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def participant(make_user, make_program):
    return make_user(email="alex@example.org", name="Alex", program=make_program())


@pytest.fixture
def smtp_server(app):
    """A local SMTP server, with the app configured to send through it."""
    from tests.fixtures.smtp import SMTPServer

    server = SMTPServer().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


class QueryCounter:
    """Counts the SQL statements run while it is active."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``."""
    return lambda: QueryCounter(db.engine)


@pytest.fixture
def make_goal(app):
    """A factory of goals with steps: ``make_goal(user, steps=["a", "b"], done=1)``."""
    from companion.models import Goal, GoalStep

    def make(user, title="Go to every group this week", steps=("First step", "Second step"), done=0, **fields) -> Goal:
        goal = Goal(user_id=user.id, title=title, **fields)
        from datetime import UTC, datetime

        goal.steps = [GoalStep(user_id=user.id, title=t, position=i, done=i < done,
                               done_at=datetime.now(UTC) if i < done else None) for i, t in enumerate(steps)]
        db.session.add(goal)
        db.session.commit()
        return goal

    return make


@pytest.fixture
def make_consent(app):
    """A signed consent from a participant to a counselor."""
    from datetime import date, timedelta

    from companion.models import Consent

    def make(participant, counselor, scopes=("goals",), expires_on=None, **fields) -> Consent:
        consent = Consent(participant_id=participant.id, counselor_id=counselor.id, program_name="Program",
                          scopes=",".join(scopes), purpose=fields.pop("purpose", "Treatment"),
                          expires_on=expires_on or date.today() + timedelta(days=90),
                          signature=fields.pop("signature", participant.name), **fields)
        db.session.add(consent)
        db.session.commit()
        return consent

    return make


@pytest.fixture
def clinic(make_program, make_user):
    """A program with a counselor, an admin and two participants, and another program's counselor."""
    from types import SimpleNamespace

    program = make_program(slug="riverside", name="Riverside IOP")
    other_program = make_program(slug="elsewhere", name="Elsewhere IOP")
    return SimpleNamespace(
        program=program,
        counselor=make_user(email="jordan@example.org", name="Jordan", role="counselor", program=program),
        admin=make_user(email="sam@example.org", name="Sam", role="admin", program=program),
        alex=make_user(email="alex@example.org", name="Alex", program=program),
        maria=make_user(email="maria@example.org", name="Maria", program=program),
        stranger=make_user(email="kim@example.org", name="Kim", role="counselor", program=other_program),
    )
