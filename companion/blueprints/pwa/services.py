"""The PIN lock, and what the service worker is told to keep."""

from __future__ import annotations

import hashlib
import re
from flask_babel import gettext as _, ngettext
from pathlib import Path

from limits import parse as parse_limit

from companion.blueprints.auth.services import revoke_sign_ins
from companion.errors import Invalid
from companion.extensions import db
from companion.ratelimits import counters
from companion.models import User
from companion.security import hash_password, verify_password

PIN_PATTERN = re.compile(r"\d{4,8}")
# Wrong PINs tolerated on a locked app before every session of the account ends.
PIN_ATTEMPTS = parse_limit("5 per 15 minutes")


def pin_problem(pin: str) -> str | None:
    """What is wrong with a new PIN, in plain words, or None."""
    if not PIN_PATTERN.fullmatch(pin):
        return _("Use 4 to 8 digits, numbers only.")
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in zip(digits, digits[1:])}
    if len(set(digits)) == 1 or steps in ({1}, {-1}):
        return _("That PIN is easy to guess (like 1111 or 1234). Try a less regular one.")
    return None


def set_pin(user: User, pin: str, confirm: str) -> None:
    """Turn the PIN lock on, or change the PIN."""
    if problem := pin_problem(pin):
        raise Invalid.field("pin", problem)
    if pin != confirm:
        raise Invalid.field("confirm", _("The two PINs are not the same. Please type them again."))
    user.pin_hash = hash_password(pin)
    db.session.commit()


class PinLockedOut(Exception):
    """Too many wrong PINs: the account's sessions have been ended."""


def check_pin(user: User, pin: str) -> None:
    """Accept the PIN, or count a wrong one; the fifth wrong one in 15 minutes ends every session."""
    key = ("pin", hashlib.sha256(str(user.id).encode()).hexdigest())
    if user.pin_hash and verify_password(user.pin_hash, pin):
        counters.clear(PIN_ATTEMPTS, *key)
        return
    counters.hit(PIN_ATTEMPTS, *key)
    if not counters.test(PIN_ATTEMPTS, *key):
        counters.clear(PIN_ATTEMPTS, *key)
        revoke_sign_ins(user)  # signed out on every device: the password is needed now
        db.session.commit()
        raise PinLockedOut()
    remaining = counters.get_window_stats(PIN_ATTEMPTS, *key).remaining
    raise Invalid.field("pin", ngettext("That PIN is not right. One more try, then you will need your password.",
                                               "That PIN is not right. %(num)s more tries, then you will need your password.",
                                               remaining))


def remove_pin(user: User, pin: str) -> None:
    """Turn the PIN lock off (the current PIN is needed)."""
    if not user.pin_hash:
        return
    if not verify_password(user.pin_hash, pin):
        raise Invalid.field("pin", _("That PIN is not right."))
    user.pin_hash = None
    db.session.commit()


def shell_version(paths: list[Path], extra: bytes = b"") -> str:
    """A short digest of the files the service worker keeps: a new one replaces the old cache."""
    digest = hashlib.sha256(extra)
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

