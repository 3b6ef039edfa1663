"""Consents, "who saw what", export of all my data, and deleting my account."""

from __future__ import annotations

from flask_babel import gettext as _
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion import limits
from companion.access import local_today, mine, owned, program_members, program_people
from companion.blueprints.privacy import ledger
from companion.errors import Invalid
from companion.extensions import db
from companion.models import (CheckIn, Consent, CustomSkill, Encouragement, Goal, GoalSuggestion, LogEntry, Role, Scope,
                              SoberStreak, StepEvent, User)
from companion.models.privacy import REVOCATION_STATEMENT
from companion.security import verify_password
from companion.validation import Errors, clean_text

SCOPES = [s.value for s in Scope]
MAX_CONSENT_DAYS = 366


def counselors_of(participant: User) -> list[User]:
    """The counselors of a participant's program (whom a consent may name)."""
    return program_members(participant.program_id, Role.COUNSELOR)


def consents_of(participant: User) -> list[Consent]:
    """Every consent this participant has signed, newest first."""
    return list(db.session.scalars(mine(participant, Consent)
                                   .options(selectinload(Consent.counselor)).order_by(Consent.signed_at.desc(), Consent.id.desc())))


def own_consent(participant: User, consent_id: int) -> Consent:
    """One of this participant's consents; 404 for anyone else's."""
    return owned(participant, Consent, consent_id, message=_("That consent was not found."))


def grant_consent(participant: User, *, counselor_id, scopes, purpose, expires_on, signature,
                  medication_names: bool = False) -> Consent:
    """Record a consent with every element of a valid 42 CFR Part 2 consent; each one is required."""
    errors = Errors()
    counselor = None
    if counselor_id in (None, ""):
        errors.add("counselor_id", _("Choose the counselor who may see your information."))
    else:
        counselor = next((c for c in counselors_of(participant) if str(c.id) == str(counselor_id)), None)
        if counselor is None:
            errors.add("counselor_id", _("Choose one of your program's counselors."))
    scopes = list(dict.fromkeys(scopes or []))
    if not scopes:
        errors.add("scopes", _("Choose at least one kind of information to share."))
    elif any(s not in SCOPES for s in scopes):
        errors.add("scopes", _("Choose from goals, check-ins, journal, attendance, medication and weekly check-ins."))
    if medication_names and Scope.MEDICATION not in scopes and "scopes" not in errors:
        errors.add("medication_names", _("Medication names are shared only with the medication scope."))
    purpose = clean_text(errors, "purpose", purpose, max_length=limits.CONSENT_PURPOSE, required=True, label=_("The purpose"))
    today = local_today(participant)
    if expires_on is None:
        errors.add("expires_on", _("Choose the date this consent ends."))
    elif not isinstance(expires_on, date) or expires_on <= today:
        errors.add("expires_on", _("Choose a date after today."))
    elif expires_on > today + timedelta(days=MAX_CONSENT_DAYS):
        errors.add("expires_on", _("Choose a date within a year. You can sign a new consent then."))
    signature = clean_text(errors, "signature", signature, max_length=limits.SIGNATURE, required=True, label=_("Your signature"))
    if signature and len(signature) < 2:
        errors.add("signature", _("Type your full name to sign."))
    errors.raise_if_any()
    consent = Consent(participant_id=participant.id, counselor_id=counselor.id, program_name=participant.program.name,
                      scopes=",".join(s for s in SCOPES if s in scopes), purpose=purpose, expires_on=expires_on,
                      signature=signature, signed_at=datetime.now(UTC), medication_names=bool(medication_names),
                      revocation_statement=_(REVOCATION_STATEMENT))  # as the person read it when signing
    db.session.add(consent)
    db.session.commit()
    return consent


def revoke_consent(participant: User, consent_id: int) -> Consent:
    """Revoke a consent; the very next request of the counselor no longer sees anything under it."""
    consent = own_consent(participant, consent_id)
    if consent.revoked_at is None:
        consent.revoked_at = datetime.now(UTC)
        db.session.commit()
    return consent


def consent_status(consent: Consent, today: date) -> str:
    if consent.revoked_at is not None:
        return "revoked"
    return "active" if consent.expires_on >= today else "expired"


def export_data(user: User) -> dict:
    """Everything Companion holds about this person, as plain data."""
    goals = db.session.scalars(select(Goal).where(Goal.user_id == user.id).options(selectinload(Goal.steps))
                               .order_by(Goal.id)).all()
    events = db.session.scalars(select(StepEvent).where(StepEvent.user_id == user.id).order_by(StepEvent.id)).all()
    suggestions = db.session.scalars(select(GoalSuggestion).where(GoalSuggestion.user_id == user.id)).all()
    notes = db.session.scalars(select(Encouragement).where(Encouragement.user_id == user.id)).all()
    return {
        "exported_at": datetime.now(UTC),
        "account": {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
                    "program": user.program.slug if user.program else None, "timezone": user.timezone,
                    "created_at": user.created_at},
        "goals": [{"id": g.id, "title": g.title, "why": g.why, "category": g.category, "target_date": g.target_date,
                   "status": g.status, "shared": g.shared, "progress": g.progress, "created_at": g.created_at,
                   "completed_at": g.completed_at,
                   "steps": [{"id": s.id, "title": s.title, "position": s.position, "done": s.done,
                              "done_at": s.done_at, "due_date": s.due_date} for s in g.steps]} for g in goals],
        "step_history": [{"step_id": e.step_id, "done": e.done, "at": e.at} for e in events],
        "goal_suggestions": [{"title": s.title, "why": s.why, "status": s.status, "created_at": s.created_at}
                             for s in suggestions],
        "encouragement": [{"goal_id": n.goal_id, "body": n.body, "created_at": n.created_at} for n in notes],
        **journal_export(user),
        **support_export(user),
        **medication_export(user),
        "weekly_checkins": [{"id": c.id, "week_of": c.week_of, "answers": dict(c.answers),
                             "scores": {"use": c.use, "risk": c.risk, "protective": c.protective},
                             "created_at": c.created_at, "updated_at": c.updated_at} for c in weekly_export(user)],
        "consents": [consent_json(c) for c in consents_of(user)],
        "disclosures": [disclosure_json(e) for e in ledger.entries_about(user)],
    }


