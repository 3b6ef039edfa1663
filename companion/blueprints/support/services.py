"""Support operations shared by the pages, the API and the command line."""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from companion.access import mine, of_program, owned
from companion.blueprints.reminders.planner import replan
from companion.blueprints.support import feeds
from companion.blueprints.support.library import (
    PEOPLE_STEPS,
    SAFETY_KEYS,
    TIMES_OF_DAY,
)
from companion.errors import Conflict, Invalid, NotFound
from companion.extensions import db
from companion.models import (
    AftercarePlan,
    Meeting,
    MeetingFeed,
    Program,
    ProgramResource,
    SafetyPlan,
    SavedMeeting,
    User,
)
from companion.phones import plan_lines
from companion.timezones import zone
from companion.validation import Errors, clean_text

DEFAULT_ZONE = "America/New_York"
MAX_ITEMS = 20
MAX_ITEM = 500
PHONE = re.compile(r"^[0-9+()\-. ,*#]{0,40}$")


def _clean_phone(errors: Errors, name: str, value, label: str = "The phone number") -> str:
    phone = clean_text(errors, name, value, max_length=40, label=label)
    if phone and not PHONE.match(phone):
        errors.add(name, _("%(label)s can hold only digits, spaces and + ( ) - . * #.", label=label))
    return phone


# ---- meeting feeds ----------------------------------------------------------------------------------

@dataclass
class ImportResult:
    feed: MeetingFeed
    created: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def summary(self) -> str:
        return (f"Imported {self.feed.meeting_count} meetings ({self.created} new, {self.updated} updated, "
                f"{self.removed} removed)")


def program_by_slug(slug: str) -> Program:
    """The program with this slug, or a clear error."""
    program = db.session.scalar(select(Program).where(Program.slug == slug))
    if program is None:
        raise NotFound(_("There is no program with the slug %(slug)s.", slug=repr(slug)))
    return program


def read_source(source: str) -> feeds.Source:
    """A feed's bytes from a file path or a URL."""
    source = source.strip()
    if feeds.is_url(source):
        return feeds.fetch_url(source, allow_loopback=bool(current_app.config["MEETING_FEED_ALLOW_LOOPBACK"]))
    return feeds.read_file(source)


def import_meetings(source: feeds.Source, program: Program | None, timezone: str | None = None) -> ImportResult:
    """Import a Meeting Guide feed, all or nothing: new slugs are added, known ones updated, gone ones removed."""
    default_zone = timezone or (program.timezone if program else DEFAULT_ZONE)
    records = feeds.parse_feed(source.data, default_zone)
    program_id = program.id if program else None
    same_scope = MeetingFeed.program_id.is_(None) if program_id is None else MeetingFeed.program_id == program_id
    feed = db.session.scalar(select(MeetingFeed).where(MeetingFeed.source == source.name[:2000], same_scope))
    try:
        if feed is None:
            feed = MeetingFeed(program_id=program_id, source=source.name[:2000], timezone=default_zone)
            db.session.add(feed)
            db.session.flush()
        result = ImportResult(feed)
        existing = {m.slug: m for m in db.session.scalars(select(Meeting).where(Meeting.feed_id == feed.id))}
        for fields in records:
            meeting = existing.pop(fields["slug"], None)
            if meeting is None:
                meeting = Meeting(feed_id=feed.id, program_id=program_id)
                db.session.add(meeting)
                result.created += 1
            else:
                result.updated += 1
            for name, value in fields.items():
                setattr(meeting, name, value)
        for meeting in existing.values():
            db.session.delete(meeting)
        result.removed = len(existing)
        feed.timezone = default_zone
        feed.meeting_count = len(records)
        feed.imported_at = datetime.now(UTC)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def feeds_for(program: Program | None) -> list[MeetingFeed]:
    """The feeds imported for a program."""
    query = select(MeetingFeed).order_by(MeetingFeed.imported_at.desc())
    query = query.where(MeetingFeed.program_id == program.id) if program else query.where(MeetingFeed.program_id.is_(None))
    return list(db.session.scalars(query))


