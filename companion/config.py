"""Configuration read from the environment, and the configuration the tests use."""

import os
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_flag(name: str, default: bool = False) -> bool:
    """Read a true/false setting from the environment."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def database_url(url: str) -> str:
    """Let a plain ``postgresql://`` URL work as written by naming the psycopg 3 driver."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def instance_file(instance_path: str, name: str, make: Callable[[], str]) -> str:
    """A secret kept in the instance folder, made by ``make`` on first use."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and linked into place, so that workers starting together agree on one value.
        draft = path.with_name(f"{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in the instance folder, created on first use."""
    return instance_file(instance_path, "secret_key", lambda: secrets.token_urlsafe(48))


def instance_ledger_key(instance_path: str) -> str:
    """The disclosure ledger's HMAC key kept in the instance folder, created on first use."""
    return instance_file(instance_path, "ledger_key", lambda: secrets.token_urlsafe(48))


def https_enabled() -> bool:
    """Whether the site is served over HTTPS, by any of the usual settings."""
    return (
        env_flag("HTTPS")
        or env_flag("SESSION_COOKIE_SECURE")
        or os.environ.get("PREFERRED_URL_SCHEME", "").lower() == "https"
    )


DEVELOPMENT_APP_URL = "http://127.0.0.1:5000"


def host_list(value: str) -> list[str]:
    """Host names from a comma- or space-separated setting, lower-cased."""
    return [h.strip().lower() for h in re.split(r"[,\s]+", value or "") if h.strip()]


def trusted_hosts(app_url: str | None, extra: str, https: bool) -> list[str] | None:
    """The hosts a request may name: APP_URL's and TRUSTED_HOSTS'; None (any) only in development."""
    from urllib.parse import urlsplit

    hosts = host_list(extra)
    if app_url and (host := urlsplit(app_url).hostname):
        hosts.insert(0, host.lower())
    if not hosts and not https:
        return None
    return hosts


class Config:
    """Settings from the environment; the defaults run a development server on SQLite."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or None
        # The key of the disclosure ledger's HMAC chain: outside the database, so that whoever can write
        # the ledger's table cannot also make its hashes agree. Generated into the instance folder when absent.
        self.LEDGER_KEY = os.environ.get("LEDGER_KEY") or None
        self.SQLALCHEMY_DATABASE_URI = (
            database_url(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
        )
        self.HTTPS = https_enabled()
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.PREFERRED_URL_SCHEME = "https" if self.HTTPS else "http"
        # Every absolute link (reset and reminder e-mails, the calendar feed, invitations) starts with it,
        # never with the Host header of the request that asked for it.
        self.APP_URL = os.environ.get("APP_URL", "").strip().rstrip("/") or None
        self.TRUSTED_HOSTS_SETTING = os.environ.get("TRUSTED_HOSTS", "")  # as written, for `flask check`
        self.TRUSTED_HOSTS = trusted_hosts(self.APP_URL, self.TRUSTED_HOSTS_SETTING, self.HTTPS)
        self.PROXY_FIX = int(os.environ.get("PROXY_FIX", "0") or 0)
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25") or 25)
        self.MAIL_USE_TLS = env_flag("MAIL_USE_TLS")
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Companion <no-reply@localhost>")
        self.VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
        self.VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY") or None
        self.VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT") or None
        self.PUSH_ALLOW_LOOPBACK = env_flag("PUSH_ALLOW_LOOPBACK")
        self.REMINDER_GRACE_MINUTES = int(os.environ.get("REMINDER_GRACE_MINUTES", "30") or 30)
        # After this long, a reminder claimed by a worker that died is taken back (dispatch.release_stale_claims).
        self.REMINDER_CLAIM_TIMEOUT_SECONDS = int(os.environ.get("REMINDER_CLAIM_TIMEOUT_SECONDS") or 300)
        self.MEETING_FEED_ALLOW_LOOPBACK = env_flag("MEETING_FEED_ALLOW_LOOPBACK")  # tests only
        # The sweep's limits (companion/blueprints/reminders/dispatch.py): at most this many claimed and not
        # recorded (what a killed worker may send again), sending threads, seconds a push or SMTP server may take.
        self.REMINDER_MAX_IN_FLIGHT = int(os.environ.get("REMINDER_MAX_IN_FLIGHT", "400") or 400)
        self.REMINDER_SEND_THREADS = int(os.environ.get("REMINDER_SEND_THREADS", "16") or 16)
        self.REMINDER_SEND_TIMEOUT_SECONDS = float(os.environ.get("REMINDER_SEND_TIMEOUT_SECONDS", "10") or 10)
        self.REMINDER_SWEEP_SECONDS = max(1, int(os.environ.get("REMINDER_SWEEP_SECONDS", "30") or 30))
        # Read by `flask check` only: what the deployment says of itself.
        self.FLASK_DEBUG = env_flag("FLASK_DEBUG")
        self.WEB_CONCURRENCY = os.environ.get("WEB_CONCURRENCY", "")
        self.GUNICORN_CMD_ARGS = os.environ.get("GUNICORN_CMD_ARGS", "")

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # connections are tested after idling: see companion.ping_when_idle
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "companion_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The cookie is rewritten only when the session changes (the idle clock moves at most once a
    # minute), so a static file's late response cannot overwrite a newer cookie with an older one.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    # With a PIN set, a session quiet for this long is locked until the PIN is typed, whatever the browser.
    PIN_LOCK_AFTER = timedelta(minutes=1)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    # No page or API body needs more; a larger one is refused with 413.
    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the session's own 12-hour limit bounds the token
    RATELIMIT_STRATEGY = "moving-window"
    # A Redis that does not answer costs a sign-in at most this long before the counters fall back to memory
    # (companion/ratelimits.py); redis-py would otherwise wait for ever on a link that drops packets.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    RATELIMIT_HEADERS_ENABLED = False
    PASSWORD_RESET_MAX_AGE = 60 * 60
    LOGIN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_FAILURES_PER_ADDRESS = "20 per minute"
    # Registrations and reset requests: each may send an e-mail, and each answer is the same whether or
    # not the address has an account, so these limits are all that stands between a prober and a list.
    ACCOUNT_MAIL_PER_EMAIL = "5 per hour"
    ACCOUNT_MAIL_PER_ADDRESS = "30 per hour"
    TESTING = False


class TestConfig(Config):
    """Settings for the test suite: a throwaway database, no real secrets."""

    __test__ = False  # not a pytest test class

    def __init__(self, database_uri: str = "sqlite://") -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key-that-is-long-enough-for-tests"
        self.LEDGER_KEY = "test-ledger-key-that-is-not-the-secret-key"
        self.SQLALCHEMY_DATABASE_URI = database_uri
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.MAIL_SERVER = None
        self.HTTPS = False
        self.SESSION_COOKIE_SECURE = False
        self.PREFERRED_URL_SCHEME = "http"
        self.APP_URL = "http://localhost"
        self.TRUSTED_HOSTS = None

    TESTING = True
    SERVER_NAME = None
