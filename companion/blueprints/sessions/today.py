"""The sessions part of the Today page."""

from __future__ import annotations

from datetime import datetime

from companion.blueprints.sessions.services import next_session
from companion.models import User
from companion.timezones import zone


def sessions_today(user: User, now: datetime, unread_reminders: int) -> dict:
    """The next session (with whether the person checked in) and the unread reminders, for Today."""
    upcoming, checked_in = next_session(user, now) if not user.is_staff else (None, set())
    return {"next_session": upcoming, "tz": zone(user.timezone), "unread_reminders": unread_reminders,
            "checked_in": checked_in}