def remove_feed(program: Program, feed_id: int) -> None:
    """Remove one of a program's feeds and its meetings."""
    feed = of_program(program.id, MeetingFeed, feed_id, message=_("That meeting list was not found."))
    db.session.execute(delete(Meeting).where(Meeting.feed_id == feed.id))
    db.session.delete(feed)
    db.session.commit()


# ---- searching meetings -----------------------------------------------------------------------------

def visible_meetings(user: User):
    """A query of the meetings this person can see: their program's, and those imported for everyone."""
    query = select(Meeting)
    if user.program_id is None:
        return query.where(Meeting.program_id.is_(None))
    return query.where(or_(Meeting.program_id == user.program_id, Meeting.program_id.is_(None)))


def meeting_for(user: User, meeting_id: int) -> Meeting:
    """A meeting this person can see; a 404 otherwise."""
    meeting = db.session.scalar(visible_meetings(user).where(Meeting.id == meeting_id))
    if meeting is None:
        raise NotFound(_("That meeting was not found. It may have been removed from the list."))
    return meeting


def feed_day(moment: datetime) -> int:
    """The Meeting Guide weekday (0 = Sunday) of a date."""
    return (moment.weekday() + 1) % 7


def _on_day(day: int):
    return Meeting.day_mask.op("&")(1 << day) != 0


def next_start(meeting: Meeting, now: datetime) -> datetime | None:
    """When the meeting next starts (or started, if it is under way now), in UTC."""
    if not meeting.time or not meeting.day_mask:
        return None
    tz = zone(meeting.timezone)
    local = now.astimezone(tz)
    hours, minutes = map(int, meeting.time.split(":"))
    for offset in range(8):
        date = (local + timedelta(days=offset)).date()
        if meeting.day_mask & (1 << feed_day(datetime(date.year, date.month, date.day))):
            start = datetime(date.year, date.month, date.day, hours, minutes, tzinfo=tz)
            if start >= local - timedelta(minutes=15):
                return start.astimezone(UTC)
    return None


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 3958.8 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


ONLINE_WORDS = {"online", "onl"}
IN_PERSON_WORDS = {"in_person", "in-person", "inperson", "in person"}


@dataclass
class MeetingSearch:
    """What a participant asked for; every field optional."""

    day: int | None = None
    time_of_day: str | None = None
    type: str | None = None
    q: str = ""
    online: bool | None = None
    soon: bool = False
    near: str = ""
    limit: int = 100
    offset: int = 0


@dataclass
class SearchResult:
    meetings: list[Meeting]
    total: int
    starts: dict[int, datetime | None] = field(default_factory=dict)
    distances: dict[int, float] = field(default_factory=dict)
    place_found: bool | None = None


COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def locate(user: User, place: str) -> tuple[float, float] | None:
    """Coordinates for what the person typed: "lat, long", or the middle of the listed meetings at that place."""
    place = place.replace("\x00", "").strip()[:200]
    if not place:
        return None
    if match := COORDINATES.match(place):
        lat, lon = float(match.group(1)), float(match.group(2))
        return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None
    # No maps service: a town or ZIP code is found among the feed's own addresses.
    rows = db.session.execute(
        visible_meetings(user).with_only_columns(Meeting.latitude, Meeting.longitude)
        .where(Meeting.latitude.is_not(None), Meeting.search_text.like(_like(place.lower()), escape="\\"))
        .limit(500)).all()
    if not rows:
        return None
    return (sum(r.latitude for r in rows) / len(rows), sum(r.longitude for r in rows) / len(rows))


