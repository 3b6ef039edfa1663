"""Every page and API call, tried by everyone who should not see it.

For each GET route, with the ids of Alex's things filled in: Alex may see it; another participant,
a counselor without consent, a counselor of another program, the admin and an anonymous visitor get a
404 (or, anonymous, a redirect to sign in or a 401) and never Alex's private words.

Every write (POST, PUT, PATCH, DELETE) of every page and API call, from ``app.url_map``, is in ``WRITES`` (how
to fill it, whose rows it writes) or in ``NOT_ABOUT_ANYONES_DATA``; a new route in neither fails. Each is tried
by the same five people with Alex's ids: a 404 (anonymous: 401 on the API, a redirect to sign in on a page),
never a 5xx, and Alex's rows exactly as they were. Pages get a valid CSRF token of the attacker's own session
and valid bodies (the same writes succeed from Alex or Alex's counselor), so what is tried is the access check.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import or_, select

from companion.extensions import db
from companion.models import (AftercarePlan, Appointment, Encouragement, Group, GoalSuggestion, GroupMember,
                              InviteCode, Meeting, MeetingFeed, ProgramResource, PushSubscription, SafetyPlan,
                              SavedMeeting)
from companion.timezones import zone
from tests.conftest import Auth, csrf_from

SECRET = "ALEX-PRIVATE-9F2C"
# Public by design, and the same for everyone: nothing personal is in them.
OPEN_TO_ALL = {"/help", "/login", "/register", "/reset", "/api/v1/openapi.json", "/manifest.webmanifest", "/sw.js",
               "/offline"}
SKIP_PREFIXES = ("/static/", "/reset/")


@pytest.fixture
def world(app, clinic, make_goal, make_consent):
    goal = make_goal(clinic.alex, title=f"{SECRET} goal", steps=[f"{SECRET} step"], why=SECRET, shared=False)
    # Jordan may see check-ins, but not goals: a goals scope is missing and the goal is not shared.
    consent = make_consent(clinic.alex, clinic.counselor, scopes=("checkins",))
    suggestion = GoalSuggestion(user_id=clinic.alex.id, counselor_id=clinic.counselor.id, title="Counselor's idea")
    db.session.add(suggestion)
    db.session.commit()
    from companion.blueprints.journal import services as journal

    entry, _ = journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=7, note=f"{SECRET} note")
    skill = journal.create_custom_skill(clinic.alex, name="Secret skill", purpose=SECRET, steps=SECRET)
    ids = {"entry_id": entry.id, "slug": skill.slug, "kind": "trigger", "goal_id": goal.id, "step_id": goal.steps[0].id, "participant_id": clinic.alex.id,
           "consent_id": consent.id, "suggestion_id": suggestion.id, "user_id": clinic.alex.id}
    return ids


def get_routes(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_PREFIXES):
            continue
        params = re.findall(r"<(?:[^:>]+:)?(\w+)>", rule.rule)
        if any(p not in ids for p in params):
            continue
        yield re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


VIEWERS = ["maria@example.org", "jordan@example.org", "kim@example.org", "sam@example.org", None]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_nobody_else_sees_alexs_private_data_on_any_page_or_call(app, world, viewer):
    client = app.test_client()
    if viewer:
        Auth(client).login(viewer)
    tried = 0
    for url in get_routes(app, world):
        response = client.get(url)
        tried += 1
        body = response.get_data(as_text=True)
        assert SECRET not in body, (viewer, url, response.status_code)
        if url in OPEN_TO_ALL:
            continue
        if viewer is None:
            assert response.status_code in (302, 401), url
        elif viewer != "jordan@example.org" and re.search(r"/(\d+|[0-9a-f-]{36}|secret-skill)(/|$|\.)", url):
            assert response.status_code == 404, (viewer, url, response.status_code)
    assert tried > 20


def test_alex_sees_alexs_own_pages(app, world):
    client = app.test_client()
    Auth(client).login("alex@example.org")
    for url in get_routes(app, world):
        if url.startswith(("/caseload", "/admin", "/support/admin", "/sessions/groups", "/sessions/appointments",
                           "/api/v1/participants", "/api/v1/caseload")):
            continue
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)


# --- Writes by the wrong person ---

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Writes that are about nobody's data: signing in, registering, a password reset by e-mail token, signing out.
# They take no id of anyone's, so there is nothing of Alex's to reach through them.
NOT_ABOUT_ANYONES_DATA = {
    ("POST", "/login"), ("POST", "/register"), ("POST", "/logout"),
    ("POST", "/reset"), ("POST", "/reset/<token>"),
    ("POST", "/api/v1/session"), ("DELETE", "/api/v1/session"),
}

ALEX = "alex"  # the path (or body) names one of Alex's own rows: everyone else gets a 404
PROGRAM = "program"  # a row of Alex's program (a group, a feed, an invite, Alex as a member of the program):
# its staff (Jordan, Sam) may write it by design and are not tried; a participant gets a 403 or 404, the other
# program's counselor a 404 (403 where the role alone is refused before any row is looked up)
SELF = "self"  # the signed-in person's own rows, named by no id: tried by everyone, with Alex's ids in the body
# where the body takes one; never a 5xx and Alex's rows unchanged


@dataclass
class Write:
    owner: str
    body: dict | None = None  # JSON for the API, form fields for a page (a csrf_token is added)
    last: bool = False  # ends the attacker's session or account: tried after the others
    # Alex's id goes in a <select> of the page's form whose choices are the attacker's own program's people: from
    # anyone else it is not one of the choices, and the page answers as for any unknown id, a 422 on that field.
    choice: str | None = None


def later(days=3, hour=10):
    return (date.today() + timedelta(days=days)).isoformat(), f"{hour:02d}:00"


DAY, HOUR = later()
GOAL_FORM = {"title": "Taken over", "why": "x", "category": "recovery", "steps": "a", "status": "done", "shared": "y"}
ENTRY_FORM = {"intensity": "3", "note": "overwritten", "emotion": "calm", "outcome": "passed"}

# Placeholders: {alex}, {maria}, {jordan}, {counselor} (Alex's consented counselor), {meeting}, {step_ids},
# {endpoint} (Alex's push subscription), filled per world.
WRITES: dict[tuple[str, str], Write] = {
    # --- API ---
    ("PUT", "/api/v1/aftercare"): Write(SELF, {"follow_up": "mine", "meetings": "", "contacts": [], "steps": []}),
    ("POST", "/api/v1/appointments"): Write(PROGRAM, {"participant_id": "{alex}", "starts_at": f"{DAY}T{HOUR}:00-05:00",
                                                      "duration_minutes": 30, "title": "Taken"}),
    ("POST", "/api/v1/calendar-token"): Write(SELF, {}),
    ("POST", "/api/v1/checkins"): Write(SELF, {"id": "{alex_checkin}", "mood": 1, "craving": 9, "used": True}),
    ("POST", "/api/v1/consents"): Write(SELF, {"counselor_id": "{jordan}", "scopes": ["goals"], "purpose": "x",
                                               "expires_on": (date.today() + timedelta(days=30)).isoformat(),
                                               "signature": "Someone"}),
    ("DELETE", "/api/v1/consents/<int:consent_id>"): Write(ALEX),
    ("POST", "/api/v1/goals"): Write(SELF, {"title": "Mine"}),
    ("PATCH", "/api/v1/goals/<int:goal_id>"): Write(ALEX, {"title": "Taken over", "shared": True}),
    ("DELETE", "/api/v1/goals/<int:goal_id>"): Write(ALEX),
    ("PUT", "/api/v1/goals/<int:goal_id>/order"): Write(ALEX, {"step_ids": "{step_ids}"}),
    ("POST", "/api/v1/goals/<int:goal_id>/steps"): Write(ALEX, {"title": "Injected"}),
    ("POST", "/api/v1/groups"): Write(SELF, {"name": "Mine", "rrule": "FREQ=WEEKLY;BYDAY=MO", "dtstart": f"{DAY}T{HOUR}",
                                             "timezone": "America/New_York", "duration_minutes": 60}),
    ("POST", "/api/v1/groups/<int:group_id>/members"): Write(PROGRAM, {"participant_id": "{alex}"}),
    ("POST", "/api/v1/logs"): Write(SELF, {"id": "{alex_entry}", "kind": "craving", "intensity": 1, "note": "mine"}),
    ("DELETE", "/api/v1/logs/<uuid:entry_id>"): Write(ALEX),
    ("PATCH", "/api/v1/me"): Write(SELF, {"name": "Me"}),
    ("DELETE", "/api/v1/me"): Write(SELF, {"password": "not the password"}),
    ("POST", "/api/v1/notifications/read"): Write(SELF, {}),
    ("PUT", "/api/v1/participants/<int:participant_id>/aftercare"): Write(ALEX, {"follow_up": "Taken over",
                                                                               "meetings": "", "contacts": [],
                                                                               "steps": []}),
    ("POST", "/api/v1/push-subscriptions"): Write(SELF, {"endpoint": "{endpoint}",
                                                         "keys": {"p256dh": "B" * 87, "auth": "A" * 22}}),
    ("DELETE", "/api/v1/push-subscriptions"): Write(SELF, {"endpoint": "{endpoint}"}),
    ("PUT", "/api/v1/reminder-settings"): Write(SELF, {"channels": ["inapp"]}),
    ("PUT", "/api/v1/safety-plan"): Write(SELF, {"warning_signs": ["mine"]}),
    ("POST", "/api/v1/saved-meetings"): Write(SELF, {"meeting_id": "{meeting}", "remind": True}),
    ("PATCH", "/api/v1/saved-meetings/<int:saved_id>"): Write(ALEX, {"remind": False}),
    ("DELETE", "/api/v1/saved-meetings/<int:saved_id>"): Write(ALEX),
    ("PATCH", "/api/v1/steps/<int:step_id>"): Write(ALEX, {"title": "Taken over", "done": True}),
    ("DELETE", "/api/v1/steps/<int:step_id>"): Write(ALEX),
    ("POST", "/api/v1/medications"): Write(SELF, {"name": "Mine", "schedule": {"times": ["09:00"]}}),
    ("PATCH", "/api/v1/medications/<int:medication_id>"): Write(ALEX, {"name": "Taken over", "active": False}),
    ("DELETE", "/api/v1/medications/<int:medication_id>"): Write(ALEX),
    # The dose names Alex's medication in its body: a 404 for anyone else, as for an id in the path.
    ("POST", "/api/v1/doses"): Write(ALEX, {"id": "{new_uuid}", "medication_id": "{medication}",
                                            "scheduled_for": "{dose_at}", "status": "skipped"}),
    ("POST", "/api/v1/weekly-checkins"): Write(SELF, {"id": "{new_uuid}", "answers": {"q1": "0"}}),
    # --- admin pages ---
    ("POST", "/admin/invites"): Write(SELF, {"note": "x"}),
    ("POST", "/admin/invites/<int:invite_id>/revoke"): Write(PROGRAM),
    # Alex is no counselor: switching Alex off or on is refused to the admin too.
    ("POST", "/admin/staff/<int:user_id>/switch-off"): Write(ALEX),
    ("POST", "/admin/staff/<int:user_id>/switch-on"): Write(ALEX),
    # --- counselor pages ---
    ("POST", "/caseload/<int:participant_id>/aftercare"): Write(ALEX, {"follow_up": "Taken over",
                                                                                "version": "{aftercare_version}"}),
    ("POST", "/caseload/<int:participant_id>/suggest"): Write(ALEX, {"title": "Injected", "why": "", "steps": ""}),
    ("POST", "/caseload/goals/<int:goal_id>/encourage"): Write(ALEX, {"body": "Keep going"}),
    # --- goals ---
    ("POST", "/goals/<int:goal_id>/delete"): Write(ALEX),
    ("POST", "/goals/<int:goal_id>/edit"): Write(ALEX, GOAL_FORM),
    ("POST", "/goals/<int:goal_id>/share"): Write(ALEX, {"shared": "y"}),
    ("POST", "/goals/<int:goal_id>/status"): Write(ALEX, {"status": "archived"}),
    ("POST", "/goals/<int:goal_id>/steps"): Write(ALEX, {"title": "Injected"}),
    ("POST", "/goals/new/write"): Write(SELF, GOAL_FORM),
    ("POST", "/steps/<int:step_id>/delete"): Write(ALEX),
    ("POST", "/steps/<int:step_id>/done"): Write(ALEX, {"done": "1"}),
    ("POST", "/steps/<int:step_id>/edit"): Write(ALEX, {"title": "Taken over"}),
    ("POST", "/steps/<int:step_id>/move"): Write(ALEX, {"direction": "down", "to": "1"}),
    ("POST", "/suggestions/<int:suggestion_id>"): Write(ALEX, {"answer": "accept", "action": "accept"}),
    # --- journal ---
    ("POST", "/journal/checkin"): Write(SELF, {"client_id": "{alex_checkin}", "mood": "1", "craving": "9", "used": "yes",
                                               "day": date.today().isoformat()}),
    ("POST", "/journal/skills/<slug>/delete"): Write(ALEX),
    ("POST", "/journal/skills/<slug>/edit"): Write(ALEX, {"name": "Secret skill", "purpose": "Taken over",
                                                                               "steps": ""}),
    ("POST", "/journal/skills/<slug>/favourite"): Write(ALEX),
    ("POST", "/journal/skills/new"): Write(SELF, {"name": "Mine"}),
    ("POST", "/journal/sober"): Write(SELF, {"started_on": date.today().isoformat()}),
    ("POST", "/journal/sober/visibility"): Write(SELF, {"show": "y"}),
    ("POST", "/log/<any(trigger, coping):kind>"): Write(SELF, {**ENTRY_FORM, "client_id": "{alex_entry}"}),
    ("POST", "/log/<uuid:entry_id>"): Write(ALEX, ENTRY_FORM),
    ("POST", "/log/<uuid:entry_id>/delete"): Write(ALEX),
    ("POST", "/log/craving"): Write(SELF, {"client_id": "{alex_entry}", "intensity": "2"}),
    # --- app lock ---
    ("POST", "/lock"): Write(SELF, last=True),
    ("POST", "/unlock"): Write(SELF, {"pin": "0000"}),
    ("POST", "/settings/pin"): Write(SELF, {"pin": "1234", "confirm": "1234"}),
    # --- reminders and notifications ---
    ("POST", "/notifications/read"): Write(SELF),
    ("POST", "/settings/calendar-link"): Write(SELF),
    ("POST", "/settings/reminders"): Write(SELF, {"channels": "inapp", "lead_minutes": "60"}),
    # --- medication (the dose forms name Alex's medication in their body) ---
    ("POST", "/medications/new"): Write(SELF, {"name": "Mine", "frequency": "daily", "time_1": "09:00"}),
    ("POST", "/medications/<int:medication_id>"): Write(ALEX, {"name": "Taken over", "frequency": "daily",
                                                                "time_1": "08:00", "missed_after_minutes": "180",
                                                                "start_date": "{started}"}),
    ("POST", "/medications/<int:medication_id>/delete"): Write(ALEX),
    ("POST", "/medications/doses"): Write(ALEX, {"client_id": "{new_uuid}", "medication_id": "{medication}",
                                                 "scheduled_for": "{dose_at}", "status": "skipped"}),
    ("POST", "/medications/doses/snooze"): Write(ALEX, {"medication_id": "{medication}", "scheduled_for": "{dose_at}"}),
    # --- weekly check-in ---
    ("POST", "/weekly/checkin"): Write(SELF, {"client_id": "{new_uuid}", "q1": "0"}),
    ("POST", "/weekly/reminder"): Write(SELF, {"weekday": "0", "remind_at": "18:00"}),
    # --- privacy ---
    ("POST", "/privacy/consents/<int:consent_id>/revoke"): Write(ALEX),
    ("POST", "/privacy/consents/new"): Write(SELF, {"counselor_id": "{jordan}", "scopes": "goals", "purpose": "x",
                                                    "expires_on": (date.today() + timedelta(days=30)).isoformat(),
                                                    "signature": "Someone"}),
    ("POST", "/privacy/delete"): Write(SELF, {"password": "not the password"}),
    # --- settings ---
    ("POST", "/settings"): Write(SELF, {"name": "Me", "timezone": "America/New_York", "language": "en"}),
    ("POST", "/settings/sign-out-everywhere"): Write(SELF, last=True),
    ("POST", "/settings/security"): Write(SELF, {"password-current_password": "not the password",
                                                 "password-new_password": "another long passphrase",
                                                 "password-submit": "y"}),
    # --- sessions ---
    ("POST", "/sessions/<key>/check-in"): Write(ALEX),  # a session of Alex's group, which nobody else is in
    ("POST", "/sessions/appointments/<int:appointment_id>/delete"): Write(ALEX),
    ("POST", "/sessions/appointments/new"): Write(PROGRAM, {"participant_id": "{alex}", "title": "Taken", "date": DAY,
                                                            "time": HOUR, "duration_minutes": "30"},
                                                  choice="participant_id"),
    ("POST", "/sessions/groups/<int:group_id>"): Write(PROGRAM, {"name": "Taken over", "days": "MO", "start_date": DAY,
                                                                 "start_time": HOUR, "timezone": "America/New_York",
                                                                 "duration_minutes": "60"}),
    ("POST", "/sessions/groups/<int:group_id>/delete"): Write(PROGRAM),
    ("POST", "/sessions/groups/<int:group_id>/members"): Write(PROGRAM, {"participant_id": "{alex}"},
                                                                  choice="participant_id"),
    ("POST", "/sessions/groups/<int:group_id>/members/<int:user_id>/remove"): Write(PROGRAM),
    ("POST", "/sessions/groups/<int:group_id>/sessions/<key>/attendance"): Write(PROGRAM, {"present": "{alex}"}),
    ("POST", "/sessions/groups/<int:group_id>/sessions/<key>/cancel"): Write(PROGRAM),
    ("POST", "/sessions/groups/<int:group_id>/sessions/<key>/move"): Write(PROGRAM, {"date": DAY, "time": "11:00"}),
    ("POST", "/sessions/groups/<int:group_id>/sessions/<key>/restore"): Write(PROGRAM),
    ("POST", "/sessions/groups/new"): Write(SELF, {"name": "Mine", "days": "MO", "start_date": DAY, "start_time": HOUR,
                                                   "timezone": "America/New_York", "duration_minutes": "60"}),
    # --- support ---
    ("POST", "/support/admin"): Write(SELF, {"name": "Mine", "description": "x", "url": "https://example.org"}),
    ("POST", "/support/admin/feeds/<int:feed_id>/remove"): Write(PROGRAM),
    ("POST", "/support/admin/resources/<int:resource_id>/remove"): Write(PROGRAM),
    ("POST", "/support/aftercare/edit"): Write(SELF, {"follow_up": "mine", "version": ""}),
    ("POST", "/support/meetings/<int:meeting_id>/save"): Write(SELF, {"remind": "y"}),
    ("POST", "/support/safety-plan/edit"): Write(SELF, {"warning_signs": "mine"}),
    ("POST", "/support/saved/<int:saved_id>/reminder"): Write(ALEX, {"remind": ""}),
    ("POST", "/support/saved/<int:saved_id>/remove"): Write(ALEX),
}


@pytest.fixture
def writes_world(app, clinic, make_goal, make_consent, make_user):
    """Alex's rows of every kind, and the rows of Alex's program that Alex is part of."""
    from companion.blueprints.journal import services as journal
    from companion.blueprints.medication import services as medication
    from companion.blueprints.sessions import services as sessions
    from companion.blueprints.support import services as support

    lee = make_user(email="lee@example.org", name="Lee", role="counselor", program=clinic.program)
    make_user(email="noor@example.org", name="Noor", program=clinic.stranger.program)  # Kim's program has people too
    alex = clinic.alex
    goal = make_goal(alex, title=f"{SECRET} goal", steps=[f"{SECRET} step", "Second"], why=SECRET, shared=True)
    consent = make_consent(alex, lee, scopes=("goals", "checkins", "journal", "attendance"))
    entry, _ = journal.log_entry(alex, entry_id=uuid.uuid4(), kind="craving", intensity=7, note=f"{SECRET} note")
    checkin, _ = journal.save_checkin(alex, checkin_id=uuid.uuid4(), mood=3, craving=2, used=False, note=SECRET)
    skill = journal.create_custom_skill(alex, name="Secret skill", purpose=SECRET, steps=SECRET)
    pills = medication.create_medication(alex, name=SECRET[:40], times=("08:00",),
                                         start_date=date.today() - timedelta(days=7))
    suggestion = GoalSuggestion(user_id=alex.id, counselor_id=lee.id, title="Counselor's idea")
    db.session.add(suggestion)
    start = datetime.combine(date.today() + timedelta(days=2), time(9)).replace(tzinfo=UTC)
    appointment = Appointment(user_id=alex.id, created_by_id=lee.id, title=SECRET, starts_at=start, duration_minutes=30)
    group = Group(program_id=clinic.program.id, name="Tuesday group", rrule="FREQ=WEEKLY", start_date=date.today(),
                  start_time=time(18), timezone="America/New_York", duration_minutes=60)
    feed = MeetingFeed(program_id=clinic.program.id, source="test", timezone="America/New_York")
    meeting = Meeting(feed=feed, program_id=clinic.program.id, slug="m", name="Meeting", timezone="America/New_York")
    resource = ProgramResource(program_id=clinic.program.id, name="Resource")
    invite = InviteCode(code="RIVER-2026", program=clinic.program)
    db.session.add_all([appointment, group, feed, meeting, resource, invite])
    db.session.flush()
    db.session.add_all([
        GroupMember(group_id=group.id, user_id=alex.id),
        SavedMeeting(user_id=alex.id, meeting_id=meeting.id, remind=True),
        SafetyPlan(user_id=alex.id, content={"warning_signs": [SECRET]}),
        AftercarePlan(user_id=alex.id, follow_up=SECRET),
        PushSubscription(user_id=alex.id, endpoint="https://push.example.org/alex", p256dh="B" * 87, auth="A" * 22),
        Encouragement(user_id=alex.id, counselor_id=lee.id, goal_id=goal.id, body="Well done"),
    ])
    db.session.commit()
    saved = db.session.scalar(select(SavedMeeting).where(SavedMeeting.user_id == alex.id))
    first = datetime.combine(group.start_date, group.start_time)
    key = sessions.occurrence_key(group.id, first.replace(tzinfo=zone(group.timezone)))
    ids = {"goal_id": goal.id, "step_id": goal.steps[0].id, "entry_id": entry.id, "consent_id": consent.id,
           "suggestion_id": suggestion.id, "slug": skill.slug, "kind": "trigger", "participant_id": alex.id,
           "user_id": alex.id, "appointment_id": appointment.id, "saved_id": saved.id, "group_id": group.id,
           "feed_id": feed.id, "resource_id": resource.id, "invite_id": invite.id, "meeting_id": meeting.id,
           "key": key, "medication_id": pills.id}
    values = {"alex": alex.id, "maria": clinic.maria.id, "jordan": clinic.counselor.id, "counselor": lee.id,
              "meeting": meeting.id, "medication": pills.id, "started": pills.start_date.isoformat(), "new_uuid": str(uuid.uuid4()),
              "dose_at": datetime.combine(date.today() - timedelta(days=1), time(8),
                                          tzinfo=zone(alex.timezone)).isoformat(),
              "step_ids": [s.id for s in reversed(goal.steps)],
              "endpoint": "https://push.example.org/alex", "alex_entry": str(entry.id), "alex_checkin": str(checkin.id),
              "aftercare_version": support.aftercare_version(db.session.scalar(select(AftercarePlan)))}
    return ids, values, clinic


def unsafe_routes(app):
    """Every (method, rule) of the app that writes, from its URL map."""
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & UNSAFE):
            yield method, rule.rule


def path_of(rule: str, ids: dict) -> str:
    def fill(match):
        name = match.group(1)
        return str(ids[name])

    return re.sub(r"<(?:[^:>]+:)?(\w+)>", fill, rule)


def filled(value, values):
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return value
    if isinstance(value, dict):
        return {k: filled(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, values) for v in value]
    return value


def alex_rows(alex_id: int, program_id: int) -> tuple[dict, dict]:
    """Every row that names Alex (a ``user_id`` or ``participant_id`` of Alex's, or Alex's account), and every other
    row of Alex's program (and of its groups), as plain values keyed by table and primary key."""
    mine, program = {}, {}
    conn = db.session.connection()
    for table in db.metadata.sorted_tables:
        columns = table.c
        about_alex = []
        if table.name == "user_account":
            about_alex.append(columns.id == alex_id)
        about_alex += [columns[name] == alex_id for name in ("user_id", "participant_id") if name in columns]
        of_program = []
        if "program_id" in columns and table.name != "user_account":  # the attacker's own account changes
            of_program.append(columns.program_id == program_id)
        if "group_id" in columns and table.name != "session_group":
            of_program.append(columns.group_id.in_(select(Group.id).where(Group.program_id == program_id)))
        for conditions, into in ((about_alex, mine), (of_program, program)):
            if not conditions:
                continue
            for row in conn.execute(table.select().where(or_(*conditions))).mappings():
                key = tuple(repr(row[c.name]) for c in table.primary_key.columns)
                into[(table.name, key)] = tuple(sorted((k, repr(v)) for k, v in row.items()))
    db.session.rollback()
    return mine, program


