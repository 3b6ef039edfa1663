"""Groups, their occurrences, appointments, agendas and attendance."""

from __future__ import annotations

import re
from flask_babel import gettext as _, lazy_gettext as _l
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from sqlalchemy import String, bindparam, delete, literal, null, select, union_all
from sqlalchemy.orm import selectinload

from companion import limits
from companion.access import ME, active_consents_to, mine_columns, prepared, program_members, read_mine
from companion.blueprints.privacy import ledger
from companion.blueprints.reminders.planner import replan
from companion.errors import Conflict, Invalid, NotFound
from companion.extensions import db
from companion.i18n import N_
from companion.models import (
    Appointment,
    Attendance,
    Group,
    GroupMember,
    OccurrenceChange,
    Program,
    Role,
    Scope,
    User,
)
from companion.models.base import UTCDateTime, utcnow
from companion.timezones import is_valid_zone, zone
from companion.validation import Wording, clean_text

WEEKDAYS = [("MO", _l("Monday")), ("TU", _l("Tuesday")), ("WE", _l("Wednesday")), ("TH", _l("Thursday")), ("FR", _l("Friday")),
            ("SA", _l("Saturday")), ("SU", _l("Sunday"))]
ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
MAX_DURATION = 12 * 60
CHECK_IN_EARLY = timedelta(minutes=15)
KEY_PATTERN = re.compile(r"^g(\d{1,12})-(\d{8}T\d{6}Z)$|^a(\d{1,12})$")
DISCREET_TEXT = _l("Companion appointment")


@dataclass
class Occurrence:
    """One session on someone's agenda: a group's occurrence or an appointment."""

    key: str
    kind: str  # "group" or "appointment"
    source_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    video_url: str = ""
    original_start: datetime | None = None
    moved: bool = False
    cancelled: bool = False
    participant_id: int | None = None
    extra: dict = field(default_factory=dict)

    def happening(self, now: datetime) -> bool:
        """Whether one can check in now: from 15 minutes before the start until the end."""
        return not self.cancelled and self.starts_at - CHECK_IN_EARLY <= now <= self.ends_at
# The agenda shows this many local days from today, on the page and in the API by default.
AGENDA_DAYS = 14


def occurrence_key(group_id: int, original_start: datetime) -> str:
    """The stable key of a group's occurrence: the group and the occurrence's original start in UTC."""
    return f"g{group_id}-{original_start.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def parse_key(key: str) -> tuple[str, int, datetime | None]:
    """``("group", id, original_start)`` or ``("appointment", id, None)``; NotFound for anything else."""
    match = KEY_PATTERN.match(key or "")
    if not match:
        raise NotFound(_("That session was not found."))
    if match.group(3):
        return "appointment", int(match.group(3)), None
    start = datetime.strptime(match.group(2), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return "group", int(match.group(1)), start


# The sessions' own sentences for text, as their pages and tests have them.
WORDING = Wording(unstorable=N_("%(label)s contains a character we cannot store."),
                  empty=N_("%(label)s is required."),
                  too_long=N_("%(label)s may have at most %(max_length)s characters."))


def checked_text(name: str, value: str | None, *, max_length: int, required: bool = False, label: str) -> str:
    """One text field cleaned by ``validation.clean_text``; Invalid naming the field at its first problem."""
    errors: dict[str, list[str]] = {}
    value = clean_text(errors, name, value, max_length=max_length, required=required, label=label, wording=WORDING)
    if errors:
        raise Invalid.field(name, errors[name][0])
    return value


def clean_url(value: str | None) -> str:
    """An optional http(s) link for joining by video."""
    value = checked_text("video_url", value, max_length=limits.VIDEO_URL, label=_("The video link"))
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in value):
        raise Invalid.field("video_url", _("Enter the full video link, starting with https://."))
    return value


def clean_duration(minutes) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 5 <= minutes <= MAX_DURATION:
        raise Invalid.field("duration_minutes", _("A session lasts between 5 and %(MAX_DURATION)s minutes.", MAX_DURATION=MAX_DURATION))
    return minutes


def clean_zone(name: str | None) -> str:
    if not name or "\x00" in name or not is_valid_zone(name):
        raise Invalid.field("timezone", _("Choose a time zone from the list, such as America/New_York."))
    return name


