"""The daily check-in nudge, at the local time each person chose."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from companion.blueprints.reminders.sources import Planned, reminder_source
from companion.extensions import db
from companion.models import ReminderSettings, User
from companion.timezones import zone


@reminder_source("checkin", uses_lead_times=False)
def checkin_nudges(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """A nudge each day at the person's check-in time (none when it is not set)."""
    query = (select(ReminderSettings.user_id, ReminderSettings.checkin_time, User.timezone)
             .join(User, User.id == ReminderSettings.user_id).where(ReminderSettings.checkin_time.is_not(None)))
    if user_ids is not None:
        query = query.where(ReminderSettings.user_id.in_(list(user_ids)))
    for user_id, at, zone_name in db.session.execute(query):
        tz = zone(zone_name)
        day = start.astimezone(tz).date()
        while True:
            moment = datetime.combine(day, at, tzinfo=tz)
            if moment >= end:
                break
            if moment >= start:
                yield Planned(user_id=user_id, source_id="daily", at=moment.astimezone(start.tzinfo),
                              title=_l("Daily check-in"), url="/")
            day += timedelta(days=1)