def differences(before: tuple[dict, dict], after: tuple[dict, dict]) -> list[str]:
    """What changed of Alex's rows (any change, a new row naming Alex included) and of the program's rows that were
    there before (a new row of the program, say the attacker's own group, is not Alex's)."""
    (mine, program), (mine_after, program_after) = before, after
    changed = {key[0] for key in set(mine) | set(mine_after) if mine.get(key) != mine_after.get(key)}
    changed |= {key[0] for key in program if program_after.get(key) != program[key] and key not in mine}
    return sorted(changed)


ATTACKERS = ["maria@example.org", "jordan@example.org", "kim@example.org", "sam@example.org", None]
STAFF_OF_ALEXS_PROGRAM = {"jordan@example.org", "sam@example.org"}
PARTICIPANT = "maria@example.org"


def test_every_write_is_known_to_the_matrix(app):
    """A route that writes and is neither in ``WRITES`` nor allowed above fails here: add it to the matrix."""
    routes = set(unsafe_routes(app))
    unknown = sorted(routes - set(WRITES) - NOT_ABOUT_ANYONES_DATA)
    assert not unknown, f"writes the access matrix does not know how to try: {unknown}"
    gone = sorted(set(WRITES) - routes)
    assert not gone, f"the matrix lists writes the app no longer has: {gone}"