def search_meetings(user: User, search: MeetingSearch, now: datetime | None = None) -> SearchResult:
    """The meetings that match, soonest first (nearest first when a place is given)."""
    now = now or datetime.now(UTC)
    query = visible_meetings(user)
    if search.day is not None and 0 <= search.day <= 6:
        query = query.where(_on_day(search.day))
    if search.time_of_day in TIMES_OF_DAY:
        _, start, end = TIMES_OF_DAY[search.time_of_day]
        query = query.where(or_(Meeting.time >= start, Meeting.time < end) if start > end
                            else and_(Meeting.time >= start, Meeting.time < end))
    code = (search.type or "").replace("\x00", "").strip()
    if code.lower() in ONLINE_WORDS:
        search.online = True  # "online" is a kind people look for; the legacy code ONL means the same
    elif code.lower() in IN_PERSON_WORDS:
        search.online = False
    elif code:
        query = query.where(Meeting.type_codes.like(_like(f"|{code}|"), escape="\\"))
    if search.online is True:
        query = query.where(Meeting.online.is_(True))
    elif search.online is False:
        query = query.where(Meeting.in_person.is_(True))
    for word in search.q.replace("\x00", " ").lower().split()[:8]:
        query = query.where(Meeting.search_text.like(_like(word[:100]), escape="\\"))
    if search.soon:
        query = query.where(_starting_within(user, now, timedelta(hours=2)))
    meetings = list(db.session.scalars(query.order_by(Meeting.time, Meeting.name).limit(2000)))
    result = SearchResult(meetings=[], total=len(meetings))
    result.starts = {m.id: next_start(m, now) for m in meetings}
    far = datetime.max.replace(tzinfo=UTC)
    meetings.sort(key=lambda m: (result.starts[m.id] or far, m.name))
    if search.near.strip():
        point = locate(user, search.near)
        result.place_found = point is not None
        if point is not None:
            result.distances = {m.id: miles_between(point, (m.latitude, m.longitude))
                                for m in meetings if m.latitude is not None}
            meetings.sort(key=lambda m: result.distances.get(m.id, math.inf))
    start = max(0, search.offset)
    result.meetings = meetings[start:start + max(1, min(search.limit, 500))]
    return result


def encode_meeting_cursor(offset: int, now: datetime) -> str:
    """Where the next page of a meeting search starts, and the moment its order was taken at: every page
    sorts by next start as of that moment, so that none repeats or skips a meeting while time passes."""
    raw = json.dumps({"o": offset, "t": now.astimezone(UTC).isoformat()})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_meeting_cursor(cursor: str) -> tuple[int, datetime]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, moment = int(data["o"]), datetime.fromisoformat(data["t"])
        if offset < 0 or moment.tzinfo is None:
            raise ValueError
        return offset, moment
    except (ValueError, TypeError, KeyError, AttributeError):
        raise Invalid.field("cursor", _("This cursor is not valid; use the X-Next-Cursor of a previous answer.")) from None


def _starting_within(user: User, now: datetime, span: timedelta):
    """A condition: the meeting starts between now and now + span, in its own time zone."""
    zones = db.session.scalars(visible_meetings(user).with_only_columns(Meeting.timezone).distinct()).all()
    conditions = []
    for name in zones:
        local = now.astimezone(zone(name))
        later = local + span
        start, end = local.strftime("%H:%M"), later.strftime("%H:%M")
        if local.date() == later.date():
            window = _on_day(feed_day(local)) & Meeting.time.between(start, end)
        else:
            window = or_(_on_day(feed_day(local)) & (Meeting.time >= start),
                         _on_day(feed_day(later)) & (Meeting.time <= end))
        conditions.append((Meeting.timezone == name) & window)
    return or_(*conditions) if conditions else Meeting.id.is_(None)


# ---- saved meetings ---------------------------------------------------------------------------------

def saved_meetings(user: User) -> list[SavedMeeting]:
    """This person's saved meetings, soonest first."""
    saved = list(db.session.scalars(mine(user, SavedMeeting).join(SavedMeeting.meeting)
                                    .options(contains_eager(SavedMeeting.meeting))))
    now = datetime.now(UTC)
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(saved, key=lambda s: (next_start(s.meeting, now) or far, s.meeting.name))


