"""A person's reminder settings as the planner, the sweep and the pages read them (the defaults until saved)."""

from __future__ import annotations

import secrets
from collections.abc import Collection

from sqlalchemy import select

from companion.extensions import db
from companion.models import ReminderSettings, User
from companion.models.reminders import DEFAULT_CHANNELS, DEFAULT_LEADS


def new_token() -> str:
    return secrets.token_urlsafe(32)


def defaults(user_id: int) -> ReminderSettings:
    return ReminderSettings(user_id=user_id, lead_minutes=list(DEFAULT_LEADS), channels=list(DEFAULT_CHANNELS),
                            quiet_start=None, quiet_end=None, checkin_time=None, goal_steps=True, discreet=True,
                            calendar_token=new_token())


def settings_for(user: User) -> ReminderSettings:
    """The person's reminder settings, created with the defaults on first use."""
    settings = db.session.get(ReminderSettings, user.id)
    if settings is None:
        settings = defaults(user.id)
        db.session.add(settings)
        db.session.commit()
    return settings


def settings_map(user_ids: Collection[int]) -> dict[int, ReminderSettings]:
    """Settings of many people at once; the defaults (not stored) for those without any."""
    found = {s.user_id: s for s in db.session.scalars(
        select(ReminderSettings).where(ReminderSettings.user_id.in_(list(user_ids))))} if user_ids else {}
    return {uid: found.get(uid) or defaults(uid) for uid in user_ids}
