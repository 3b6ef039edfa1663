"""The three channels: e-mail over SMTP, Web Push with VAPID, and the in-app inbox: what each message is, and its send.

The sweep (dispatch.py) prepares every message in the app and hands the sending threads only bytes and addresses.
"""

from __future__ import annotations

import base64
import http.client
import smtplib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.policy import SMTPUTF8, compat32
from email.utils import formataddr, formatdate, parseaddr, parsedate_to_datetime
from functools import cache
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import gettext as _, lazy_gettext as _l
from py_vapid import Vapid
from sqlalchemy import select

from companion.blueprints.reminders.services import checked_endpoint
from companion.extensions import db
from companion.i18n import when
from companion.netguard import PinnedPoster
from companion.models import PushSubscription, Reminder, ReminderSettings, User
from companion.timezones import zone
from companion.urls import absolute_path

DISCREET_TEXT = _l("Companion: you have a reminder")
INBOX_URL = "/notifications"
TIMEOUT = 10
PUSH_TTL = 12 * 60 * 60  # seconds a push service keeps a message for a phone that is off


class NothingToSend(Exception):
    """The channel has nowhere to deliver (no push subscription, no mail server): the row is skipped."""


class DeliveryFailed(Exception):
    """A delivery that may work when tried again."""


def describe(row: Reminder, user: User) -> str:
    """The reminder's details, for the inbox (always) and outside the app (only when not discreet)."""
    if row.source_kind == "checkin":
        return _("A moment to check in with yourself today.")
    local = row.occurrence_at.astimezone(zone(user.timezone))
    return _("%(title)s, %(when)s.", title=row.title, when=when(local, "%A %-d %B at %-I:%M %p"))


def message_text(row: Reminder, user: User, settings: ReminderSettings) -> tuple[str, str]:
    """The (title, body) shown outside the app: discreet unless the person opted out."""
    if settings.discreet:
        return str(DISCREET_TEXT), _("Open Companion to see it.")
    return _("Companion: %(title)s", title=row.title), describe(row, user)


def inbox_values(row: Reminder, user: User) -> dict:
    """The inbox item of a row (a Notification's columns)."""
    return dict(user_id=user.id, reminder_id=row.id, title=row.title[:200], body=describe(row, user)[:500],
                url=row.url or "/")


@dataclass(frozen=True)
class Mail:
    """One e-mail as the SMTP server takes it: the envelope and the message's bytes."""

    sender: str
    recipient: str
    data: bytes
    options: tuple[str, ...] = ()


_SHARED: dict[tuple, bytes] = {}  # (From, Subject, text) -> the headers and body every such e-mail shares
_WIRE = compat32.clone(linesep="\r\n")  # smtplib sends bytes as they are: the lines must end in CRLF already


def _shared_part(sender: str, subject: str, text: str) -> bytes:
    """The From, Subject, MIME headers and body of an e-mail, made once for every message that says the same.

    The stdlib's ``EmailMessage`` with its default policy costs several milliseconds a message to build and
    serialise, which made e-mail the slowest channel; the classic API makes the same bytes for a fraction
    of that, and one person's discreet reminders (or a group's) share them entirely.
    """
    key = (sender, subject, text)
    part = _SHARED.get(key)
    if part is None:
        message = MIMEText(text, "plain", "utf-8")
        name, address = parseaddr(sender)
        message["From"] = formataddr((name, address), charset="utf-8") if name else address
        message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
        if len(_SHARED) > 10_000:
            _SHARED.clear()
        part = _SHARED[key] = message.as_bytes(policy=_WIRE)
    return part


def email_message(row: Reminder, user: User, settings: ReminderSettings, config) -> Mail:
    """The reminder's e-mail; its Message-ID names the row, so a repeat after a crash is the same message."""
    subject, body = message_text(row, user, settings)
    link = absolute_path(INBOX_URL if settings.discreet else row.url or "/")
    footer = _("You can change or turn off these reminders in Companion's settings.")
    text = f"{body}\n\n{link}\n\n{footer}\n"
    sender = config["MAIL_DEFAULT_SENDER"]
    message_id = f"<reminder-{row.id}@{urlsplit(absolute_path('/')).hostname or 'localhost'}>"
    envelope = parseaddr(sender)[1] or sender
    if not user.email.isascii():  # an internationalised address: the SMTPUTF8 extension, built in full
        message = EmailMessage()
        message["From"], message["To"], message["Subject"], message["Message-ID"] = sender, user.email, subject, message_id
        message["Date"] = formatdate(usegmt=True)
        message.set_content(text)
        return Mail(envelope, user.email, message.as_bytes(policy=SMTPUTF8), ("SMTPUTF8",))
    personal = f"To: {user.email}\r\nMessage-ID: {message_id}\r\nDate: {formatdate(usegmt=True)}\r\n".encode()
    return Mail(envelope, user.email, personal + _shared_part(sender, subject, text))


class Mailer:
    """One SMTP connection, opened on the first message and kept open for the next ones (used from one thread)."""

    def __init__(self, config, timeout: float = TIMEOUT) -> None:
        self.server, self.port = config["MAIL_SERVER"], config["MAIL_PORT"]
        self.tls, self.username, self.password = config.get("MAIL_USE_TLS"), config.get("MAIL_USERNAME"), \
            config.get("MAIL_PASSWORD") or ""
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
        if self.tls:
            smtp.starttls()
        if self.username:
            smtp.login(self.username, self.password)
        return smtp

    def send(self, mail: Mail) -> None:
        """Send one message; raises DeliveryFailed. A kept connection the server closed meanwhile is opened again once."""
        for attempt in (1, 2):
            reused = self.smtp is not None
            try:
                if self.smtp is None:
                    self.smtp = self._connect()
                self.smtp.sendmail(mail.sender, [mail.recipient], mail.data, mail_options=mail.options)
                return
            except smtplib.SMTPServerDisconnected as error:
                self.close()
                if reused and attempt == 1:
                    continue
                raise DeliveryFailed(f"SMTP: {error}") from None
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                raise DeliveryFailed(f"SMTP: {error}") from None  # smtplib reset the transaction: the connection serves on
            except (OSError, smtplib.SMTPException) as error:
                self.close()
                raise DeliveryFailed(f"SMTP: {error}") from None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


