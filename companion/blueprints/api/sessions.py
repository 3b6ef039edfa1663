"""Sessions: my agenda; for staff, groups, their members and appointments."""

from __future__ import annotations

from flask_babel import gettext as _
from datetime import date, datetime, timedelta
from typing import Annotated

from flask_login import current_user
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints

from companion import limits
from companion.access import in_program
from companion.blueprints.api.schemas import ZONES
from companion.blueprints.api.spec import Input, Query, QueryDate, endpoint
from companion.blueprints.sessions import services
from companion.errors import Invalid
from companion.models import Group
from companion.roles import STAFF, required
from companion.timezones import zone


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a character that cannot be stored")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
MAX_RANGE_DAYS = 366


class SessionsQuery(Query):
    from_: QueryDate | None = Field(default=None, alias="from", description="First local date (YYYY-MM-DD); today by default.")
    to: QueryDate | None = Field(default=None, description="Last local date, inclusive; 13 days after `from` by default.")


class OccurrenceOut(BaseModel):
    key: str = Field(description="Stable id of the occurrence.")
    kind: str = Field(description="group or appointment.")
    title: str
    starts_at: datetime = Field(description="ISO 8601 with offset (the person's time zone).")
    ends_at: datetime
    location: str
    video_url: str
    cancelled: bool = False
    moved: bool = False


class GroupIn(Input):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=limits.GROUP_NAME)]
    rrule: Annotated[Text, StringConstraints(min_length=1, max_length=limits.REPEAT_RULE)] = Field(
        description="RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO,WE,TH")
    dtstart: datetime = Field(description="The first session's local start, without offset, e.g. 2026-03-02T18:00.")
    timezone: Annotated[Text, StringConstraints(min_length=1, max_length=64)] = Field(
        description="IANA time zone name.", json_schema_extra={"enum": ZONES})
    duration_minutes: int = Field(ge=5, le=services.MAX_DURATION)
    location: Annotated[Text, StringConstraints(max_length=limits.PLACE)] = ""
    video_url: Annotated[Text, StringConstraints(max_length=limits.VIDEO_URL)] = ""


class GroupOut(BaseModel):
    id: int
    name: str
    rrule: str
    dtstart: str = Field(description="Local start of the first session, without offset.")
    timezone: str
    duration_minutes: int
    location: str
    video_url: str
    members: list[int] = Field(description="Participant ids.")


class MemberIn(Input):
    participant_id: int


class AppointmentIn(Input):
    participant_id: int
    starts_at: AwareDatetime = Field(description="ISO 8601 with offset.")
    duration_minutes: int = Field(ge=5, le=services.MAX_DURATION)
    title: Annotated[Text, StringConstraints(min_length=1, max_length=limits.APPOINTMENT_TITLE)]
    location: Annotated[Text, StringConstraints(max_length=limits.PLACE)] = ""


class AppointmentOut(BaseModel):
    id: int
    participant_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    location: str


def occurrence_body(o: services.Occurrence, tz) -> dict:
    return {"key": o.key, "kind": o.kind, "title": o.title, "starts_at": o.starts_at.astimezone(tz),
            "ends_at": o.ends_at.astimezone(tz), "location": o.location, "video_url": o.video_url,
            "cancelled": o.cancelled, "moved": o.moved}


def group_body(group: Group) -> dict:
    return {"id": group.id, "name": group.name, "rrule": group.rrule,
            "dtstart": datetime.combine(group.start_date, group.start_time).isoformat(timespec="minutes"),
            "timezone": group.timezone, "duration_minutes": group.duration_minutes, "location": group.location,
            "video_url": group.video_url, "members": sorted(m.user_id for m in group.members)}


@endpoint("/sessions", "GET", summary="My sessions", tag="sessions", query=SessionsQuery,
          response=list[OccurrenceOut], errors=(422,))
def list_sessions(query: SessionsQuery):
    """My group sessions and appointments on the local dates from `from` to `to` (staff: the program's)."""
    tz = zone(current_user.timezone)
    first = query.from_ or datetime.now(tz).date()
    last = query.to or first + timedelta(days=services.AGENDA_DAYS - 1)
    if last < first:
        raise Invalid.field("to", _("`to` is on or after `from`."))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid.field("to", _("Ask for at most %(MAX_RANGE_DAYS)s days at a time.", MAX_RANGE_DAYS=MAX_RANGE_DAYS))
    start, end = services.local_day_bounds(first, last, current_user.timezone)
    found = services.staff_agenda(current_user, start, end) if current_user.is_staff else \
        services.agenda(current_user, start, end)
    return [occurrence_body(o, tz) for o in found]


@endpoint("/groups", "POST", summary="Create a group (staff)", tag="sessions", body=GroupIn, response=GroupOut,
          status=201, errors=(403, 422), roles=required(*STAFF, program=True, forbidden=True))
def create_group(body: GroupIn):
    """Create a recurring group in my program."""
    if body.dtstart.tzinfo is not None:
        raise Invalid.field("dtstart", _("Give the local start without an offset; the time zone goes in `timezone`."))
    group = services.create_group(current_user.program, current_user, name=body.name, rule_text=body.rrule,
                                  start_date=body.dtstart.date(), start_time=body.dtstart.time().replace(microsecond=0),
                                  timezone=body.timezone, duration_minutes=body.duration_minutes,
                                  location=body.location, video_url=body.video_url)
    return group_body(group)


@endpoint("/groups/<int:group_id>/members", "POST", summary="Enrol a participant (staff)", tag="sessions",
          body=MemberIn, response=GroupOut, status=201, errors=(404, 422), roles=required(*STAFF, program=True))
def add_member(group_id: int, body: MemberIn):
    """Enrol a participant of my program in one of its groups."""
    group = in_program(current_user, Group, group_id, what="That group")
    participant = services.program_participant(current_user, body.participant_id)
    services.enrol(group, participant)
    return group_body(group)


@endpoint("/appointments", "POST", summary="Book an appointment (staff)", tag="sessions", body=AppointmentIn,
          response=AppointmentOut, status=201, errors=(403, 404, 422),
          roles=required(*STAFF, program=True, forbidden=True))
def create_appointment(body: AppointmentIn):
    """An individual appointment for a participant of my program (overlaps are allowed)."""
    participant = services.program_participant(current_user, body.participant_id)
    appointment = services.create_appointment(current_user, participant, starts_at=body.starts_at,
                                              duration_minutes=body.duration_minutes, title=body.title,
                                              location=body.location)
    tz = zone(participant.timezone)
    return {"id": appointment.id, "participant_id": participant.id, "title": appointment.title,
            "starts_at": appointment.starts_at.astimezone(tz),
            "ends_at": (appointment.starts_at + timedelta(minutes=appointment.duration_minutes)).astimezone(tz),
            "duration_minutes": appointment.duration_minutes, "location": appointment.location}


