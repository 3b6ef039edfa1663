"""The counselor's caseload and participant pages, built only from what participants shared."""

from __future__ import annotations

import csv
import io
from flask_babel import gettext as _, lazy_gettext as _l, pgettext
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, case, func, null, select, type_coerce

from companion import limits
from companion.access import (AFTERCARE_SCOPE, active_consents_to, consented, shared_goal, shared_goal_progress,
                              shared_goals)
from companion.blueprints.journal import services as journal_services
from companion.blueprints.support import services as support_services
from companion.blueprints.weekly import services as weekly_services
from companion.blueprints.reminders.planner import replan
from companion.blueprints.privacy import ledger
from companion.extensions import db
from companion.i18n import N_
from companion.models import WeeklyCheckin, AftercarePlan, Attendance, CheckIn, Consent, Encouragement, Goal, GoalStep, GoalSuggestion, LogEntry, Scope, StepEvent, User
from companion.models.base import UTCDateTime
from companion.spreadsheets import safe_cell
from companion.validation import Errors, clean_text

QUIET_DAYS = 3
STRONG_CRAVING = 8
MISSED_DOSES_FLAG = 2
# The BAM flag looks at the newest weekly check-in of this week or the one before it.
WEEKLY_RECENT_WEEKS = 1


def _activity(scoped: dict[str, list[int]], now: datetime) -> dict[int, dict]:
    """Per participant, in one statement, what the caseload's columns and flags are made of.

    Each value is read only for the participants whose consent has its scope (``scoped``: scope -> their
    ids): the subquery sits behind a CASE on that list, so nothing unshared is read. Each subquery is an
    index lookup of one participant's rows (grouping all of a caseload's rows read every one of them).
    """
    everyone = sorted({pid for ids in scoped.values() for pid in ids})
    if not everyone:
        return {}

    def shared(scope: str, subquery):
        ids = scoped.get(scope) or []
        return case((User.id.in_(ids), subquery.correlate(User).scalar_subquery()), else_=None) if ids else null()

    week_ago, strong_since = now - timedelta(days=7), now - timedelta(hours=48)
    steps_done = shared(Scope.GOALS, select(func.count(GoalStep.id)).join(Goal, Goal.id == GoalStep.goal_id).where(
        GoalStep.user_id == User.id, Goal.shared.is_(True), GoalStep.done.is_(True), GoalStep.done_at >= week_ago))
    last_step = shared(Scope.GOALS, select(func.max(StepEvent.at)).join(GoalStep, GoalStep.id == StepEvent.step_id)
                       .join(Goal, Goal.id == GoalStep.goal_id).where(StepEvent.user_id == User.id, Goal.shared.is_(True)))
    last_checkin = shared(Scope.CHECKINS, select(func.max(CheckIn.date)).where(CheckIn.user_id == User.id))
    checkin_written = shared(Scope.CHECKINS, select(func.max(CheckIn.updated_at)).where(CheckIn.user_id == User.id))
    last_entry = shared(Scope.JOURNAL, select(func.max(LogEntry.created_at)).where(LogEntry.user_id == User.id))
    strong = shared(Scope.JOURNAL, select(func.count()).select_from(LogEntry).where(
        LogEntry.user_id == User.id, LogEntry.occurred_at >= strong_since, LogEntry.kind == "craving",
        LogEntry.intensity >= STRONG_CRAVING))
    attended = shared(Scope.ATTENDANCE, select(func.count()).select_from(Attendance).where(
        Attendance.user_id == User.id, Attendance.present.is_(True), Attendance.occurrence_start >= now - timedelta(days=30)))
    missed = shared(Scope.ATTENDANCE, select(func.count()).select_from(Attendance).where(
        Attendance.user_id == User.id, Attendance.present.is_(False), Attendance.occurrence_start >= week_ago))
    # The newest weekly check-in of this week or the last: how far its risk score is above its protective one.
    recent_week = weekly_services.monday_of(now.date()) - timedelta(weeks=WEEKLY_RECENT_WEEKS)
    weekly_margin = shared(Scope.WEEKLY, select(WeeklyCheckin.risk - WeeklyCheckin.protective).where(
        WeeklyCheckin.user_id == User.id, WeeklyCheckin.week_of >= recent_week)
        .order_by(WeeklyCheckin.week_of.desc()).limit(1))
    rows = db.session.execute(select(
        User.id, steps_done.label("steps_done"), type_coerce(last_step, UTCDateTime).label("last_step"),
        type_coerce(last_checkin, Date).label("last_checkin"), type_coerce(checkin_written, UTCDateTime).label("checkin_written"),
        type_coerce(last_entry, UTCDateTime).label("last_entry"), strong.label("strong"), attended.label("attended"),
        missed.label("missed"), weekly_margin.label("weekly_margin")).where(User.id.in_(everyone)))
    return {row.id: row._asdict() for row in rows}


