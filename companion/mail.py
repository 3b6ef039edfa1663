"""Sending e-mail through the configured SMTP server, and account e-mails sent again until the server takes them.

An account e-mail (a password-reset link, a notice about one's account) is first written down as an
``AccountMail`` row, then sent at once; the row is deleted when the SMTP server accepts the message. When
the server is down or answers 4xx or 5xx, the row stays and the worker's ``mail.retry`` job sends it again
after 2, 4, 8… minutes (at most an hour apart), up to ``MAX_ATTEMPTS`` tries (about six hours); a process
that dies mid-send leaves its row to the job too. So such an e-mail is sent at least once, and is never
counted as sent before the server has it.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import delete, select, update

from companion.extensions import db
from companion.models import AccountMail, User
from companion.models.base import utcnow

MAX_ATTEMPTS = 10

# kind: a function that makes (subject, body) for a person, in their language, at the moment of sending.
ACCOUNT_MAILS: dict[str, Callable[[User], tuple[str, str]]] = {}


class MailFailed(Exception):
    """The SMTP server could not be reached or did not accept the message."""


def account_mail(kind: str):
    """Register the maker of one kind of account e-mail."""

    def register(make: Callable[[User], tuple[str, str]]):
        ACCOUNT_MAILS[kind] = make
        return make

    return register


def message_for(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raises MailFailed when it is not accepted."""
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(f"{type(error).__name__}: {error}"[:500]) from None


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text e-mail once; without ``MAIL_SERVER`` it is written to the log instead."""
    message = message_for(to, subject, body)
    if not current_app.config.get("MAIL_SERVER"):
        current_app.logger.warning("MAIL_SERVER is not set; this e-mail was not sent:\n%s", message)
        return False
    try:
        deliver(message)
    except MailFailed:
        current_app.logger.exception("Could not send e-mail to the SMTP server")
        return False
    return True


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** attempts, 60))


def send_account_mail(user: User, kind: str) -> None:
    """Write the e-mail down, then try it now; the retry job sends it later if the server does not take it."""
    row = AccountMail(user_id=user.id, kind=kind, attempts=1, send_after=utcnow() + backoff(1))
    db.session.add(row)
    db.session.commit()
    _attempt(row, user)


def _attempt(row: AccountMail, user: User) -> bool:
    """One try of a claimed row: deleted when sent (or when there is no SMTP server: then it is logged)."""
    subject, body = ACCOUNT_MAILS[row.kind](user)
    message = message_for(user.email, subject, body)
    if not current_app.config.get("MAIL_SERVER"):
        current_app.logger.warning("MAIL_SERVER is not set; this e-mail was not sent:\n%s", message)
        error = None
    else:
        try:
            deliver(message)
            error = None
        except MailFailed as failed:
            error = str(failed)
    if error is None:
        db.session.execute(delete(AccountMail).where(AccountMail.id == row.id))
        db.session.commit()
        return True
    if row.attempts >= MAX_ATTEMPTS:
        current_app.logger.error("Gave up on a %s e-mail to account %s after %s tries: %s", row.kind, row.user_id,
                                 row.attempts, error)
        db.session.execute(delete(AccountMail).where(AccountMail.id == row.id))
    else:
        current_app.logger.warning("A %s e-mail to account %s was not accepted (try %s), tried again after %s: %s",
                                   row.kind, row.user_id, row.attempts, row.send_after, error)
        db.session.execute(update(AccountMail).where(AccountMail.id == row.id).values(last_error=error))
    db.session.commit()
    return False


def retry_account_mail(now: datetime | None = None, limit: int = 50) -> tuple[int, int]:
    """Send the account e-mails now due again: (sent, still waiting). Safe with several workers at once."""
    now = now or utcnow()
    sent = waiting = 0
    due = db.session.scalars(select(AccountMail).where(AccountMail.send_after <= now)
                             .order_by(AccountMail.send_after, AccountMail.id).limit(limit)).all()
    db.session.commit()
    for row in due:
        # Claimed by moving its next try on: another worker that read the same attempts count updates nothing.
        claimed = db.session.execute(
            update(AccountMail).where(AccountMail.id == row.id, AccountMail.attempts == row.attempts)
            .values(attempts=row.attempts + 1, send_after=now + backoff(row.attempts + 1))
            .execution_options(synchronize_session=False))
        db.session.commit()
        if claimed.rowcount != 1:
            continue
        db.session.refresh(row)
        user = db.session.get(User, row.user_id)
        if user is None or not user.active or row.kind not in ACCOUNT_MAILS:
            db.session.execute(delete(AccountMail).where(AccountMail.id == row.id))
            db.session.commit()
            continue
        if _attempt(row, user):
            sent += 1
        else:
            waiting += 1
    return sent, waiting
