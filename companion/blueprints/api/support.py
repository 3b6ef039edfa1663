"""Meetings, saved meetings, the safety plan and the aftercare plan."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Literal

from flask import request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, model_validator

from companion import phones
from companion.blueprints.api.spec import Input, Query, endpoint
from companion.blueprints.counselor import services as counselor_services
from companion.blueprints.support import services
from companion.blueprints.support.library import PEOPLE_STEPS, type_name
from companion.i18n import current_language
from companion.models import Meeting
from companion.timezones import zone

Line = Annotated[str, Field(max_length=500)]


class MeetingsQuery(Query):
    day: int | None = Field(default=None, ge=0, le=6, description="Weekday as in Meeting Guide: 0 = Sunday ... 6 = Saturday.")
    type: str | None = Field(default=None, max_length=30, description="A Meeting Guide type code, e.g. O (open), W (women), S (Spanish).")
    q: str | None = Field(default=None, max_length=500, description="Words to find in the name, place, address, region or group.")
    online: bool | None = Field(default=None, description="true: online meetings only; false: in-person meetings only.")
    time_of_day: Literal["morning", "afternoon", "evening", "night"] | None = Field(
        default=None, description="morning 05-12, afternoon 12-17, evening 17-21, night 21-05 (the meeting's local time).")
    soon: bool = Field(default=False, description="Only meetings starting within the next 2 hours.")
    near: str | None = Field(default=None, max_length=200,
                             description="'latitude, longitude', or a town or ZIP code found in the meeting list; nearest first.")
    limit: int = Field(default=100, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=200, description=(
        "The X-Next-Cursor of the previous answer, with the same other parameters: the next page."))

    @model_validator(mode="before")
    @classmethod
    def empty_means_any(cls, data):
        """``?day=&type=`` (a form sent with nothing chosen) means no filter, not an error."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


class MeetingOut(BaseModel):
    id: int
    slug: str
    name: str
    day: int | list[int] | None = Field(description="0 = Sunday ... 6 = Saturday; a list when held on several days; null by appointment.")
    time: str | None = Field(description="HH:MM, 24-hour, in the meeting's time zone.")
    end_time: str | None
    timezone: str
    types: list[str] = Field(description="Meeting Guide type codes, legacy and local ones included.")
    type_names: list[str]
    location: str | None
    formatted_address: str | None
    region: str | None
    latitude: float | None
    longitude: float | None
    conference_url: str | None
    conference_url_notes: str | None
    conference_phone: str | None
    conference_phone_notes: str | None
    notes: str | None
    location_notes: str | None
    group: str | None
    url: str | None
    online: bool
    in_person: bool
    next_start: datetime | None = Field(description="When it next starts (ISO 8601, in my time zone, with its offset).")
    distance_miles: float | None = Field(default=None, description="From the place given in `near`.")
    saved: bool


def meeting_body(meeting: Meeting, *, now: datetime, saved: bool, distance: float | None = None) -> dict:
    days = meeting.days
    start = services.next_start(meeting, now)
    return {
        "id": meeting.id, "slug": meeting.slug, "name": meeting.name,
        "day": None if not days else days[0] if len(days) == 1 else days,
        "time": meeting.time, "end_time": meeting.end_time, "timezone": meeting.timezone,
        "types": meeting.types, "type_names": [str(type_name(code)) for code in meeting.types],
        "location": meeting.location, "formatted_address": meeting.formatted_address, "region": meeting.region,
        "latitude": meeting.latitude, "longitude": meeting.longitude, "conference_url": meeting.conference_url,
        "conference_url_notes": meeting.conference_url_notes, "conference_phone": meeting.conference_phone,
        "conference_phone_notes": meeting.conference_phone_notes, "notes": meeting.notes,
        "location_notes": meeting.location_notes, "group": meeting.group_name, "url": meeting.url,
        "online": meeting.online, "in_person": meeting.in_person, "next_start": start.astimezone(zone(current_user.timezone)) if start else None,
        "distance_miles": None if distance is None else round(distance, 2), "saved": saved,
    }


NEXT_PAGE = {
    "X-Next-Cursor": "Present when more meetings match than this answer holds: pass it as `cursor` (with the "
                     "same other parameters) for the next page. The pages keep the order of the first one.",
    "Link": 'The same next page as a URL, rel="next" (RFC 8288).',
}


@endpoint("/meetings", "GET", summary="Search the meeting list", tag="support", query=MeetingsQuery,
          response=list[MeetingOut], headers=NEXT_PAGE)