def _shared_progress(counselor: User, consents: list) -> dict[int, list[dict]]:
    """The shared goals of these consents' participants with their progress, counted in one statement."""
    goals = shared_goal_progress(counselor, [c.participant_id for c in consents], consents)
    by_participant: dict[int, list[dict]] = {}
    for goal in goals:
        by_participant.setdefault(goal.user_id, []).append(
            {"id": goal.id, "title": goal.title,
             "progress": round(100 * (goal.done or 0) / goal.steps) if goal.steps else 0})
    return by_participant


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _medication_missed(participants: list[User]) -> dict[int, int]:
    """Doses missed in the last 7 days, per participant, in two statements for any number of them."""
    from companion.blueprints.medication import services as medication_services

    return {pid: s["missed_7d"] for pid, s in medication_services.summaries(participants).items()}


def caseload(counselor: User, *, record_as: str | None = "view") -> list[dict]:
    """Every participant with a consent to this counselor in effect, with what they shared.

    The number of queries is the same for 5 participants or 500.
    """
    consents = active_consents_to(counselor)
    by_participant = {}
    for consent in consents:  # one row per participant: the widest consent wins for each scope
        entry = by_participant.setdefault(consent.participant_id, {"participant": consent.participant, "scopes": set(), "consents": []})
        entry["scopes"].update(consent.scope_list)
        entry["consents"].append(consent)
    now = datetime.now(UTC)
    goals_by_participant = _shared_progress(counselor, consents)
    scoped = {scope: [pid for pid, e in by_participant.items() if scope in e["scopes"]]
              for scope in (Scope.GOALS, Scope.CHECKINS, Scope.JOURNAL, Scope.ATTENDANCE, Scope.WEEKLY)}
    activity = _activity(scoped, now)
    missed_doses = _medication_missed([e["participant"] for e in by_participant.values() if Scope.MEDICATION in e["scopes"]])
    rows = []
    for participant_id, entry in by_participant.items():
        participant = entry["participant"]
        seen = activity.get(participant_id, {})
        flags = []
        # Activity counts only from what this participant shares with this counselor.
        moments = [m for m in (seen.get("last_step"), seen.get("checkin_written"), seen.get("last_entry")) if m is not None]
        last = max(moments) if moments else None
        if entry["scopes"] & {Scope.GOALS, Scope.CHECKINS, Scope.JOURNAL}:
            if last is None or now - last > timedelta(days=QUIET_DAYS):
                flags.append("no_activity_3d")
        if seen.get("strong"):
            flags.append("craving_8_48h")
        if seen.get("missed"):
            flags.append("missed_session")
        if missed_doses.get(participant_id, 0) >= MISSED_DOSES_FLAG:
            flags.append("missed_doses_7d")
        if (seen.get("weekly_margin") or 0) > 0:
            flags.append("bam_risk_above_protective")
        rows.append({
            "participant_id": participant_id,
            "name": participant.name,
            "scopes": sorted(entry["scopes"]),
            "goals": goals_by_participant.get(participant_id, []),
            "steps_done_7d": seen.get("steps_done") or 0 if Scope.GOALS in entry["scopes"] else None,
            "last_checkin": seen.get("last_checkin"),
            "sessions_attended": seen.get("attended") or 0 if Scope.ATTENDANCE in entry["scopes"] else None,
            "last_activity": last,
            "flags": flags,
        })
    if record_as:
        ledger.record(counselor, [e["consents"][0] for e in by_participant.values()], record_as,
                      N_("caseload: shared goals' progress and flags"))
    return rows


