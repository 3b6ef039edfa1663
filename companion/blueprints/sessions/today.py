"""The sessions part of the Today page."""

from __future__ import annotations

from datetime import datetime

from companion.blueprints.reminders.services import unread_count
from companion.blueprints.sessions.services import checked_in_keys, next_session
from companion.models import User
from companion.timezones import zone


def sessions_today(user: User, now: datetime) -> dict:
    """The next session (with whether the person checked in) and the unread reminders, for Today."""
    upcoming = next_session(user, now) if not user.is_staff else None
    return {"next_session": upcoming, "tz": zone(user.timezone), "unread_reminders": unread_count(user),
            "checked_in": checked_in_keys(user, [upcoming]) if upcoming else set()}
