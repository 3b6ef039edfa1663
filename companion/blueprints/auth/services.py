"""Account operations shared by the pages, the API and the command line."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from flask_babel import gettext as _
from limits import parse as parse_limit
from sqlalchemy import delete, func, select

from companion.errors import Invalid, Throttled, Unauthorized
from companion.extensions import db
from companion.ratelimits import counters
from companion.models import InviteCode, Program, Role, SignIn, User
from companion.security import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
    verify_without_account,
)
from companion.i18n import DEFAULT_LANGUAGE, LANGUAGES
from companion.timezones import is_valid_zone

RESET_SALT = "companion.password-reset"


class AlreadyRegistered(Exception):
    """The address has an account: its owner is told by e-mail, and the visitor sees the usual answer."""

    def __init__(self, user: User) -> None:
        super().__init__(user.email)
        self.user = user


def normalize_email(email: str) -> str:
    """The form in which an address is stored and compared: trimmed and lower-cased."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """The account for an address, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def invite_for(code: str) -> InviteCode | None:
    """A usable invite code (not revoked, not expired, not used up), whatever its case."""
    invite = db.session.scalar(select(InviteCode).where(func.upper(InviteCode.code) == code.strip().upper()))
    if invite is None or invite.revoked_at is not None:
        return None
    if invite.expires_at is not None and invite.expires_at <= datetime.now(UTC):
        return None
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return None
    return invite


def register_user(*, email: str, password: str, name: str, timezone: str, invite_code: str = "",
                  language: str = DEFAULT_LANGUAGE) -> User:
    """Create a participant's account, joined to a program when an invite code is given."""
    errors: dict[str, list[str]] = {}
    email = normalize_email(email)
    name = name.strip()
    existing = user_by_email(email)
    if problems := password_problems(password, email=email, name=name):
        errors["password"] = problems
    if not is_valid_zone(timezone):
        errors["timezone"] = ["Choose your time zone from the list."]
    if language not in LANGUAGES:
        errors["language"] = ["Choose English or Spanish."]
    invite = None
    if invite_code.strip():
        invite = invite_for(invite_code)
        if invite is None:
            errors["invite_code"] = ["We do not recognise this invite code, or it is no longer valid. Check it with your program, or leave it empty for personal use."]
    if errors:
        raise Invalid(_("Please check the highlighted fields."), errors)
    password_hash = hash_password(password)  # the same work whether or not the address has an account
    if existing is not None:
        raise AlreadyRegistered(existing)
    user = User(email=email, name=name, timezone=timezone, language=language, password_hash=password_hash,
                role=invite.role if invite is not None else Role.PARTICIPANT.value)
    if invite is not None:
        user.program_id = invite.program_id
        invite.uses += 1
    db.session.add(user)
    db.session.commit()
    return user