FLAG_LABELS = {
    "no_activity_3d": _l("No shared activity for 3 days"),
    "craving_8_48h": _l("A strong craving (8 or more) in the last 48 hours"),
    "missed_session": _l("Missed a session"),
    "missed_doses_7d": _l("2 or more doses not marked as taken in the last 7 days"),
    "bam_risk_above_protective": _l("Weekly check-in: risk score above protective score"),
}


def participant_view(counselor: User, participant_id: int) -> dict:
    """What a participant shared with this counselor: their shared goals with steps and notes."""
    grant = consented(counselor, participant_id)
    consent, scopes = grant.consent, grant.scopes
    goals = shared_goals(counselor, [participant_id], list(grant.consents))
    notes = db.session.scalars(select(Encouragement).where(Encouragement.goal_id.in_([g.id for g in goals]))
                               .order_by(Encouragement.created_at.desc())).all() if goals else []
    suggestions = db.session.scalars(select(GoalSuggestion).where(GoalSuggestion.user_id == participant_id,
                                                                  GoalSuggestion.counselor_id == counselor.id)
                                     .order_by(GoalSuggestion.created_at.desc())).all()
    participant = grant.participant
    recent_checkins = list(db.session.scalars(select(CheckIn).where(CheckIn.user_id == participant_id)
                                              .order_by(CheckIn.date.desc()).limit(14))) if Scope.CHECKINS in scopes else None
    journal_summary = journal_services.insights_for(grant, 30) if Scope.JOURNAL in scopes else None
    weekly = weekly_services.history_for(grant)[:8] if Scope.WEEKLY in scopes else None
    medication = medication_share(participant, grant.with_scope(Scope.MEDICATION)) if Scope.MEDICATION in scopes else None
    shown = [label for scope, label in SCOPE_WORDS.items() if scope in scopes]
    if medication and medication["names"]:  # the page lists them: the ledger says so, as the API's read does
        shown[shown.index(SCOPE_WORDS[Scope.MEDICATION])] = N_("medication adherence with names")
    ledger.record(counselor, [consent], "view", "participant page: " + ", ".join(shown))
    return {"participant": participant, "consent": consent, "goals": goals, "notes": notes,
            "suggestions": suggestions, "checkins": recent_checkins, "journal": journal_summary,
            "can_plan_aftercare": AFTERCARE_SCOPE in scopes, "medication": medication,
            "weekly": weekly, "weekly_chart": weekly_services.chart(weekly) if weekly else None,
            "skill_names": journal_services.skill_names_for(grant) if journal_summary else {}}


# Stored in the ledger in English (a hashed record); the privacy pages translate them when they show them.
SCOPE_WORDS = {Scope.GOALS: N_("shared goals with steps"), Scope.CHECKINS: N_("recent check-ins"),
               Scope.JOURNAL: N_("journal summary"), Scope.ATTENDANCE: N_("attendance"),
               Scope.MEDICATION: N_("medication adherence"), Scope.WEEKLY: N_("weekly check-ins")}


def medication_names_shown(consents: list[Consent]) -> bool:
    """Whether any consent in effect with the medication scope also lets the counselor see the medications' names."""
    return any(c.medication_names for c in consents if Scope.MEDICATION in c.scope_list)


def medication_share(participant: User, consents: list[Consent]) -> dict:
    """Adherence, missed doses and the medications (names only when shown) of one participant."""
    from companion.blueprints.medication import services as medication_services

    summary = medication_services.summaries([participant])[participant.id]
    return {**summary, "medications": [m for m in summary["medications"] if m.active],
            "names": medication_names_shown(consents)}


def participant_weekly(counselor: User, participant_id: int) -> list:
    """A participant's weekly check-ins under the weekly scope; recorded in the ledger."""
    grant = consented(counselor, participant_id, Scope.WEEKLY)
    checkins = weekly_services.history_for(grant)
    ledger.record(counselor, [grant.consent], "view", N_("weekly check-ins: answers and scores"))
    return checkins