def saved_ids(user: User) -> dict[int, SavedMeeting]:
    """This person's saved meetings by meeting id."""
    return {s.meeting_id: s for s in db.session.scalars(mine(user, SavedMeeting))}


def save_meeting(user: User, meeting_id: int, remind: bool = False) -> SavedMeeting:
    """Keep a meeting on this person's list (saving it again only changes the reminder)."""
    meeting = meeting_for(user, meeting_id)
    saved = db.session.scalar(mine(user, SavedMeeting).where(SavedMeeting.meeting_id == meeting.id))
    if saved is None:
        saved = SavedMeeting(user_id=user.id, meeting_id=meeting.id)
        db.session.add(saved)
    saved.remind = bool(remind)
    db.session.commit()
    replan([user.id])
    return saved


def set_reminder(user: User, saved_id: int, remind: bool) -> SavedMeeting:
    """Turn a saved meeting's reminder on or off."""
    saved = owned(user, SavedMeeting, saved_id, what="That saved meeting")
    saved.remind = bool(remind)
    db.session.commit()
    replan([user.id])
    return saved


def unsave_meeting(user: User, saved_id: int) -> None:
    """Take a meeting off this person's list."""
    saved = owned(user, SavedMeeting, saved_id, what="That saved meeting")
    db.session.delete(saved)
    db.session.commit()
    replan([user.id])


@dataclass
class MeetingOccurrence:
    """One time a saved meeting with a reminder is held, for the reminders planner."""

    saved_meeting_id: int
    user_id: int
    meeting_id: int
    name: str
    starts_at: datetime
    online: bool


def reminder_occurrences(start: datetime, end: datetime, user: User | None = None) -> list[MeetingOccurrence]:
    """Every start of a saved meeting with its reminder on, between ``start`` and ``end`` (UTC)."""
    query = select(SavedMeeting, Meeting).join(Meeting, SavedMeeting.meeting_id == Meeting.id) \
        .where(SavedMeeting.remind.is_(True), Meeting.time.is_not(None))
    if user is not None:
        query = query.where(SavedMeeting.user_id == user.id)
    found = []
    for saved, meeting in db.session.execute(query):
        tz = zone(meeting.timezone)
        hours, minutes = map(int, meeting.time.split(":"))
        day = start.astimezone(tz).date() - timedelta(days=1)
        while day <= end.astimezone(tz).date():
            if meeting.day_mask & (1 << ((day.weekday() + 1) % 7)):
                at = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=tz).astimezone(UTC)
                if start <= at < end:
                    found.append(MeetingOccurrence(saved.id, saved.user_id, meeting.id, meeting.name, at, meeting.online))
            day += timedelta(days=1)
    return sorted(found, key=lambda o: o.starts_at)


# ---- program resources ------------------------------------------------------------------------------

def program_resources(program: Program | None) -> list[ProgramResource]:
    """The local services a program added."""
    if program is None:
        return []
    return list(db.session.scalars(select(ProgramResource).where(ProgramResource.program_id == program.id)
                                   .order_by(ProgramResource.name)))


def add_resource(program: Program, data: dict) -> ProgramResource:
    """Add a local service to a program's support page."""
    errors = Errors()
    name = clean_text(errors, "name", data.get("name"), max_length=200, label=_("The name"))
    if not name and "name" not in errors:
        errors.add("name", _("Give the service a name."))
    description = clean_text(errors, "description", data.get("description"), max_length=2000, label=_("The description"))
    url = clean_text(errors, "url", data.get("url"), max_length=2000, label=_("The web address"))
    if url and not re.match(r"^https?://\S+$", url):
        errors.add("url", _("The web address must start with https://."))
    phone = _clean_phone(errors, "phone", data.get("phone"))
    errors.raise_if_any()
    resource = ProgramResource(program_id=program.id, name=name, description=description, url=url or None,
                               phone=phone or None)
    db.session.add(resource)
    db.session.commit()
    return resource


