"""Companion: a recovery companion for Intensive Outpatient Programs."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from companion.config import Config, instance_ledger_key, instance_secret_key
from companion.security import TrustedHosts
from companion.jsonprovider import JSONProvider

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route matches only ids an INTEGER column can hold (below 2**31 on PostgreSQL): a
    longer number in a URL is a 404, like any other id that is not there, rather than an overflow."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: Config | None = None) -> Flask:
    """Build the Flask app from ``config`` (the environment's ``Config`` when none is given)."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter
    app.json = JSONProvider(app)
    app.config.from_object(config or Config())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if not app.config.get("LEDGER_KEY"):
        app.config["LEDGER_KEY"] = instance_ledger_key(app.instance_path)
        app.config["LEDGER_KEY_IN_INSTANCE"] = True  # `flask check` asks for one set with SECRET_KEY
    configure_push(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'companion.sqlite'}"
    if app.config.get("PROXY_FIX"):
        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(TrustedHosts(app), x_for=hops, x_proto=hops, x_host=hops)
    else:
        app.wsgi_app = TrustedHosts(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def configure_push(app: Flask) -> None:
    """The VAPID keys of web push: those configured, else those of the instance folder (made on first use)."""
    from companion.blueprints.reminders.vapid import instance_vapid_keys, public_key_from_private

    if not app.testing and not app.config.get("VAPID_PRIVATE_KEY"):
        try:
            app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_PUBLIC_KEY"] = instance_vapid_keys(app.instance_path)
        except (OSError, ValueError):
            app.logger.warning("No VAPID keys: web push is off (set VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY).")
    elif app.config.get("VAPID_PRIVATE_KEY") and not app.config.get("VAPID_PUBLIC_KEY"):
        app.config["VAPID_PUBLIC_KEY"] = public_key_from_private(app.config["VAPID_PRIVATE_KEY"])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL, a busy timeout and foreign keys on every SQLite connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


# A pooled connection unused for longer than this is tested before use (a restarted server, a dropped link).
PING_AFTER_IDLE_SECONDS = 5


def ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use when it sat idle, like ``pool_pre_ping`` but not on every checkout.

    ``pool_pre_ping`` costs a round trip per transaction; the reminder worker commits once per delivery.
    """
    dialect = engine.dialect  # not the engine: its listeners would hold it in a reference cycle

    @event.listens_for(engine, "checkin")
    def checked_in(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error:
            alive = False
        if not alive:
            raise DisconnectionError("a pooled connection was closed while idle")  # the pool connects afresh


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, sign-in, CSRF and rate limits to the app."""
    from companion import models  # noqa: F401  (every model registered before use)
    from companion.extensions import csrf, db, limiter, login_manager, migrate
    from companion.security import SessionInterface

    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in register_request_hooks and the API
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    app.session_interface = SessionInterface()


def register_blueprints(app: Flask) -> None:
    """Mount every capability's blueprint."""
    from companion.blueprints.api import bp as api_bp
    from companion.blueprints.admin import bp as admin_bp
    from companion.blueprints.auth import bp as auth_bp
    from companion.blueprints.counselor import bp as counselor_bp
    from companion.blueprints.goals import bp as goals_bp
    from companion.blueprints.journal import bp as journal_bp
    from companion.blueprints.main import bp as main_bp
    from companion.blueprints.medication import bp as medication_bp
    from companion.blueprints.privacy import bp as privacy_bp
    from companion.blueprints.pwa import bp as pwa_bp
    from companion.blueprints.support import bp as support_bp
    from companion.blueprints.reminders import bp as reminders_bp
    from companion.blueprints.sessions import bp as sessions_bp
    from companion.blueprints.weekly import bp as weekly_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(counselor_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(journal_bp)
    app.register_blueprint(medication_bp)
    app.register_blueprint(weekly_bp)
    app.register_blueprint(support_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(sessions_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(pwa_bp)


def register_errorhandlers(app: Flask) -> None:
    """Answer every error with a problem response under /api and a kind page elsewhere."""
    from companion.errors import register_error_handlers

    register_error_handlers(app)


def register_request_hooks(app: Flask) -> None:
    """The app-wide request hooks in their order (companion/hooks.py), and what every template may use."""
    from companion import hooks, templating

    hooks.register(app)
    templating.register(app)


def register_commands(app: Flask) -> None:
    """Add every ``flask --app companion`` command."""
    from companion import cli

    cli.register(app)