def weekly_rule(days: Iterable[str]) -> str:
    """The RRULE of a weekly group on the chosen days (two-letter codes)."""
    chosen = [code for code, _ in WEEKDAYS if code in set(days)]
    if not chosen:
        raise Invalid.field("days", _("Choose at least one day of the week."))
    return f"FREQ=WEEKLY;BYDAY={','.join(chosen)}"


def rule_days(rule_text: str) -> list[str]:
    """The weekdays of a simple weekly rule, for the friendly form; empty when the rule is not one."""
    match = re.fullmatch(r"FREQ=WEEKLY;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*)", rule_text)
    return match.group(1).split(",") if match else []


def parse_rule(rule_text: str | None, start: datetime) -> tuple[str, rrule]:
    """The normalised RRULE value and its rule from the local naive ``start``; Invalid with the reason."""
    text = checked_text("rrule", rule_text, max_length=limits.REPEAT_RULE, required=True, label=_("The repeat rule"))
    text = re.sub(r"^RRULE:", "", text, flags=re.IGNORECASE).strip().upper()
    if "\n" in text or "DTSTART" in text or ":" in text:
        raise Invalid.field("rrule", _("Give only the rule itself, such as FREQ=WEEKLY;BYDAY=MO,WE."))
    try:
        rule = rrulestr(text, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as error:
        raise Invalid.field("rrule", _("This repeat rule is not valid RFC 5545 (%(error)s). For example: FREQ=WEEKLY;BYDAY=MO,WE,TH.", error=error)) from None
    if not isinstance(rule, rrule) or rule._freq not in ALLOWED_FREQUENCIES:
        raise Invalid.field("rrule", _("A group repeats daily, weekly, monthly or yearly."))
    if "UNTIL=" in text and re.search(r"UNTIL=\d{8}T\d{6}Z", text):
        raise Invalid.field("rrule", _("Give UNTIL as a local date (UNTIL=20261231), without a time zone."))
    try:
        rule.after(start - timedelta(seconds=1), inc=True)
    except (ValueError, OverflowError) as error:
        raise Invalid.field("rrule", _("This repeat rule cannot be used (%(error)s).", error=error)) from None
    return text, rule


def local_start(group: Group) -> datetime:
    return datetime.combine(group.start_date, group.start_time)


def to_utc(local: datetime, zone_name: str) -> datetime:
    """A local wall-clock time in ``zone_name`` as UTC (a time skipped by a clock change moves forward)."""
    aware = local.replace(tzinfo=zone(zone_name))
    return aware.astimezone(UTC)


def group_occurrences(group: Group, start: datetime, end: datetime, *,
                      include_cancelled: bool = False) -> list[Occurrence]:
    """The group's occurrences starting in [start, end), at the same local time across clock changes."""
    tz = zone(group.timezone)
    _, rule = parse_rule(group.rrule, local_start(group))
    margin = timedelta(days=2)
    local_from = start.astimezone(tz).replace(tzinfo=None) - margin
    local_to = end.astimezone(tz).replace(tzinfo=None) + margin
    changes = {change.original_start: change for change in group.changes}
    duration = timedelta(minutes=group.duration_minutes)
    found = []

    def make(original: datetime, starts: datetime, *, moved=False, cancelled=False) -> Occurrence:
        return Occurrence(key=occurrence_key(group.id, original), kind="group", source_id=group.id,
                          title=group.name, starts_at=starts, ends_at=starts + duration, location=group.location,
                          video_url=group.video_url, original_start=original, moved=moved, cancelled=cancelled)

    for local in rule.between(local_from, local_to, inc=True):
        original = to_utc(local, group.timezone)
        change = changes.get(original)
        if change is not None and (change.new_start is not None or not include_cancelled):
            continue
        if start <= original < end:
            found.append(make(original, original, cancelled=change is not None))
    for change in changes.values():
        if change.new_start is not None and start <= change.new_start < end:
            found.append(make(change.original_start, change.new_start, moved=True))
    return sorted(found, key=lambda o: o.starts_at)


def is_occurrence(group: Group, original: datetime) -> bool:
    """Whether ``original`` (UTC) is an occurrence of the group's rule."""
    return any(o.original_start == original for o in
               group_occurrences(group, original, original + timedelta(seconds=1), include_cancelled=True))


def appointment_occurrence(appointment: Appointment) -> Occurrence:
    return Occurrence(key=f"a{appointment.id}", kind="appointment", source_id=appointment.id,
                      title=appointment.title, starts_at=appointment.starts_at,
                      ends_at=appointment.starts_at + timedelta(minutes=appointment.duration_minutes),
                      location=appointment.location, participant_id=appointment.user_id)


def groups_of(user: User) -> list[Group]:
    """The groups a participant is enrolled in."""
    return list(db.session.scalars(
        select(Group).join(GroupMember).where(GroupMember.user_id == user.id)
        .options(selectinload(Group.changes)).order_by(Group.name)))


def program_groups(program_id: int | None) -> list[Group]:
    """A program's groups, for its staff."""
    if program_id is None:
        return []
    return list(db.session.scalars(
        select(Group).where(Group.program_id == program_id)
        .options(selectinload(Group.changes), selectinload(Group.members)).order_by(Group.name)))


def agenda(user: User, start: datetime, end: datetime) -> list[Occurrence]:
    """A participant's sessions starting in [start, end): their groups' occurrences and their appointments."""
    return my_sessions(user, start, end)[0]


def my_sessions(user: User, start: datetime, end: datetime) -> tuple[list[Occurrence], set[str]]:
    """A participant's agenda for [start, end) and the keys of its occurrences they were present at.

    One statement reads the appointments, the groups (only their id and version: the schedules come from
    ``schedule_of``) and the attendance of the window together.
    """
    rows = read_mine(user, _my_sessions_statement(), start=start, end=end, attended_from=start - ATTENDANCE_MARGIN,
                     attended_to=end + ATTENDANCE_MARGIN).all()
    versions = {row.ref: row.at for row in rows if row.kind == "g"}
    found = [o for schedule in sorted(schedules_of(versions), key=lambda s: s.name)
             for o in cached_occurrences(schedule, start, end)]
    found += [Occurrence(key=f"a{row.ref}", kind="appointment", source_id=row.ref, title=row.title,
                         starts_at=row.at, ends_at=row.at + timedelta(minutes=row.minutes), location=row.location,
                         participant_id=user.id) for row in rows if row.kind == "a"]
    found.sort(key=lambda o: (o.starts_at, o.title))
    present = {occurrence_key(row.ref, row.at) for row in rows if row.kind == "p"}
    attended_from, attended_to = start - ATTENDANCE_MARGIN, end + ATTENDANCE_MARGIN
    if any(o.moved and not attended_from <= o.original_start < attended_to for o in found):
        present |= checked_in_keys(user, found)  # moved from far away: its attendance is outside the window read
    return found, present


# Attendance is read with the agenda for occurrences whose original start is this close to the window; only an
# occurrence moved from further away needs a statement of its own.
ATTENDANCE_MARGIN = timedelta(days=60)


@prepared
def _my_sessions_statement():
    start, end = bindparam("start", type_=UTCDateTime), bindparam("end", type_=UTCDateTime)
    attended_from, attended_to = bindparam("attended_from", type_=UTCDateTime), bindparam("attended_to", type_=UTCDateTime)
    appointments = mine_columns(ME, Appointment, literal("a", String).label("kind"), Appointment.id.label("ref"),
                                Appointment.starts_at.label("at"), Appointment.duration_minutes.label("minutes"),
                                Appointment.title.label("title"), Appointment.location.label("location")).where(
        Appointment.starts_at >= start, Appointment.starts_at < end)
    groups = mine_columns(ME, GroupMember, literal("g", String), GroupMember.group_id, Group.updated_at, null(), null(),
                          null()).join(Group, Group.id == GroupMember.group_id)
    present = mine_columns(ME, Attendance, literal("p", String), Attendance.group_id, Attendance.occurrence_start, null(),
                           null(), null()).where(
        Attendance.present.is_(True), Attendance.occurrence_start >= attended_from, Attendance.occurrence_start < attended_to)
    return union_all(appointments, groups, present)


@dataclass(frozen=True)
class ChangeView:
    """An occurrence's cancellation or move, as a schedule keeps it."""

    original_start: datetime
    new_start: datetime | None
    cancelled: bool


@dataclass(frozen=True)
class Schedule:
    """What a group's occurrences are made of, with the same names as ``Group``'s so that either can be expanded.

    It holds no personal data (a program's timetable), so it may be kept in memory between requests: by
    ``schedule_of``, keyed on the group's version, which every change of the group or of one of its
    occurrences moves on (``touch``). Every worker reads the version with the page's own rows, so a change
    made through another worker shows on the very next page load.
    """

    id: int
    version: datetime
    name: str
    rrule: str
    start_date: date
    start_time: time
    timezone: str
    duration_minutes: int
    location: str
    video_url: str
    changes: tuple[ChangeView, ...]


_SCHEDULES: dict[int, Schedule] = {}
_EXPANDED: dict[tuple, list[Occurrence]] = {}
# Bounds on what is kept (a program has tens of groups; an installation a few thousand at most).
_MAX_SCHEDULES, _MAX_EXPANDED = 5_000, 20_000


def schedules_of(versions: dict[int, datetime]) -> list[Schedule]:
    """The schedules of these groups at these versions: from memory, the stale or missing ones read in one statement."""
    found = [_SCHEDULES.get(group_id) for group_id in versions]
    missing = [group_id for group_id, schedule in zip(versions, found) if schedule is None
               or schedule.version != versions[group_id]]
    if missing:
        if len(_SCHEDULES) > _MAX_SCHEDULES:
            _SCHEDULES.clear()
        for group in db.session.scalars(select(Group).where(Group.id.in_(missing)).options(selectinload(Group.changes))):
            _SCHEDULES[group.id] = schedule_of(group)
    return [_SCHEDULES[group_id] for group_id in versions if group_id in _SCHEDULES]


def schedule_of(group: Group) -> Schedule:
    """A group's schedule as it is now."""
    return Schedule(id=group.id, version=group.updated_at, name=group.name, rrule=group.rrule,
                    start_date=group.start_date, start_time=group.start_time, timezone=group.timezone,
                    duration_minutes=group.duration_minutes, location=group.location, video_url=group.video_url,
                    changes=tuple(ChangeView(c.original_start, c.new_start, c.cancelled) for c in group.changes))


# Occurrences are expanded once per schedule version and UTC day for this window around the day, then filtered.
_EXPANDED_BEFORE, _EXPANDED_AFTER = timedelta(days=2), timedelta(days=40)


def cached_occurrences(schedule: Schedule, start: datetime, end: datetime) -> list[Occurrence]:
    """``group_occurrences`` of a schedule, expanded once per version and day rather than on every request."""
    day = datetime.combine(start.astimezone(UTC).date(), time(), UTC)
    window_start, window_end = day - _EXPANDED_BEFORE, day + _EXPANDED_AFTER
    if end > window_end:
        return group_occurrences(schedule, start, end)
    key = (schedule.id, schedule.version, day)
    expanded = _EXPANDED.get(key)
    if expanded is None:
        if len(_EXPANDED) > _MAX_EXPANDED:
            _EXPANDED.clear()
        expanded = _EXPANDED[key] = group_occurrences(schedule, window_start, window_end)
    return [replace(o) for o in expanded if start <= o.starts_at < end]


def touch(group: Group) -> None:
    """Move the group's version on, so that every worker expands its schedule again."""
    group.updated_at = max(utcnow(), group.updated_at + timedelta(microseconds=1))


def staff_agenda(staff: User, start: datetime, end: datetime) -> list[Occurrence]:
    """A staff member's agenda: the program's groups (cancelled ones shown) and the appointments they set up."""
    found = [o for group in program_groups(staff.program_id)
             for o in group_occurrences(group, start, end, include_cancelled=True)]
    appointments = db.session.scalars(select(Appointment).where(
        Appointment.created_by_id == staff.id, Appointment.starts_at >= start, Appointment.starts_at < end))
    found += [appointment_occurrence(a) for a in appointments]
    return sorted(found, key=lambda o: (o.starts_at, o.title))


def next_session(user: User, now: datetime) -> tuple[Occurrence | None, set[str]]:
    """The participant's next session not yet over, within four weeks, and whether they checked in to it."""
    found, present = my_sessions(user, now - timedelta(hours=12), now + timedelta(days=28))
    upcoming = next((o for o in found if o.ends_at > now), None)
    return upcoming, {upcoming.key} & present if upcoming else set()


def local_day_bounds(day_from: date, day_to: date, zone_name: str) -> tuple[datetime, datetime]:
    """UTC bounds of the local days from ``day_from`` to ``day_to`` inclusive."""
    start = to_utc(datetime.combine(day_from, time()), zone_name)
    end = to_utc(datetime.combine(day_to + timedelta(days=1), time()), zone_name)
    return start, end


def _check_group_fields(*, name, rule_text, start_date, start_time, timezone, duration_minutes, location,
                        video_url) -> dict:
    errors: dict[str, list[str]] = {}
    values = {}
    checks = {
        "name": lambda: checked_text("name", name, max_length=limits.GROUP_NAME, required=True, label=_("The name")),
        "timezone": lambda: clean_zone(timezone),
        "duration_minutes": lambda: clean_duration(duration_minutes),
        "location": lambda: checked_text("location", location, max_length=limits.PLACE, label=_("The place")),
        "video_url": lambda: clean_url(video_url),
    }
    for key, check in checks.items():
        try:
            values[key] = check()
        except Invalid as error:
            errors.update(error.errors or {})
    if not isinstance(start_date, date) or not 2000 <= start_date.year <= 2100:
        errors["start_date"] = ["Choose the date of the first session."]
    elif not isinstance(start_time, time):
        errors["start_time"] = ["Choose the time the session starts."]
    else:
        try:
            values["rrule"], _dtstart = parse_rule(rule_text, datetime.combine(start_date, start_time))
        except Invalid as error:
            errors.update(error.errors or {})
    if errors:
        raise Invalid(_("Some details of the group need another look."), errors)
    return values


def create_group(program: Program, creator: User | None, *, name: str, rule_text: str, start_date: date,
                 start_time: time, timezone: str, duration_minutes: int, location: str = "",
                 video_url: str = "") -> Group:
    """Create a recurring group in a program."""
    values = _check_group_fields(name=name, rule_text=rule_text, start_date=start_date, start_time=start_time,
                                 timezone=timezone, duration_minutes=duration_minutes, location=location,
                                 video_url=video_url)
    group = Group(program_id=program.id, created_by_id=creator.id if creator else None, start_date=start_date,
                  start_time=start_time.replace(microsecond=0), **values)
    db.session.add(group)
    db.session.commit()
    return group


def update_group(group: Group, *, name: str, rule_text: str, start_date: date, start_time: time, timezone: str,
                 duration_minutes: int, location: str = "", video_url: str = "") -> Group:
    """Change a group's details; the members' future reminders follow."""
    values = _check_group_fields(name=name, rule_text=rule_text, start_date=start_date, start_time=start_time,
                                 timezone=timezone, duration_minutes=duration_minutes, location=location,
                                 video_url=video_url)
    for key, value in values.items():
        setattr(group, key, value)
    group.start_date, group.start_time = start_date, start_time.replace(microsecond=0)
    touch(group)
    db.session.commit()
    replan([m.user_id for m in group.members])
    return group


def delete_group(group: Group) -> None:
    """Remove a group and every future reminder of it."""
    members = [m.user_id for m in group.members]
    db.session.delete(group)
    db.session.commit()
    replan(list(members))


def program_participant(staff: User, participant_id) -> User:
    """A participant of the staff member's program; a 404 for anyone else."""
    user = db.session.get(User, participant_id) if isinstance(participant_id, int) else None
    if user is None or user.role != Role.PARTICIPANT or user.program_id is None or user.program_id != staff.program_id:
        raise NotFound(_("That participant was not found in your program."))
    return user


def program_participants(staff: User) -> list[User]:
    """The participants of a staff member's program, by name."""
    return program_members(staff.program_id, Role.PARTICIPANT)


def enrol(group: Group, participant: User) -> GroupMember:
    """Enrol a participant of the group's program; their reminders are planned."""
    if participant.program_id != group.program_id or participant.role != Role.PARTICIPANT:
        raise NotFound(_("That participant was not found in your program."))
    member = db.session.scalar(select(GroupMember).where(GroupMember.group_id == group.id,
                                                         GroupMember.user_id == participant.id))
    if member is None:
        member = GroupMember(group_id=group.id, user_id=participant.id)
        db.session.add(member)
        db.session.commit()
    replan([participant.id])
    return member


def unenrol(group: Group, participant_id: int) -> None:
    """Remove a participant from a group; their future reminders of it go."""
    db.session.execute(delete(GroupMember).where(GroupMember.group_id == group.id,
                                                 GroupMember.user_id == participant_id))
    db.session.commit()
    replan([participant_id])


def group_occurrence(group: Group, key: str) -> Occurrence:
    """The group's occurrence with this key (cancelled or moved ones included); NotFound otherwise."""
    kind, group_id, original = parse_key(key)
    if kind != "group" or group_id != group.id:
        raise NotFound(_("That session was not found."))
    change = next((c for c in group.changes if c.original_start == original), None)
    if change is not None and change.new_start is not None:
        return Occurrence(key=key, kind="group", source_id=group.id, title=group.name, starts_at=change.new_start,
                          ends_at=change.new_start + timedelta(minutes=group.duration_minutes),
                          location=group.location, video_url=group.video_url, original_start=original, moved=True)
    if not is_occurrence(group, original):
        raise NotFound(_("That session was not found."))
    return Occurrence(key=key, kind="group", source_id=group.id, title=group.name, starts_at=original,
                      ends_at=original + timedelta(minutes=group.duration_minutes), location=group.location,
                      video_url=group.video_url, original_start=original, cancelled=change is not None)


def _change_for(group: Group, original: datetime) -> OccurrenceChange:
    change = next((c for c in group.changes if c.original_start == original), None)
    if change is None:
        change = OccurrenceChange(group=group, original_start=original)
        db.session.add(change)
    return change


def cancel_occurrence(group: Group, key: str) -> Occurrence:
    """Cancel one occurrence (an EXDATE); the series stays as it is."""
    occurrence = group_occurrence(group, key)
    change = _change_for(group, occurrence.original_start)
    change.cancelled, change.new_start = True, None
    touch(group)
    db.session.commit()
    replan([m.user_id for m in group.members])
    return occurrence


def move_occurrence(group: Group, key: str, new_start: datetime) -> Occurrence:
    """Move one occurrence to another time; the series stays as it is."""
    occurrence = group_occurrence(group, key)
    if new_start.tzinfo is None:
        raise Invalid.field("starts_at", _("Give the new time with its time zone."))
    change = _change_for(group, occurrence.original_start)
    change.cancelled, change.new_start = False, new_start.astimezone(UTC)
    touch(group)
    db.session.commit()
    replan([m.user_id for m in group.members])
    return group_occurrence(group, key)


def restore_occurrence(group: Group, key: str) -> Occurrence:
    """Undo a cancellation or a move of one occurrence."""
    occurrence = group_occurrence(group, key)
    db.session.execute(delete(OccurrenceChange).where(OccurrenceChange.group_id == group.id,
                                                      OccurrenceChange.original_start == occurrence.original_start))
    touch(group)
    db.session.commit()
    db.session.expire(group, ["changes"])
    replan([m.user_id for m in group.members])
    return group_occurrence(group, key)


def create_appointment(staff: User, participant: User, *, starts_at: datetime, duration_minutes: int,
                       title: str, location: str = "") -> Appointment:
    """An individual appointment for a participant (overlaps are allowed)."""
    errors: dict[str, list[str]] = {}
    values = {}
    for key, check in {
        "title": lambda: checked_text("title", title, max_length=limits.APPOINTMENT_TITLE, required=True, label=_("The title")),
        "duration_minutes": lambda: clean_duration(duration_minutes),
        "location": lambda: checked_text("location", location, max_length=limits.PLACE, label=_("The place")),
    }.items():
        try:
            values[key] = check()
        except Invalid as error:
            errors.update(error.errors or {})
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        errors["starts_at"] = ["Give the start with its time zone offset."]
    elif not 2000 <= starts_at.year <= 2100:
        errors["starts_at"] = ["Choose a date between 2000 and 2100."]
    if errors:
        raise Invalid(_("Some details of the appointment need another look."), errors)
    appointment = Appointment(user_id=participant.id, created_by_id=staff.id, starts_at=starts_at.astimezone(UTC),
                              **values)
    db.session.add(appointment)
    db.session.commit()
    replan([participant.id])
    return appointment


def delete_appointment(appointment: Appointment) -> None:
    """Remove an appointment and its future reminders."""
    participant_id = appointment.user_id
    db.session.delete(appointment)
    db.session.commit()
    replan([participant_id])


def check_in(user: User, key: str, now: datetime) -> Attendance:
    """A participant says they are at one of their group's sessions happening now."""
    kind, group_id, _local = parse_key(key)
    group = db.session.scalar(select(Group).join(GroupMember).where(
        Group.id == group_id, GroupMember.user_id == user.id)) if kind == "group" else None
    if group is None:
        raise NotFound(_("That session was not found."))
    occurrence = group_occurrence(group, key)
    if occurrence.cancelled:
        raise Conflict(_("This session was cancelled."))
    if not occurrence.happening(now):
        raise Conflict(_("You can check in from 15 minutes before the session until it ends."))
    return _record(user.id, group, occurrence.original_start, True, user.id)


def mark_attendance(staff: User, group: Group, key: str, present_ids: set[int]) -> list[Attendance]:
    """Staff record who was at one occurrence: the members in ``present_ids`` present, the others absent.

    A member whose attendance is not shared with this staff member was shown without their record, so an
    empty box there does not undo their own check-in: it marks them absent only when nothing says present.
    """
    occurrence = group_occurrence(group, key)
    shared = {c.participant_id for c in active_consents_to(staff, [m.user_id for m in group.members], Scope.ATTENDANCE)}
    return [row for m in group.members
            if (row := _record(m.user_id, group, occurrence.original_start, m.user_id in present_ids, staff.id,
                               keep_own_check_in=m.user_id not in shared)) is not None]


def _record(user_id: int, group: Group, original: datetime, present: bool, by_id: int,
            keep_own_check_in: bool = False) -> Attendance | None:
    row = db.session.scalar(select(Attendance).where(Attendance.user_id == user_id, Attendance.group_id == group.id,
                                                     Attendance.occurrence_start == original))
    if row is None:
        row = Attendance(user_id=user_id, group_id=group.id, occurrence_start=original, present=present)
        db.session.add(row)
    elif keep_own_check_in and not present and row.present and row.marked_by_id == user_id:
        return row
    row.present, row.marked_by_id, row.marked_at = present, by_id, utcnow()
    db.session.commit()
    return row


def attendance_for(group: Group, original: datetime) -> dict[int, bool]:
    """Who was recorded present (True) or absent (False) at one occurrence (for the system, not for staff eyes)."""
    rows = db.session.scalars(select(Attendance).where(Attendance.group_id == group.id,
                                                       Attendance.occurrence_start == original))
    return {row.user_id: row.present for row in rows}


def attendance_shown_to(staff: User, group: Group, occurrence: Occurrence) -> tuple[dict[int, bool], set[int]]:
    """(the recorded attendance at one occurrence, the members it is shown for): those who share it with
    ``staff`` (scope ``attendance``), each look recorded in their ledger; nothing of the others."""
    consents = active_consents_to(staff, [m.user_id for m in group.members], Scope.ATTENDANCE)
    if not consents:
        return {}, set()
    shared = {c.participant_id for c in consents}
    local = occurrence.original_start.astimezone(zone(group.timezone))
    ledger.record(staff, consents, "view", f"attendance: {group.name}, {local:%Y-%m-%d %H:%M}")  # shown translated: privacy.ledger.ledger_what
    return {user_id: present for user_id, present in attendance_for(group, occurrence.original_start).items()
            if user_id in shared}, shared


def checked_in_keys(user: User, occurrences: list[Occurrence]) -> set[str]:
    """The keys of these occurrences the participant is recorded present at."""
    starts = [o.original_start for o in occurrences if o.kind == "group"]
    if not starts:
        return set()
    rows = db.session.scalars(select(Attendance).where(Attendance.user_id == user.id, Attendance.present.is_(True),
                                                       Attendance.occurrence_start.in_(starts)))
    return {occurrence_key(row.group_id, row.occurrence_start) for row in rows}