def remove_resource(program: Program, resource_id: int) -> None:
    """Remove a local service from a program's support page."""
    resource = of_program(program.id, ProgramResource, resource_id, message=_("That resource was not found."))
    db.session.delete(resource)
    db.session.commit()


# ---- the safety plan --------------------------------------------------------------------------------

def empty_safety_plan() -> dict:
    """The six steps before anything is written: empty, but for the crisis lines."""
    content = {key: [] for key in SAFETY_KEYS}
    content["professionals"] = plan_lines()  # named in the reader's language
    content["reasons"] = []
    return content


def safety_plan_for(user: User) -> tuple[dict, datetime | None]:
    """This person's safety plan and when it was last saved (None before it ever was)."""
    plan = db.session.scalar(mine(user, SafetyPlan))
    if plan is None:
        return empty_safety_plan(), None
    content = {key: list(plan.content.get(key, [])) for key in SAFETY_KEYS}
    content["reasons"] = list(plan.content.get("reasons", []))
    return content, plan.updated_at


def _clean_list(errors: Errors, name: str, items, label: str) -> list[str]:
    if items is None:
        return []
    if not isinstance(items, list):
        errors.add(name, _("%(label)s must be a list.", label=label))
        return []
    cleaned = []
    for item in items:
        text = clean_text(errors, name, item, max_length=MAX_ITEM, label=_("Each line"))
        if text:
            cleaned.append(text)
    if len(cleaned) > MAX_ITEMS:
        errors.add(name, _("%(label)s can have at most %(MAX_ITEMS)s lines.", label=label, MAX_ITEMS=MAX_ITEMS))
    return cleaned


def _clean_contacts(errors: Errors, name: str, items, label: str) -> list[dict]:
    if items is None:
        return []
    if not isinstance(items, list):
        errors.add(name, _("%(label)s must be a list.", label=label))
        return []
    cleaned = []
    for item in items:
        if not isinstance(item, dict):
            errors.add(name, _("Each entry needs a name and, if you like, a phone number."))
            continue
        who = clean_text(errors, name, item.get("name"), max_length=200, label=_("A name"))
        phone = _clean_phone(errors, name, item.get("phone"))
        if phone and not who:
            errors.add(name, _("Give each phone number a name, so you know who you are calling."))
        if who:
            cleaned.append({"name": who, "phone": phone or None})
    if len(cleaned) > MAX_ITEMS:
        errors.add(name, _("%(label)s can have at most %(MAX_ITEMS)s entries.", label=label, MAX_ITEMS=MAX_ITEMS))
    return cleaned


def save_safety_plan(user: User, data: dict) -> tuple[dict, datetime]:
    """Replace this person's safety plan with ``data`` (the six steps and, optionally, reasons for living)."""
    errors = Errors()
    content = {}
    for key in SAFETY_KEYS:
        if key in PEOPLE_STEPS:
            content[key] = _clean_contacts(errors, key, data.get(key), "This step")
        else:
            content[key] = _clean_list(errors, key, data.get(key), "This step")
    content["reasons"] = _clean_list(errors, "reasons", data.get("reasons"), "This list")
    errors.raise_if_any()
    plan = db.session.scalar(mine(user, SafetyPlan))
    if plan is None:
        plan = SafetyPlan(user_id=user.id)
        db.session.add(plan)
    plan.content = content
    plan.updated_at = datetime.now(UTC)
    db.session.commit()
    return safety_plan_for(user)


# ---- the aftercare plan -----------------------------------------------------------------------------

AFTERCARE_FIELDS = ("follow_up", "meetings", "sponsor_name", "sponsor_phone", "contacts", "steps")


def aftercare_plan_for(user: User) -> AftercarePlan | None:
    """This participant's aftercare plan, or None before one is written."""
    return db.session.scalar(mine(user, AftercarePlan))