def journal_export(user: User) -> dict:
    """The journal part of an export: entries, check-ins, days sober and own skills."""
    entries = db.session.scalars(select(LogEntry).where(LogEntry.user_id == user.id).order_by(LogEntry.occurred_at)).all()
    checkins = db.session.scalars(select(CheckIn).where(CheckIn.user_id == user.id).order_by(CheckIn.date)).all()
    streaks = db.session.scalars(select(SoberStreak).where(SoberStreak.user_id == user.id)).all()
    skills = db.session.scalars(select(CustomSkill).where(CustomSkill.user_id == user.id)).all()
    return {
        "log_entries": [{"id": e.id, "kind": e.kind, "occurred_at": e.occurred_at, "intensity": e.intensity,
                         "triggers": e.triggers, "halt": e.halt, "emotion": e.emotion, "skill": e.skill,
                         "helped": e.helped, "outcome": e.outcome, "note": e.note} for e in entries],
        "checkins": [{"id": c.id, "date": c.date, "mood": c.mood, "craving": c.craving, "used": c.used,
                      "sleep_hours": c.sleep_hours, "note": c.note} for c in checkins],
        "sober_streaks": [{column.name: getattr(s, column.name) for column in SoberStreak.__table__.columns
                           if column.name not in ("user_id",)} for s in streaks],
        "custom_skills": [{"name": k.name, "purpose": k.purpose, "steps": k.steps} for k in skills],
    }


def support_export(user: User) -> dict:
    """The support part of an export: the safety plan, the aftercare plan and saved meetings."""
    from companion.blueprints.support import services as support

    safety_plan, updated_at = support.safety_plan_for(user)
    return {
        "safety_plan": {**safety_plan, "updated_at": updated_at},
        "aftercare_plan": support.aftercare_body(support.aftercare_plan_for(user)),
        "saved_meetings": [{"meeting": saved.meeting.name, "slug": saved.meeting.slug, "remind": saved.remind}
                           for saved in support.saved_meetings(user)],
    }


def medication_export(user: User) -> dict:
    """The medication part of an export: each medication with its schedule, and every dose marked or missed."""
    from companion.models import Dose, Medication

    medications = db.session.scalars(select(Medication).where(Medication.user_id == user.id).order_by(Medication.id)).all()
    doses = db.session.scalars(select(Dose).where(Dose.user_id == user.id, Dose.status != "snoozed")
                               .order_by(Dose.scheduled_for, Dose.pk)).all()
    return {
        "medications": [{"id": m.id, "name": m.name, "dose": m.dose,
                         "schedule": {"times": list(m.times), "weekdays": m.weekdays, "every_days": m.every_days},
                         "start_date": m.start_date, "end_date": m.end_date, "clinic_dosed": m.clinic_dosed,
                         "reminders": m.reminders, "active": m.active, "missed_after_minutes": m.missed_after_minutes,
                         "created_at": m.created_at} for m in medications],
        "doses": [{"id": d.id, "medication_id": d.medication_id, "scheduled_for": d.scheduled_for, "status": d.status,
                   "reason": d.reason, "recorded_at": d.recorded_at} for d in doses],
    }


def weekly_export(user: User) -> list:
    from companion.models import WeeklyCheckin

    return list(db.session.scalars(select(WeeklyCheckin).where(WeeklyCheckin.user_id == user.id)
                                   .order_by(WeeklyCheckin.week_of)))


def consent_json(consent: Consent) -> dict:
    return {"id": consent.id, "counselor_id": consent.counselor_id, "scopes": consent.scope_list,
            "purpose": consent.purpose, "expires_on": consent.expires_on, "signature": consent.signature,
            "signed_at": consent.signed_at, "revoked_at": consent.revoked_at,
            "medication_names": consent.medication_names}


def disclosure_json(entry) -> dict:
    return {"at": entry.at, "actor": entry.actor_name, "action": entry.action, "what": entry.what}


def delete_account(user: User, password: str) -> None:
    """Delete the account and everything in it, after checking the password; every session ends."""
    if not isinstance(password, str) or not verify_password(user.password_hash, password):
        raise Invalid.field("password", _("That is not your password."))
    db.session.delete(user)
    db.session.commit()


def staff_names(staff: User, role: str) -> list[User]:
    """Names of a program's people of one role (nothing clinical)."""
    return program_people(staff, role)
