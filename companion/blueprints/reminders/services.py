"""Reminder settings, the calendar token, push subscriptions and the in-app inbox."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from flask_babel import gettext as _
from datetime import time
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, func, select, update

from companion.access import mine, mine_columns
from companion.blueprints.reminders.planner import replan
from companion.blueprints.reminders.settings import new_token, settings_for
from companion.errors import Invalid
from companion.extensions import db
from companion.models import Notification, PushSubscription, ReminderSettings, User
from companion.models.base import utcnow
from companion.netguard import allowed_address, resolve

CHANNELS = ("push", "email", "inapp")
MAX_LEAD = 7 * 24 * 60
MAX_LEADS = 5
UNSET = object()


def _clean_leads(leads) -> list[int]:
    if not isinstance(leads, list | tuple) or len(leads) > MAX_LEADS:
        raise Invalid.field("lead_minutes", _("Choose at most %(MAX_LEADS)s reminder times.", MAX_LEADS=MAX_LEADS))
    if any(not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_LEAD for n in leads):
        raise Invalid.field("lead_minutes", _("Each reminder time is between 0 minutes and 7 days before."))
    return sorted(set(leads), reverse=True)


def _clean_channels(channels) -> list[str]:
    if not isinstance(channels, list | tuple) or any(c not in CHANNELS for c in channels):
        raise Invalid.field("channels", _("Channels are push, email and inapp."))
    return [c for c in CHANNELS if c in set(channels)]


def update_settings(user: User, *, lead_minutes=UNSET, channels=UNSET, quiet_start=UNSET, quiet_end=UNSET,
                    checkin_time=UNSET, discreet=UNSET, goal_steps=UNSET) -> ReminderSettings:
    """Change the given settings (the others stay); future reminders are planned again."""
    settings = settings_for(user)
    errors: dict[str, list[str]] = {}
    values = {}
    for name, value, clean in (("lead_minutes", lead_minutes, _clean_leads), ("channels", channels, _clean_channels)):
        if value is not UNSET:
            try:
                values[name] = clean(value)
            except Invalid as error:
                errors.update(error.errors or {})
    for name, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end), ("checkin_time", checkin_time)):
        if value is not UNSET:
            if value is not None and not isinstance(value, time):
                errors[name] = ["Give a time as HH:MM, or nothing."]
            else:
                values[name] = value.replace(second=0, microsecond=0, tzinfo=None) if value else None
    for name, value in (("discreet", discreet), ("goal_steps", goal_steps)):
        if value is not UNSET:
            if not isinstance(value, bool):
                errors[name] = ["Give true or false."]
            else:
                values[name] = value
    start = values.get("quiet_start", settings.quiet_start)
    end = values.get("quiet_end", settings.quiet_end)
    if (start is None) != (end is None):
        errors.setdefault("quiet_end" if start is not None else "quiet_start", []).append(
            _("Give both the start and the end of quiet hours, or neither."))
    elif start is not None and start == end:
        errors.setdefault("quiet_end", []).append(_("Quiet hours end at a different time than they start."))
    if errors:
        raise Invalid(_("Some reminder settings need another look."), errors)
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.commit()
    replan([user.id])
    return settings


def reset_calendar_token(user: User) -> ReminderSettings:
    """A new secret for the calendar feed; the old URL stops working at once."""
    settings = settings_for(user)
    settings.calendar_token = new_token()
    db.session.commit()
    return settings


def user_for_calendar_token(token: str) -> User | None:
    """The owner of a calendar feed token, or None."""
    if not token or len(token) > 64:
        return None
    settings = db.session.scalar(select(ReminderSettings).where(ReminderSettings.calendar_token == token))
    if settings is None:
        return None
    user = db.session.get(User, settings.user_id)
    return user if user is not None and user.active else None


def _b64url(value: str, name: str, length: int) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise Invalid.field(name, _("This key is not base64url.")) from None
    if len(raw) != length:
        raise Invalid.field(name, _("This key should be %(length)s bytes.", length=length))
    return raw


def endpoint_problem(endpoint: str, *, allow_loopback: bool) -> str | None:
    """Why a push endpoint may not be contacted (a guard against requests to private addresses), or None."""
    return checked_endpoint(endpoint, allow_loopback=allow_loopback)[0]


def checked_endpoint(endpoint: str, *, allow_loopback: bool) -> tuple[str | None, str | None]:
    """(why the endpoint may not be contacted, None) or (None, the checked address to connect to)."""
    try:
        parts = urlsplit(endpoint)
        host, port = parts.hostname, parts.port
    except ValueError:
        return _("This is not a valid URL."), None
    if not host or parts.username or parts.password or parts.scheme not in ("http", "https"):
        return _("This is not a valid push endpoint."), None
    try:
        addresses = resolve(host, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return _("This push service's address could not be found."), None
    ips = [ipaddress.ip_address(a.split("%")[0]) for a in addresses]
    if not ips:
        return _("This push service's address could not be found."), None
    if allow_loopback and all(ip.is_loopback for ip in ips):
        return None, addresses[0]
    if parts.scheme != "https":
        return _("A push endpoint must use https."), None
    if not all(allowed_address(a, False) for a in addresses):
        return _("A push endpoint must be on a public address."), None
    return None, addresses[0]


def subscribe(user: User, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep a browser's push subscription (a shared phone's endpoint moves to whoever subscribes last)."""
    if "\x00" in endpoint or len(endpoint) > 1000:
        raise Invalid.field("endpoint", _("This is not a valid push endpoint."))
    if problem := endpoint_problem(endpoint, allow_loopback=current_app.config.get("PUSH_ALLOW_LOOPBACK", False)):
        raise Invalid.field("endpoint", problem)
    _b64url(p256dh, "keys.p256dh", 65)
    _b64url(auth, "keys.auth", 16)
    subscription = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    previous = subscription.user_id if subscription else None
    if subscription is None:
        subscription = PushSubscription(endpoint=endpoint, user_id=user.id, p256dh=p256dh, auth=auth)
        db.session.add(subscription)
    subscription.user_id, subscription.p256dh, subscription.auth = user.id, p256dh, auth
    db.session.commit()
    replan({user.id} | ({previous} if previous else set()))
    return subscription


def unsubscribe(user: User, endpoint: str | None = None) -> int:
    """Forget one of the person's push subscriptions, or all of them; returns how many went."""
    statement = delete(PushSubscription).where(PushSubscription.user_id == user.id)
    if endpoint is not None:
        statement = statement.where(PushSubscription.endpoint == endpoint)
    count = db.session.execute(statement).rowcount
    db.session.commit()
    replan([user.id])
    return count


def inbox(user: User, limit: int = 50) -> list[Notification]:
    """The person's latest in-app notifications, newest first."""
    return list(db.session.scalars(mine(user, Notification)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    return db.session.scalar(select(unread_column(user))) or 0


def unread_column(user: User):
    """The number of unread inbox items, as a scalar subquery (for ``access.about_me``)."""
    return mine_columns(user, Notification, func.count()).where(Notification.read_at.is_(None)).scalar_subquery()


def mark_all_read(user: User) -> None:
    """Mark every notification of the person as read."""
    db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
    db.session.commit()