def aftercare_version(plan: AftercarePlan | None) -> str:
    """A token for the plan as it is now, which a form sends back so a save cannot undo a change it never saw."""
    return "" if plan is None else plan.updated_at.astimezone(UTC).isoformat(timespec="microseconds")


def _plan_is_empty(follow_up, meetings, sponsor_name, contacts, steps) -> bool:
    return not (follow_up or meetings or sponsor_name or contacts or steps)


def save_aftercare_plan(participant: User, data: dict, author: User, *, expected_version: str | None = None) -> AftercarePlan:
    """Write a participant's aftercare plan; ``author`` is the participant or, under consent, a counselor.

    The caller checks that ``author`` may write it: the participant always, staff only with the
    participant's consent (``counselor.services.save_aftercare``). With ``expected_version`` (the
    ``aftercare_version`` the author's form was built from), a plan changed since by someone else is not
    overwritten: a ``Conflict`` is raised and nothing is saved.
    """
    errors = Errors()
    follow_up = clean_text(errors, "follow_up", data.get("follow_up"), max_length=4000, label=_("Follow-up care"))
    meetings = clean_text(errors, "meetings", data.get("meetings"), max_length=4000, label=_("Meetings"))
    sponsor_name = clean_text(errors, "sponsor_name", data.get("sponsor_name"), max_length=200, label=_("The name"))
    sponsor_phone = _clean_phone(errors, "sponsor_phone", data.get("sponsor_phone"))
    if sponsor_phone and not sponsor_name and not errors.keys() & {"sponsor_name", "sponsor_phone"}:
        errors.add("sponsor_name", _("Give the sponsor's or mentor's name with their phone number."))
    contacts = _clean_contacts(errors, "contacts", data.get("contacts"), "People to call")
    steps = _clean_list(errors, "steps", data.get("steps"), "Next steps")
    # The participant may empty their own plan; staff may not wipe it, nor start an empty one.
    if author.id != participant.id and not errors and _plan_is_empty(follow_up, meetings, sponsor_name, contacts, steps):
        errors.add("follow_up", _("Write at least one part of the plan: follow-up care, meetings, a sponsor or "
                                "mentor, people to call or next steps."))
    errors.raise_if_any()
    plan = aftercare_plan_for(participant)
    if expected_version is not None and expected_version != aftercare_version(plan):
        who = plan.updated_by.name if plan is not None and plan.updated_by is not None else "Someone"
        raise Conflict(_("%(who)s changed this plan while you were writing. Nothing is saved yet: what you wrote is still in the form below, and the plan as it is saved now is shown above it. Bring in anything you want to keep, then save again.", who=who))
    now = datetime.now(UTC)
    if plan is None:
        plan = AftercarePlan(user_id=participant.id, created_by_id=author.id, created_at=now)
        db.session.add(plan)
    plan.follow_up, plan.meetings = follow_up, meetings
    plan.sponsor_name, plan.sponsor_phone = sponsor_name, sponsor_phone
    plan.contacts, plan.steps = contacts, steps
    plan.updated_by_id = author.id
    plan.updated_at = now
    db.session.commit()
    return plan


def aftercare_body(plan: AftercarePlan | None) -> dict:
    """An aftercare plan as the API shows it (empty fields before one exists)."""
    if plan is None:
        return {"follow_up": "", "meetings": "", "sponsor": {"name": "", "phone": ""}, "contacts": [],
                "steps": [], "updated_at": None, "updated_by": None}
    author = plan.updated_by
    return {"follow_up": plan.follow_up, "meetings": plan.meetings,
            "sponsor": {"name": plan.sponsor_name, "phone": plan.sponsor_phone},
            "contacts": plan.contacts, "steps": plan.steps, "updated_at": plan.updated_at,
            "updated_by": None if author is None else {"id": author.id, "name": author.name, "role": author.role}}