def participant_medication(counselor: User, participant_id: int) -> dict:
    """A participant's medication adherence under the medication scope; recorded in the ledger."""
    grant = consented(counselor, participant_id, Scope.MEDICATION)
    shared = medication_share(grant.participant, grant.with_scope(Scope.MEDICATION))
    ledger.record(counselor, [grant.consent], "view", N_("medication adherence with names") if shared["names"]
                  else N_("medication adherence"))
    return shared


def participant_goals(counselor: User, participant_id: int) -> list[Goal]:
    """A participant's shared goals, recorded in the ledger."""
    grant = consented(counselor, participant_id)
    goals = shared_goals(counselor, [participant_id], list(grant.consents))
    ledger.record(counselor, [grant.consent], "view", N_("shared goals with steps"))
    return goals


def aftercare_plan(counselor: User, participant_id: int) -> tuple[Consent, AftercarePlan | None]:
    """A participant's aftercare plan for a counselor they consented to (scope goals), recorded in the ledger."""
    grant = consented(counselor, participant_id, AFTERCARE_SCOPE)
    plan = support_services.aftercare_plan_for(grant.participant)
    ledger.record(counselor, [grant.consent], "view", N_("aftercare plan"))
    return grant.consent, plan


def save_aftercare(counselor: User, participant_id: int, data: dict, *,
                   expected_version: str | None = None) -> AftercarePlan:
    """Write or change a participant's aftercare plan under their consent; recorded in the ledger."""
    grant = consented(counselor, participant_id, AFTERCARE_SCOPE)
    plan = support_services.save_aftercare_plan(grant.participant, data, counselor,
                                                expected_version=expected_version)
    ledger.record(counselor, [grant.consent], "view", N_("aftercare plan, and changed it"))
    return plan


def suggest_goal(counselor: User, participant_id: int, *, title: str, why: str = "", steps: str = "") -> GoalSuggestion:
    """Suggest a goal to a participant who consented; they accept or decline it."""
    consented(counselor, participant_id)
    errors = Errors()
    title = clean_text(errors, "title", title, max_length=limits.GOAL_TITLE, required=True, label=_("The title"))
    why = clean_text(errors, "why", why, max_length=limits.GOAL_WHY, label=_("Why it matters"))
    steps = clean_text(errors, "steps", steps, max_length=limits.SUGGESTED_STEPS, label=_("The steps"))
    errors.raise_if_any()
    suggestion = GoalSuggestion(user_id=participant_id, counselor_id=counselor.id, title=title, why=why, steps=steps)
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def encourage(counselor: User, goal_id: int, body: str) -> Encouragement:
    """Leave a note of encouragement on a goal shared with this counselor."""
    goal = shared_goal(counselor, goal_id)
    errors = Errors()
    body = clean_text(errors, "body", body, max_length=limits.ENCOURAGEMENT, required=True, label=_("The note"))
    errors.raise_if_any()
    note = Encouragement(goal_id=goal.id, user_id=goal.user_id, counselor_id=counselor.id, body=body)
    db.session.add(note)
    db.session.commit()
    replan([goal.user_id])  # the inbox (and push, if the person wants it) tells them
    return note


def caseload_csv(counselor: User) -> str:
    """The caseload's shared progress as CSV, headed by the redisclosure notice; recorded as an export."""
    rows = caseload(counselor, record_as="export")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"NOTICE: {ledger.REDISCLOSURE_NOTICE}"])
    writer.writerow([])
    writer.writerow([pgettext("CSV header", "participant_id"), pgettext("CSV header", "name"),
                     pgettext("CSV header", "goal_id"), pgettext("CSV header", "goal"),
                     pgettext("CSV header", "progress_percent"), pgettext("CSV header", "steps_done_7d"),
                     pgettext("CSV header", "flags")])
    for row in rows:
        goals = row["goals"] or [{"id": "", "title": "", "progress": ""}]
        for goal in goals:
            writer.writerow([row["participant_id"], safe_cell(row["name"]), goal["id"], safe_cell(goal["title"]),
                             goal["progress"], row["steps_done_7d"] if row["steps_done_7d"] is not None else "",
                             " ".join(row["flags"])])
    return out.getvalue()
