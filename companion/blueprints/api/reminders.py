"""Reminder settings, the calendar token, the in-app inbox and push subscriptions."""

from __future__ import annotations

import re
from flask_babel import gettext as _
from datetime import datetime, time
from typing import Annotated, Literal

from flask_login import current_user
from pydantic import AfterValidator, BaseModel, Field, StrictBool, StrictInt

from companion.blueprints.api.spec import Input, endpoint
from companion.blueprints.reminders import services
from companion.errors import NotFound
from companion.timezones import zone
from companion.urls import absolute_url

Channel = Literal["push", "email", "inapp"]


HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$"


def hh_mm(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(HH_MM, value):
        raise ValueError("Give a time as HH:MM (00:00 to 23:59), or null.")
    return value


LocalTime = Annotated[str | None, AfterValidator(hh_mm), Field(json_schema_extra={"pattern": HH_MM})]


class ReminderSettingsOut(BaseModel):
    lead_minutes: list[int] = Field(description="Minutes before each session.")
    channels: list[Channel]
    quiet_start: str | None = Field(description="HH:MM local, or null.")
    quiet_end: str | None = Field(description="HH:MM local, or null.")
    checkin_time: str | None = Field(description="HH:MM local time of the daily check-in nudge, or null for none.")
    goal_steps: bool = Field(description="Remind of goal steps on their due date.")
    discreet: bool = Field(description="Outside the app, say only “Companion: you have a reminder”.")
    calendar_url: str = Field(description="Read-only: the private .ics feed, fetched without cookies.")


class ReminderSettingsIn(Input):
    lead_minutes: list[Annotated[StrictInt, Field(ge=0, le=services.MAX_LEAD)]] | None = Field(default=None, max_length=5)
    channels: list[Channel] | None = None
    quiet_start: LocalTime = None
    quiet_end: LocalTime = None
    checkin_time: LocalTime = None
    goal_steps: StrictBool | None = None
    discreet: StrictBool | None = None
    calendar_url: str | None = Field(default=None, description="Read-only; ignored when sent back.")


class NotificationOut(BaseModel):
    id: int
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class InboxOut(BaseModel):
    unread: int
    items: list[NotificationOut]


class PushKeys(Input):
    p256dh: str = Field(min_length=1, max_length=200)
    auth: str = Field(min_length=1, max_length=100)


class PushSubscriptionIn(Input):
    endpoint: str = Field(min_length=1, max_length=1000)
    keys: PushKeys
    expirationTime: float | None = Field(default=None, description="Sent by browsers; ignored.")


class PushUnsubscribeIn(Input):
    endpoint: str | None = Field(default=None, max_length=1000, description="One subscription; all of mine when left out.")


class PushSubscriptionOut(BaseModel):
    endpoint: str
    vapid_public_key: str | None


def settings_body(user) -> dict:
    s = services.settings_for(user)

    def fmt(t: time | None) -> str | None:
        return t.strftime("%H:%M") if t else None

    return {"lead_minutes": s.lead_minutes, "channels": s.channels, "quiet_start": fmt(s.quiet_start),
            "quiet_end": fmt(s.quiet_end), "checkin_time": fmt(s.checkin_time), "goal_steps": s.goal_steps,
            "discreet": s.discreet, "calendar_url": absolute_url("sessions.calendar", token=s.calendar_token)}


@endpoint("/reminder-settings", "GET", summary="My reminder settings", tag="reminders", response=ReminderSettingsOut)
def get_reminder_settings():
    """Lead times, channels, quiet hours, the check-in nudge, discretion and my calendar feed's URL."""
    return settings_body(current_user)


@endpoint("/reminder-settings", "PUT", summary="Change my reminder settings", tag="reminders",
          body=ReminderSettingsIn, response=ReminderSettingsOut, errors=(422,))
def put_reminder_settings(body: ReminderSettingsIn):
    """Change the settings given (fields left out stay as they are; a time set to null turns it off)."""
    given = body.model_fields_set - {"calendar_url"}
    values = {}
    for name in given:
        value = getattr(body, name)
        if name in ("quiet_start", "quiet_end", "checkin_time"):
            value = time.fromisoformat(value) if value else None
        elif value is None:
            from companion.errors import Invalid

            raise Invalid.field(name, _("This field may not be null."))
        values[name] = value
    services.update_settings(current_user, **values)
    return settings_body(current_user)


@endpoint("/calendar-token", "POST", summary="Replace my calendar feed's token", tag="reminders",
          response=ReminderSettingsOut)
def new_calendar_token():
    """A new private calendar URL; the old one answers 404 from now on."""
    services.reset_calendar_token(current_user)
    return settings_body(current_user)


@endpoint("/notifications", "GET", summary="My in-app inbox", tag="reminders", response=InboxOut)
def notifications():
    """My latest in-app reminders, newest first, with the unread count."""
    tz = zone(current_user.timezone)
    items = [{"id": n.id, "title": n.title, "body": n.body, "url": n.url, "created_at": n.created_at.astimezone(tz),
              "read_at": n.read_at.astimezone(tz) if n.read_at else None} for n in services.inbox(current_user)]
    return {"unread": services.unread_count(current_user), "items": items}


@endpoint("/notifications/read", "POST", summary="Mark my inbox read", tag="reminders", status=204)
def read_notifications():
    """Mark every in-app reminder as read."""
    services.mark_all_read(current_user)


@endpoint("/push-subscriptions", "POST", summary="Subscribe this browser to Web Push", tag="reminders",
          body=PushSubscriptionIn, response=PushSubscriptionOut, status=201, errors=(422,))
def subscribe(body: PushSubscriptionIn):
    """Keep a PushSubscription (its `toJSON()`); the endpoint must be https on a public address."""
    from flask import current_app

    subscription = services.subscribe(current_user, endpoint=body.endpoint, p256dh=body.keys.p256dh,
                                      auth=body.keys.auth)
    return {"endpoint": subscription.endpoint, "vapid_public_key": current_app.config.get("VAPID_PUBLIC_KEY")}


@endpoint("/push-subscriptions", "DELETE", summary="Unsubscribe from Web Push", tag="reminders",
          body=PushUnsubscribeIn | None, status=204, errors=(404, 422))
def unsubscribe(body: PushUnsubscribeIn | None):
    """Forget one subscription (by `endpoint`) or, with no body, all of mine."""
    count = services.unsubscribe(current_user, body.endpoint if body else None)
    if body and body.endpoint and not count:
        raise NotFound(_("That subscription was not found."))