def create_user(*, email: str, password: str, role: str, name: str | None = None,
                program_slug: str | None = None, timezone: str | None = None,
                check_password: bool = True) -> User:
    """Create an account of any role, creating its program when it does not exist yet."""
    email = normalize_email(email)
    if role not in {r.value for r in Role}:
        raise Invalid.field("role", _("The role must be participant, counselor or admin."))
    if user_by_email(email) is not None:
        raise Invalid.field("email", _("An account for %(email)s already exists.", email=email))
    if check_password and (problems := password_problems(password, email=email)):
        raise Invalid.field("password", problems[0])
    program = None
    if program_slug:
        program = db.session.scalar(select(Program).where(Program.slug == program_slug))
        if program is None:
            program = Program(slug=program_slug, name=program_slug.replace("-", " ").title())
            db.session.add(program)
    user = User(email=email, name=name or email.split("@")[0], role=role, program=program,
                timezone=timezone or (program.timezone if program else "UTC"),
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def _throttle_keys(email: str, address: str):
    config = current_app.config
    return [
        (parse_limit(config["LOGIN_FAILURES_PER_ACCOUNT"]), "login-account", hashlib.sha256(normalize_email(email).encode()).hexdigest()),
        (parse_limit(config["LOGIN_FAILURES_PER_ADDRESS"]), "login-address", address or "unknown"),
    ]


def reserve(keys, message) -> None:
    """Take one attempt from every limit at once, before the attempt is checked, or raise Throttled.

    Testing the limit and counting a failure afterwards let requests sent together all pass the test
    before any was counted; taking the attempt first (one atomic step in the storage) closes that gap.
    """
    taken = []
    for limit, *identifiers in keys:
        if not counters.hit(limit, *identifiers):
            for done_limit, *done_identifiers in taken:
                counters.refund(done_limit, *done_identifiers)
            reset_at = counters.get_window_stats(limit, *identifiers).reset_time
            retry = max(1, int(reset_at - datetime.now(UTC).timestamp()))
            raise Throttled(message(_minutes(retry)), headers={"Retry-After": str(retry)})
        taken.append((limit, *identifiers))


def authenticate(email: str, password: str, address: str) -> User:
    """The account for these credentials; failures count towards the sign-in throttle."""
    keys = _throttle_keys(email, address)
    reserve(keys, lambda wait: _("There have been too many sign-in attempts. To keep your account safe, please wait "
                                 "%(wait)s and try again, or reset your password.", wait=wait))
    user = user_by_email(email) if len(email) <= 254 else None
    if user is None:
        verify_without_account(password)  # the same work as for a real account
    elif verify_password(user.password_hash, password) and user.active:
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = datetime.now(UTC)
        db.session.commit()
        for limit, *identifiers in keys:
            counters.refund(limit, *identifiers)  # successful sign-ins never count
        return user
    raise Unauthorized(_("That e-mail and password do not match an account. Please check them and try again."))


def throttle_account_mail(kind: str, email: str, address: str) -> None:
    """Registration and reset requests, limited per e-mail address and per network address (raises Throttled)."""
    config = current_app.config
    keys = [(parse_limit(config["ACCOUNT_MAIL_PER_EMAIL"]), f"{kind}-email", hashlib.sha256(normalize_email(email).encode()).hexdigest()),
            (parse_limit(config["ACCOUNT_MAIL_PER_ADDRESS"]), f"{kind}-address", address or "unknown")]
    reserve(keys, lambda wait: _("There have been many requests for this address. Please wait %(wait)s and try again.", wait=wait))


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return _("a minute") if minutes == 1 else _("%(n)s minutes", n=minutes)


def revoke_sign_ins(user: User) -> None:
    """End every session of this person on the server (committed by the caller)."""
    user.session_epoch += 1
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id))


def end_all_sessions(user: User) -> None:
    """Sign this person out on every device at once."""
    revoke_sign_ins(user)
    db.session.commit()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    # Changes with every new password, which makes each reset link single-use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    """A signed, expiring, single-use token for resetting this person's password."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user), "n": secrets.token_hex(4)})


def user_for_reset_token(token: str) -> User:
    """The account a reset token belongs to, if the token is still good."""
    message = "This reset link has expired or has already been used. Please ask for a new one."
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        raise Invalid.field("token", message) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise Invalid.field("token", message)
    return user


def set_password(user: User, password: str) -> None:
    """Give the account a new password and end its other sessions."""
    if problems := password_problems(password, email=user.email, name=user.name):
        raise Invalid.field("password", problems[0])
    user.password_hash = hash_password(password)
    revoke_sign_ins(user)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise Invalid.field("current_password", _("That is not your current password."))
    set_password(user, new)


def update_profile(user: User, *, name: str, timezone: str, language: str | None = None) -> User:
    """Change a person's name, time zone and (when given) language."""
    name = name.strip()
    errors = {}
    if not 1 <= len(name) <= 100:
        errors["name"] = ["Enter a name of 1 to 100 characters."]
    if not is_valid_zone(timezone):
        errors["timezone"] = ["Choose your time zone from the list."]
    if language is not None and language not in LANGUAGES:
        errors["language"] = ["Choose English or Spanish."]
    if errors:
        raise Invalid(_("Please check the highlighted fields."), errors)
    user.name, user.timezone = name, timezone
    if language is not None:
        user.language = language
    db.session.commit()
    return user


def deactivate(user: User) -> None:
    """Switch an account off at once: it can no longer sign in and its sessions end."""
    user.active = False
    revoke_sign_ins(user)
    db.session.commit()
