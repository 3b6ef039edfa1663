"""The weekly check-in as a source of reminders: once a week, on the day and at the time the person chose."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from companion.blueprints.reminders.sources import Planned, reminder_source
from companion.extensions import db
from companion.models import User
from companion.models.weekly import WeeklyCheckin, WeeklySettings
from companion.timezones import zone


def _not_done_yet(row) -> bool:
    """Unless this week's check-in was made since the reminder was planned."""
    user = db.session.get(User, row.user_id)
    if user is None:
        return False
    local = row.occurrence_at.astimezone(zone(user.timezone)).date()
    monday = local - timedelta(days=local.weekday())
    return db.session.scalar(select(WeeklyCheckin.pk).where(WeeklyCheckin.user_id == user.id,
                                                            WeeklyCheckin.week_of == monday)) is None


@reminder_source("weekly", uses_lead_times=False, still_wanted=_not_done_yet)
def weekly_nudges(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """A nudge each week on the chosen day at the chosen local time."""
    query = (select(WeeklySettings.user_id, WeeklySettings.weekday, WeeklySettings.remind_at, User.timezone, User.language)
             .join(User, User.id == WeeklySettings.user_id)
             .where(WeeklySettings.weekday.is_not(None), WeeklySettings.remind_at.is_not(None)))
    if user_ids is not None:
        query = query.where(WeeklySettings.user_id.in_(list(user_ids)))
    for user_id, weekday, at, zone_name, language in db.session.execute(query):
        tz = zone(zone_name)
        with force_locale(language or "en"):
            title = _("Your weekly check-in")
        day = start.astimezone(tz).date()
        while True:
            moment = datetime.combine(day, at, tzinfo=tz)
            if moment >= end:
                break
            if moment >= start and day.weekday() == weekday:
                yield Planned(user_id=user_id, source_id="weekly", at=moment.astimezone(start.tzinfo), title=title,
                              url="/weekly/checkin")
            day += timedelta(days=1)
