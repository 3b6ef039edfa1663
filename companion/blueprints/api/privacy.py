"""Consents, who saw what, export and deletion through the API; the counselor's reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask import Response
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from companion import limits
from companion.blueprints.api.goals import GoalOut
from companion.blueprints.api.spec import Input, Query, QueryDatetime, endpoint
from companion.blueprints.auth.sign_in_sessions import clear_device, end_session
from companion.blueprints.counselor import services as counselor_services
from companion.blueprints.privacy import fhir, ledger, services
from companion.models import Role
from companion.roles import STAFF, required

ScopeCode = Literal["goals", "checkins", "journal", "attendance", "medication", "weekly"]


class ConsentOut(BaseModel):
    id: int
    counselor_id: int
    scopes: list[ScopeCode]
    purpose: str
    expires_on: date
    signature: str = Field(description="The participant's typed full name: their electronic signature.")
    signed_at: datetime
    revoked_at: datetime | None
    medication_names: bool = Field(description="With the medication scope: the medications' names are shown too.")


class ConsentIn(Input):
    counselor_id: int = Field(description="A counselor of my program (GET /counselors).")
    scopes: Annotated[list[ScopeCode], Field(min_length=1)]
    purpose: str = Field(min_length=1, max_length=limits.CONSENT_PURPOSE)
    expires_on: date = Field(description="After today and within a year.")
    signature: str = Field(min_length=2, max_length=limits.SIGNATURE, description="My full name, typed.")
    medication_names: bool = Field(default=False, description="With the medication scope, also show the medications' "
                                                              "names (otherwise only adherence and missed doses).")


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: Literal["view", "export", "print"]
    what: str


class AuditQuery(Query):
    actor: str | None = Field(default=None, max_length=100, description="Only looks by staff whose name contains this.")
    since: QueryDatetime | None = None


class PersonOut(BaseModel):
    id: int
    name: str


class CaseloadGoal(BaseModel):
    id: int
    title: str
    progress: int


class CaseloadRow(BaseModel):
    participant_id: int
    name: str
    goals: list[CaseloadGoal]
    steps_done_7d: int | None = Field(description="Steps of shared goals done in the last 7 days (null without the goals scope).")
    last_checkin: date | None
    sessions_attended: int | None = Field(description="Sessions attended in the last 30 days (null without the attendance scope).")
    flags: list[Literal["no_activity_3d", "craving_8_48h", "missed_session", "missed_doses_7d", "bam_risk_above_protective"]]


class DeleteMe(Input):
    password: str = Field(min_length=1, max_length=1024)


@endpoint("/consents", "GET", summary="My consents", tag="privacy", response=list[ConsentOut])
def list_consents():
    """Every consent I signed, newest first, with its state."""
    return [services.consent_json(c) for c in services.consents_of(current_user)]


@endpoint("/consents", "POST", summary="Sign a consent", tag="privacy", body=ConsentIn, response=ConsentOut, status=201)
def grant_consent(body: ConsentIn):
    """Let one counselor of my program see the scopes named, for the purpose, until the expiry date."""
    consent = services.grant_consent(current_user, counselor_id=body.counselor_id, scopes=body.scopes,
                                     purpose=body.purpose, expires_on=body.expires_on, signature=body.signature,
                                     medication_names=body.medication_names)
    return services.consent_json(consent)


@endpoint("/consents/<int:consent_id>", "DELETE", summary="Revoke a consent", tag="privacy", response=ConsentOut)
def revoke_consent(consent_id: int):
    """Revoke a consent; it stops working on the very next request."""
    return services.consent_json(services.revoke_consent(current_user, consent_id))


@endpoint("/audit", "GET", summary="Who saw what", tag="privacy", query=AuditQuery, response=list[AuditOut])
def audit(query: AuditQuery):
    """Every staff read or export of my shared data, newest first."""
    return [services.disclosure_json(e) for e in ledger.entries_about(current_user, actor=query.actor, since=query.since)]


@endpoint("/counselors", "GET", summary="The counselors of my program", tag="privacy", response=list[PersonOut])
def counselors():
    """The counselors a consent may name."""
    if current_user.is_staff:
        return services.staff_names(current_user, Role.COUNSELOR)
    return services.counselors_of(current_user)


@endpoint("/participants", "GET", summary="The program's participants (staff)", tag="counselor", response=list[PersonOut],
          roles=required(*STAFF))
def participants():
    """Names only, nothing clinical."""
    return services.staff_names(current_user, Role.PARTICIPANT)


@endpoint("/caseload", "GET", summary="My caseload (counselor)", tag="counselor", response=list[CaseloadRow], disclosure=True,
          roles=required(Role.COUNSELOR))
def caseload():
    """Every participant with a consent to me in effect, with what they shared; recorded in their ledgers."""
    return counselor_services.caseload(current_user)


@endpoint("/participants/<int:participant_id>/goals", "GET", summary="A participant's shared goals (counselor)",
          tag="counselor", response=list[GoalOut], disclosure=True, roles=required(Role.COUNSELOR))
def participant_goals(participant_id: int):
    """The goals this participant shared with me, while their consent is in effect."""
    return counselor_services.participant_goals(current_user, participant_id)


@endpoint("/export", "GET", summary="All my data (JSON)", tag="privacy", response=dict)
def export():
    """Everything Companion holds about me."""
    return services.export_data(current_user)


@endpoint("/export/fhir", "GET", summary="All my data as a FHIR R4 Bundle", tag="privacy", response=dict,
          media_type="application/fhir+json")
def export_fhir():
    """A FHIR R4 Bundle of type collection: Patient, Goal, Observation, Consent and AuditEvent resources."""
    return fhir.bundle(current_user, services.export_data(current_user))


@endpoint("/me", "DELETE", summary="Delete my account and all my data", tag="account", body=DeleteMe, status=204)
def delete_me(body: DeleteMe):
    """Delete everything of mine after checking my password; every session of mine ends."""
    services.delete_account(current_user, body.password)
    end_session()
    return clear_device(Response(status=204))
