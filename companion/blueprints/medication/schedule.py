"""When a medication's doses fall: its local times on its days, as moments in UTC.

A time is read in the person's zone on each day, so that 08:00 stays 08:00 on both sides of a daylight-saving
change. A local time that a spring-forward skips (02:30) is the moment an hour later on the clock (zoneinfo's
``fold=0``), and one that a fall-back repeats is its first occurrence: every dose has one moment, the same on
every reading, which is what marking it and recording it as missed rely on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from companion.models.medication import Medication
from companion.timezones import zone


def parse_time(text: str) -> time:
    """``HH:MM`` as a time (raises ValueError otherwise)."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise ValueError(text)
    return time(int(text[:2]), int(text[3:]))


def falls_on(medication: Medication, day: date) -> bool:
    """Whether the medication is scheduled on this local date."""
    if day < medication.start_date or (medication.end_date is not None and day > medication.end_date):
        return False
    if medication.every_days:
        return (day - medication.start_date).days % medication.every_days == 0
    if medication.weekdays is not None:
        return day.weekday() in medication.weekdays
    return True


def occurrences(medication: Medication, timezone: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every scheduled moment (UTC) of the medication in [start, end), in order."""
    tz = zone(timezone)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    if medication.end_date is not None:
        last = min(last, medication.end_date)
    day = max(day, medication.start_date)
    times = sorted(parse_time(t) for t in medication.times)
    while day <= last:
        if falls_on(medication, day):
            for at in times:
                moment = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
                if start <= moment < end:
                    yield moment
        day += timedelta(days=1)


def local_day_bounds(timezone: str, first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments from the start of ``first`` to the end of ``last`` (inclusive) where the person is."""
    tz = zone(timezone)
    return (datetime.combine(first, time(), tzinfo=tz).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC))