STAFF_ONLY = ("/caseload", "/sessions/appointments", "/sessions/groups", "/api/v1/participants", "/api/v1/groups",
              "/api/v1/appointments", "/support/admin")
ADMIN_ONLY = ("/admin",)


def refused_by_role(attacker: str, rule: str) -> bool:
    """Whether the attacker's role alone is refused this route (a 403 that says nothing of the id in it)."""
    if rule.startswith(ADMIN_ONLY):
        return attacker != "sam@example.org"
    return rule.startswith(STAFF_ONLY) and attacker == PARTICIPANT


def page_token(client) -> str:
    """A CSRF token of this client's own session, from a page everyone signed in can see."""
    return csrf_from(client.get("/settings").get_data(as_text=True))


@pytest.mark.parametrize("attacker", ATTACKERS, ids=lambda a: (a or "anonymous").split("@")[0])
def test_nobody_else_can_write_alexs_rows(app, writes_world, attacker):
    ids, values, clinic = writes_world
    client = app.test_client()
    api_token = page = None
    if attacker:
        api_token = Auth(client).api_login(attacker)
        page = page_token(client)
    else:  # anonymous: a token of their own session, from the sign-in page, so that the sign-in check is tried
        page = csrf_from(client.get("/login").get_data(as_text=True))
    before = alex_rows(clinic.alex.id, clinic.program.id)
    problems = []
    tried = 0
    for (method, rule), write in sorted(WRITES.items(), key=lambda item: (item[1].last, item[1].owner == SELF, item[0])):
        # Alex's rows by id first: a write of the attacker's own afterwards may reuse Alex's client ids (to show
        # that it makes a row of the attacker's, not a change of Alex's), and the ids then name that row too.
        if write.owner == PROGRAM and attacker in STAFF_OF_ALEXS_PROGRAM:
            continue  # the program's staff run its groups, feeds and invites: by design, not tried
        url = path_of(rule, ids)
        body = filled(write.body or {}, values)
        is_api = rule.startswith("/api/")
        if is_api:
            headers = {"X-CSRF-Token": api_token} if api_token else {}
            response = client.open(url, method=method, json=body, headers=headers)
        else:
            data = {k: (str(v) if not isinstance(v, list) else v) for k, v in body.items()}
            if page:
                data["csrf_token"] = page
            response = client.open(url, method=method, data=data)
        tried += 1
        status = response.status_code
        where = (method, url, status)
        if status >= 500:
            problems.append(("server error", *where))
            continue
        if SECRET in response.get_data(as_text=True):
            problems.append(("Alex's words in the answer", *where))
        if attacker is None:
            expected = status == 401 if is_api else (status in (302, 303) and "/login" in response.location)
            if not expected:
                problems.append(("anonymous not sent to sign in", *where))
        elif write.owner == ALEX and status != 404 and not (status == 403 and refused_by_role(attacker, rule)):
            problems.append(("not a 404", *where))
        elif write.owner == PROGRAM:
            if status == 422 and write.choice and f'id="{write.choice}-error"' in response.get_data(as_text=True):
                pass
            elif status != 404 and not (status == 403 and refused_by_role(attacker, rule)):
                problems.append(("not a 403/404", *where))
        after = alex_rows(clinic.alex.id, clinic.program.id)
        changed = differences(before, after)
        if changed:
            problems.append(("Alex's rows changed", *where, changed))
        before = after
    assert tried > 60
    assert not problems, "\n".join(map(str, problems))