def meetings(query: MeetingsQuery):
    """The meetings of my program's list (and those listed for everyone) that match, soonest first, at most
    ``limit`` of them; the header X-Next-Cursor leads to the rest."""
    offset, now = services.decode_meeting_cursor(query.cursor) if query.cursor else (0, datetime.now(UTC))
    search = services.MeetingSearch(day=query.day, time_of_day=query.time_of_day, type=query.type, q=query.q or "",
                                    online=query.online, soon=query.soon, near=query.near or "", limit=query.limit,
                                    offset=offset)
    result = services.search_meetings(current_user, search, now=now)
    saved = services.saved_ids(current_user)
    body = [meeting_body(m, now=now, saved=m.id in saved, distance=result.distances.get(m.id)) for m in result.meetings]
    headers = {}
    if offset + len(result.meetings) < result.total:
        cursor = services.encode_meeting_cursor(offset + len(result.meetings), now)
        args = {**request.args.to_dict(flat=True), "cursor": cursor}
        headers = {"X-Next-Cursor": cursor, "Link": f'<{url_for("api.meetings", **args)}>; rel="next"'}
    return body, 200, headers


class SavedMeetingIn(Input):
    meeting_id: int = Field(ge=1)
    remind: bool = Field(default=False, description="Remind me before each time it starts.")


class SavedMeetingPatch(Input):
    remind: bool


class SavedMeetingOut(BaseModel):
    id: int
    meeting_id: int
    remind: bool
    created_at: datetime
    meeting: MeetingOut


def saved_body(saved, now: datetime) -> dict:
    return {"id": saved.id, "meeting_id": saved.meeting_id, "remind": saved.remind, "created_at": saved.created_at,
            "meeting": meeting_body(saved.meeting, now=now, saved=True)}


@endpoint("/saved-meetings", "GET", summary="My saved meetings", tag="support", response=list[SavedMeetingOut])
def saved_meetings():
    """My saved meetings, soonest first."""
    now = datetime.now(UTC)
    return [saved_body(s, now) for s in services.saved_meetings(current_user)]


@endpoint("/saved-meetings", "POST", summary="Save a meeting", tag="support", body=SavedMeetingIn,
          response=SavedMeetingOut, status=201, errors=(404,))
def save_meeting(body: SavedMeetingIn):
    """Save a meeting (201); saving one already saved changes only its reminder (200)."""
    existed = body.meeting_id in services.saved_ids(current_user)
    saved = services.save_meeting(current_user, body.meeting_id, remind=body.remind)
    return saved_body(saved, datetime.now(UTC)), 200 if existed else 201


@endpoint("/saved-meetings/<int:saved_id>", "PATCH", summary="Turn a saved meeting's reminder on or off",
          tag="support", body=SavedMeetingPatch, response=SavedMeetingOut)
def update_saved_meeting(saved_id: int, body: SavedMeetingPatch):
    """Change a saved meeting's reminder."""
    return saved_body(services.set_reminder(current_user, saved_id, body.remind), datetime.now(UTC))


@endpoint("/saved-meetings/<int:saved_id>", "DELETE", summary="Forget a saved meeting", tag="support", status=204)
def delete_saved_meeting(saved_id: int):
    """Take a meeting off my list."""
    services.unsave_meeting(current_user, saved_id)
    return None, 204


class Route(BaseModel):
    kind: Literal["call", "text"]
    href: str = Field(description="tel: for a line that takes calls; sms: (with the keyword in the body) for "
                                  "one that takes texts, such as Crisis Text Line.")
    label: str = Field(description="The words for its button, in the caller's language.")


class RouteIn(Input):
    kind: Literal["call", "text"]
    href: str = Field(max_length=200)
    label: str = Field(max_length=200)


def _a_number_has_a_name(*, name_required: bool) -> ConfigDict:
    """The server's rule, said in the document: a phone number comes with a name that has a visible character
    (a name of spaces alone is dropped, and so is a contact without a number; one with a number is refused)."""
    named = {"properties": {"name": {"pattern": r"\S"}}} | ({} if name_required else {"required": ["name"]})
    no_number = {"properties": {"phone": {"anyOf": [{"type": "null"}, {"type": "string", "pattern": r"^\s*$"}]}}}
    return ConfigDict(json_schema_extra={"anyOf": [named, no_number]})


class Contact(Input):
    model_config = _a_number_has_a_name(name_required=True)

    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=40, description="Digits, spaces and + ( ) - . * #.",
                              json_schema_extra={"pattern": services.PHONE.pattern})


Lines = Annotated[list[Line], Field(max_length=20)]
Contacts = Annotated[list[Contact], Field(max_length=20)]


class SafetyPlanIn(Input):
    """The whole plan: a step left out is saved empty."""

    warning_signs: Lines = Field(default_factory=list, description="Step 1: warning signs.")
    coping_strategies: Lines = Field(default_factory=list, description="Step 2: internal coping strategies.")
    distractions: Contacts = Field(default_factory=list, description="Step 3: people and social settings that provide distraction.")
    people: Contacts = Field(default_factory=list, description="Step 4: people I can ask for help.")
    professionals: Contacts = Field(default_factory=list, description="Step 5: professionals and agencies to contact in a crisis.")
    environment: Lines = Field(default_factory=list, description="Step 6: making the environment safe.")
    reasons: Lines = Field(default_factory=list, description="Optional: what is most important to me and worth living for.")
    updated_at: datetime | None = Field(default=None, description="Read-only: accepted and ignored, so a plan read can be sent back.")
    links: dict[Annotated[str, Field(max_length=40)], Annotated[list[RouteIn], Field(max_length=4)]] | None = Field(
        default=None, max_length=120, description="Read-only: accepted and ignored.")


