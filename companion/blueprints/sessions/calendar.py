"""The private calendar feed: RFC 5545 with the VTIMEZONE of the person's zone."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale, gettext as _
from icalendar import Calendar, Event

from companion.blueprints.sessions.services import DISCREET_TEXT, agenda
from companion.i18n import DEFAULT_LANGUAGE
from companion.models import User
from companion.models.base import utcnow
from companion.timezones import zone

PAST = timedelta(days=30)
AHEAD = timedelta(days=120)


def feed(user: User, discreet: bool) -> bytes:
    """The participant's sessions from 30 days ago to four months ahead as an iCalendar file, in their language
    (the feed is fetched by a calendar app, with no session: the words follow the token's owner)."""
    with force_locale(user.language or DEFAULT_LANGUAGE):
        return _feed(user, discreet)


def _feed(user: User, discreet: bool) -> bytes:
    now = utcnow().replace(microsecond=0)
    tz = zone(user.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Companion//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Companion")
    calendar.add("x-wr-timezone", user.timezone)
    for occurrence in agenda(user, now - PAST, now + AHEAD):
        event = Event()
        event.add("uid", f"{occurrence.key}@companion")
        event.add("dtstamp", now)
        event.add("dtstart", occurrence.starts_at.astimezone(tz))
        event.add("dtend", occurrence.ends_at.astimezone(tz))
        event.add("summary", str(DISCREET_TEXT) if discreet else occurrence.title)
        if not discreet:
            if occurrence.location:
                event.add("location", occurrence.location)
            if occurrence.video_url:
                event.add("description", _("Join by video: %(url)s", url=occurrence.video_url))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