RIGHTFUL_STAFF = STAFF_ONLY  # Alex's rows under these are written by Lee, the counselor Alex gave consent to
NOBODY_MAY = {("POST", "/admin/staff/<int:user_id>/switch-off"), ("POST", "/admin/staff/<int:user_id>/switch-on")}


def send(client, method, url, body, api_token, page):
    if url.startswith("/api/"):
        return client.open(url, method=method, json=body, headers={"X-CSRF-Token": api_token})
    data = {k: (str(v) if not isinstance(v, list) else v) for k, v in body.items()}
    return client.open(url, method=method, data={**data, "csrf_token": page})


@pytest.mark.parametrize("surface", ["api", "pages"])
def test_the_same_writes_work_for_alex_and_alexs_counselor(app, writes_world, surface):
    """The bodies above are valid: from Alex (or Lee, under Alex's consent) each write of Alex's rows succeeds, so the
    404s of the other test come from the access check, not from a body the route would refuse anyway."""
    ids, values, clinic = writes_world
    before = alex_rows(clinic.alex.id, clinic.program.id)
    clients = {}
    for who in ("alex@example.org", "lee@example.org"):
        client = app.test_client()
        clients[who] = (client, Auth(client).api_login(who), page_token(client))
    removing = ("delete", "remove", "revoke")

    def order(item):
        (method, rule), _ = item
        return (method == "DELETE" or rule.endswith(removing), "goal_id>" in rule and method == "DELETE"
                or rule == "/goals/<int:goal_id>/delete", "consent" in rule, rule)

    failures = []
    for (method, rule), write in sorted(WRITES.items(), key=order):
        if write.owner != ALEX or (method, rule) in NOBODY_MAY or rule.startswith("/api/") != (surface == "api"):
            continue  # the API and the pages each remove the same rows: one world each
        who = "lee@example.org" if rule.startswith(RIGHTFUL_STAFF) else "alex@example.org"
        client, api_token, page = clients[who]
        response = send(client, method, path_of(rule, ids), filled(write.body or {}, values), api_token, page)
        if response.status_code >= 400:
            failures.append((who, method, rule, response.status_code))
    assert not failures, "\n".join(map(str, failures))
    assert differences(before, alex_rows(clinic.alex.id, clinic.program.id)), "the snapshot does not see Alex's writes"