@cache
def vapid_key(private_key: str) -> Vapid:
    """The VAPID signing key, from base64url of the raw key (or DER), or PEM."""
    if "BEGIN" in private_key:
        return Vapid.from_pem(private_key.strip().encode())
    return Vapid.from_string(private_key.strip())


_signed: dict[tuple[str, str], tuple[int, dict]] = {}


def vapid_headers(endpoint: str, private_key: str, subject: str) -> dict:
    """The VAPID Authorization header for the endpoint's push service, signed once and reused for hours."""
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    expires, headers = _signed.get((audience, private_key), (0, {}))
    if expires < time.time() + 3600:
        expires = int(time.time()) + 12 * 60 * 60
        headers = vapid_key(private_key).sign({"sub": subject, "aud": audience, "exp": expires})
        _signed[(audience, private_key)] = (expires, headers)
    return dict(headers)


def push_payload(row: Reminder, user: User, settings: ReminderSettings) -> dict:
    """What the service worker shows; a discreet one says nothing of the session."""
    if settings.discreet:
        return {"title": str(DISCREET_TEXT), "url": INBOX_URL}
    title, body = message_text(row, user, settings)
    return {"title": title, "body": body, "url": row.url or "/"}


class Outbox:
    """What one batch's deliveries share: the people's push subscriptions, loaded at once, and checked endpoints."""

    def __init__(self, user_ids) -> None:
        self.user_ids = set(user_ids)
        self._subscriptions: dict[int, list[PushSubscription]] | None = None
        self._checked: dict[str, tuple[str | None, str | None]] = {}

    def subscriptions(self, user_id: int) -> list[PushSubscription]:
        if self._subscriptions is None:
            self._subscriptions = {uid: [] for uid in self.user_ids}
            for subscription in db.session.scalars(select(PushSubscription)
                                                   .where(PushSubscription.user_id.in_(list(self.user_ids)))
                                                   .order_by(PushSubscription.id)):
                self._subscriptions.setdefault(subscription.user_id, []).append(subscription)
        return self._subscriptions.get(user_id, [])

    def checked(self, endpoint: str, allow_loopback: bool) -> tuple[str | None, str | None]:
        """checked_endpoint, resolved once per host and batch (a batch lasts seconds): (problem, address)."""
        parts = urlsplit(endpoint)
        key = f"{allow_loopback}|{parts.scheme}|{parts.netloc}"
        if key not in self._checked:
            self._checked[key] = checked_endpoint(endpoint, allow_loopback=allow_loopback)
        return self._checked[key]


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def encrypt(data: bytes, p256dh: str, auth: str) -> bytes:
    """The payload encrypted for one subscription (RFC 8291, aes128gcm), with a key and salt of its own."""
    return http_ece.encrypt(data, private_key=ec.generate_private_key(ec.SECP256R1()), dh=_b64decode(p256dh),
                            auth_secret=_b64decode(auth), version="aes128gcm")


def topic(row_id: int) -> str:
    """The push message's Topic (RFC 8030 5.4): the row's, so a repeat replaces the first where it waits."""
    return f"reminder-{row_id}"


@dataclass
class PushRequest:
    """One POST to one subscription's push service, prepared in the app (the sending thread needs nothing else)."""

    subscription_id: int
    endpoint: str
    address: str
    headers: dict
    body: bytes


@dataclass
class PushAnswer:
    delivered: bool = False
    gone: bool = False  # 404 or 410: the subscription is no more
    error: str | None = None  # worth another try later
    retry_after: float | None = None  # seconds the push service asked us to wait


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After (RFC 9110 10.2.3) as seconds from now: delay-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds()) if moment.tzinfo else None


def post_push(poster: PinnedPoster, request: PushRequest, timeout: float) -> PushAnswer:
    """POST one push (in a sending thread) and say what became of it; a redirect is a failure, never followed."""
    try:
        response = poster.post(request.endpoint, address=request.address, data=request.body, headers=request.headers,
                               timeout=timeout)
    except TimeoutError:
        return PushAnswer(error=f"push: no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as error:
        return PushAnswer(error=f"push: {type(error).__name__}")
    status = response.status_code
    if 200 <= status < 300:
        return PushAnswer(delivered=True)
    if status in (404, 410):
        return PushAnswer(gone=True)
    headers = {k.lower(): v for k, v in response.headers.items()}
    return PushAnswer(error=f"push {status}: {response.reason} {response.text[:200]}".strip(),
                      retry_after=retry_after_seconds(headers.get("retry-after")))


def push_headers(row_id: int, endpoint: str, config) -> dict:
    """Headers of one push: TTL, the encoding, the row's Topic and the VAPID signature (signed once per service)."""
    return {"TTL": str(PUSH_TTL), "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream",
            "Topic": topic(row_id),
            **vapid_headers(endpoint, config["VAPID_PRIVATE_KEY"], config.get("VAPID_SUBJECT") or "mailto:admin@localhost")}
