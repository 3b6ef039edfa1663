"""The three channels: e-mail over SMTP, Web Push with VAPID, and the in-app inbox."""

from __future__ import annotations

import http.client
import json
import smtplib
import time
from email.message import EmailMessage
from functools import cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select

from companion.blueprints.reminders.services import checked_endpoint
from companion.extensions import db
from companion.i18n import when
from companion.netguard import PinnedPoster
from companion.models import Notification, PushSubscription, Reminder, ReminderSettings, User
from companion.timezones import zone
from companion.urls import absolute_path

DISCREET_TEXT = _l("Companion: you have a reminder")
INBOX_URL = "/notifications"
TIMEOUT = 10


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


def send_inapp(row: Reminder, user: User, settings: ReminderSettings, outbox: Outbox | None = None):
    """The inbox item, added in the same transaction that marks the row sent (so it is there exactly once)."""
    values = inbox_values(row, user)
    return lambda: db.session.add(Notification(**values))


def send_email(row: Reminder, user: User, settings: ReminderSettings, outbox: Outbox | None = None) -> None:
    """One e-mail through the configured SMTP server."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise NothingToSend("MAIL_SERVER is not set")
    subject, body = message_text(row, user, settings)
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = user.email
    message["Subject"] = subject
    link = absolute_path(INBOX_URL if settings.discreet else row.url or "/")
    footer = _("You can change or turn off these reminders in Companion's settings.")
    message.set_content(f"{body}\n\n{link}\n\n{footer}\n")
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=TIMEOUT) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"SMTP: {error}") from None


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


_poster = PinnedPoster()


class _PinnedSession:
    """What pywebpush calls ``requests_session``: its one ``post``, sent to one checked address."""

    def __init__(self, address: str) -> None:
        self.address = address

    def post(self, url, data=None, headers=None, timeout=TIMEOUT, **_):
        return _poster.post(url, address=self.address, data=data, headers=headers, timeout=timeout)


def pinned_session(address: str) -> _PinnedSession:
    return _PinnedSession(address)


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

    def forget(self, user_id: int, subscription: PushSubscription) -> None:
        """A subscription removed (answered 404 or 410) is not tried again for the batch's later rows."""
        self.subscriptions(user_id).remove(subscription)

    def checked(self, endpoint: str, allow_loopback: bool) -> tuple[str | None, str | None]:
        """checked_endpoint, resolved once per host and batch (a batch lasts seconds): (problem, address)."""
        parts = urlsplit(endpoint)
        key = f"{allow_loopback}|{parts.scheme}|{parts.netloc}"
        if key not in self._checked:
            self._checked[key] = checked_endpoint(endpoint, allow_loopback=allow_loopback)
        return self._checked[key]


def send_push(row: Reminder, user: User, settings: ReminderSettings, outbox: Outbox | None = None) -> None:
    """Web Push to each of the person's subscriptions; one answered 404 or 410 is removed."""
    config = current_app.config
    if not config.get("VAPID_PRIVATE_KEY"):
        raise NothingToSend("VAPID_PRIVATE_KEY is not set")
    outbox = outbox or Outbox([user.id])
    subscriptions = list(outbox.subscriptions(user.id))
    if not subscriptions:
        raise NothingToSend("no push subscription")
    data = json.dumps(push_payload(row, user, settings))
    delivered, errors = 0, []
    for subscription in subscriptions:
        problem, address = outbox.checked(subscription.endpoint, config.get("PUSH_ALLOW_LOOPBACK", False))
        if problem:
            errors.append(problem)
            continue
        try:
            # Sent to the address that was checked, and a redirect is a failure: never followed.
            webpush({"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                    data, headers=vapid_headers(subscription.endpoint, config["VAPID_PRIVATE_KEY"],
                                                config.get("VAPID_SUBJECT") or "mailto:admin@localhost"),
                    timeout=TIMEOUT, ttl=60 * 60 * 12, requests_session=pinned_session(address))
        except WebPushException as error:
            if error.status_code in (404, 410):
                db.session.execute(delete(PushSubscription).where(PushSubscription.id == subscription.id))
                db.session.commit()  # gone for good, whatever becomes of this reminder
                outbox.forget(user.id, subscription)
            else:
                errors.append(f"push {error.status_code}: {error.message[:200]}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"push: {type(error).__name__}")
        else:
            delivered += 1
    if not delivered:
        if errors:
            raise DeliveryFailed("; ".join(errors))
        raise NothingToSend("every push subscription has expired")


CHANNELS = {"inapp": send_inapp, "email": send_email, "push": send_push}