class SafetyPlanOut(BaseModel):
    warning_signs: list[str]
    coping_strategies: list[str]
    distractions: list[Contact]
    people: list[Contact]
    professionals: list[Contact] = Field(description="Prefilled with the crisis lines until the plan is first saved.")
    environment: list[str]
    reasons: list[str]
    updated_at: datetime | None = Field(description="null until the plan is first saved.")
    links: dict[str, list[Route]] = Field(description=(
        "How to reach each phone number in the plan, by the number as written: a crisis line's own routes "
        "(Crisis Text Line takes texts only: sms:741741 with its keyword), or a call."))


def safety_body(content: dict, updated_at: datetime | None) -> dict:
    language = current_language()
    numbers = {person["phone"] for key in PEOPLE_STEPS for person in content[key] if person["phone"]}
    links = {phone: [asdict(route) for route in phones.routes_for(phone, language)] for phone in sorted(numbers)}
    return {**content, "updated_at": updated_at, "links": links}


@endpoint("/safety-plan", "GET", summary="My safety plan", tag="support", response=SafetyPlanOut)
def safety_plan():
    """My safety plan (Stanley-Brown's six steps); before it is saved, empty but for the crisis lines."""
    return safety_body(*services.safety_plan_for(current_user))


@endpoint("/safety-plan", "PUT", summary="Replace my safety plan", tag="support", body=SafetyPlanIn,
          response=SafetyPlanOut)
def put_safety_plan(body: SafetyPlanIn):
    """Replace my safety plan with the body."""
    return safety_body(*services.save_safety_plan(current_user, body.model_dump(exclude={"updated_at", "links"})))


class Sponsor(BaseModel):
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)


class SponsorIn(Input):
    model_config = _a_number_has_a_name(name_required=False)

    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40, json_schema_extra={"pattern": services.PHONE.pattern})


class Author(BaseModel):
    id: int
    name: str
    role: Literal["participant", "counselor", "admin"]


class AuthorIn(Input):
    """``updated_by`` as GET /aftercare gives it, so that a plan read can be sent back."""

    id: int
    name: str
    role: Literal["participant", "counselor", "admin"]


class AftercareOut(BaseModel):
    follow_up: str = Field(description="Outpatient follow-up: who, where and when.")
    meetings: str
    sponsor: Sponsor
    contacts: list[Contact] = Field(description="People to call.")
    steps: list[str]
    updated_at: datetime | None = Field(description="null while no plan exists.")
    updated_by: Author | None


class AftercareIn(Input):
    """The whole plan: a field left out is saved empty."""

    follow_up: str = Field(default="", max_length=4000)
    meetings: str = Field(default="", max_length=4000)
    sponsor: SponsorIn = Field(default_factory=SponsorIn)
    contacts: Contacts = Field(default_factory=list)
    steps: Lines = Field(default_factory=list)
    updated_at: datetime | None = Field(default=None, description="Read-only: accepted and ignored.")
    updated_by: AuthorIn | None = Field(default=None, description="Read-only: accepted and ignored.")


@endpoint("/aftercare", "GET", summary="My aftercare plan", tag="support", response=AftercareOut)
def aftercare():
    """My aftercare plan; empty fields until one is written."""
    return services.aftercare_body(services.aftercare_plan_for(current_user))


@endpoint("/aftercare", "PUT", summary="Replace my aftercare plan", tag="support", body=AftercareIn,
          response=AftercareOut)
def put_aftercare(body: AftercareIn):
    """Write my own aftercare plan."""
    plan = services.save_aftercare_plan(current_user, _aftercare_input(body), current_user)
    return services.aftercare_body(plan)


def _aftercare_input(body: AftercareIn) -> dict:
    data = body.model_dump(exclude={"updated_at", "updated_by", "sponsor"})
    return data | {"sponsor_name": body.sponsor.name, "sponsor_phone": body.sponsor.phone}


@endpoint("/participants/<int:participant_id>/aftercare", "GET", summary="A participant's aftercare plan (counselor)",
          tag="counselor", response=AftercareOut, errors=(404,), disclosure=True)
def participant_aftercare(participant_id: int):
    """The aftercare plan of a participant whose consent (scope goals) names me; recorded in their ledger."""
    _, plan = counselor_services.aftercare_plan(current_user, participant_id)
    return services.aftercare_body(plan)


@endpoint("/participants/<int:participant_id>/aftercare", "PUT", summary="Write a participant's aftercare plan (counselor)",
          tag="counselor", body=AftercareIn, response=AftercareOut, errors=(404,), disclosure=True)
def put_participant_aftercare(participant_id: int, body: AftercareIn):
    """Replace the aftercare plan of a participant whose consent (scope goals) names me; recorded in their ledger."""
    plan = counselor_services.save_aftercare(current_user, participant_id, _aftercare_input(body))
    return services.aftercare_body(plan)
