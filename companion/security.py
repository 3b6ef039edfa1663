"""Password hashing and policy, security headers, and the session cookie."""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, request
from flask_babel import gettext as _
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

# argon2id with the library's defaults (RFC 9106's second recommended option).
DEFAULT_HASHER = PasswordHasher()
_hasher = DEFAULT_HASHER


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash, in constant time."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def verify_without_account(password: str) -> None:
    """Do the work of checking a password when the account does not exist.

    So a wrong e-mail takes as long as a wrong password and does not reveal who has an account.
    """
    verify_password(_dummy_hash, password)


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash and verify with other argon2 parameters from now on (the test suite's cheap ones; never in production)."""
    global _hasher, _dummy_hash
    _hasher = hasher
    _dummy_hash = hash_password("not-a-real-password-only-for-timing")


_dummy_hash = hash_password("not-a-real-password-only-for-timing")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (Django's, after Royce Williams' list of 20,000)."""
    data = files("companion").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode().splitlines() if line.strip())


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a new password, in plain words (empty when it is fine)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_("Use at least %(min_password_length)s characters. A few words strung together work well.", min_password_length=MIN_PASSWORD_LENGTH)]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [_("Use at most %(max_password_length)s characters.", max_password_length=MAX_PASSWORD_LENGTH)]
    lowered = password.lower()
    common = common_passwords()
    stem = re.sub(r"[\d\W_]+$", "", lowered)  # "password2024!" is still "password"
    repeated = re.fullmatch(r"(.+?)\1+", lowered)
    if lowered in common or stem in common or (repeated and (repeated.group(1) in common or len(repeated.group(1)) < 4)):
        return [_("That password is too common and easy to guess. Try a few unrelated words together.")]
    if len(set(lowered)) < 4:
        return [_("That password is too easy to guess. Try a few unrelated words together.")]
    local_part = email.split("@")[0].lower()
    if email and (lowered == email.lower() or (len(local_part) >= 4 and lowered.startswith(local_part) and len(lowered) - len(local_part) < 6)):
        return [_("Your password should not be your e-mail address.")]
    return []


CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def set_security_headers(response):
    """Headers every response carries; personal responses are never stored by a cache."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        # Every page and API answer may hold personal data: a shared phone must not keep a copy.
        headers["Cache-Control"] = "no-store"
    return response


class TrustedHosts:
    """Refuse, before the app sees it, a request naming a host that is not the site's (``TRUSTED_HOSTS``).

    Links are built from APP_URL anyway; this keeps a forged Host header from reaching any code at all.
    A plain 400, since no page of the app can be built for a host it does not serve.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ, start_response):
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if trusted is not None:
            try:
                get_host(environ, trusted_hosts=trusted)
            except SecurityError:
                body = b"This address is not served here.\n"
                start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                                   ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
                return [body]
        return self.wsgi_app(environ, start_response)


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
