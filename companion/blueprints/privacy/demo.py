"""Consents for the demo: two participants share with the demo counselor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from companion.extensions import db
from companion.models import Consent, Role, User

SHARING = {"alex@example.org": "goals,checkins,attendance,medication,weekly", "maria@example.org": "goals"}


def seed_consents(program, people: list[User]) -> None:
    """Alex and Maria consent to the demo counselor (once)."""
    counselor = next((p for p in people if p.role == Role.COUNSELOR), None)
    if counselor is None:
        return
    now = datetime.now(UTC)
    for person in people:
        scopes = SHARING.get(person.email)
        if not scopes or db.session.scalar(select(func.count(Consent.id)).where(Consent.participant_id == person.id)):
            continue
        db.session.add(Consent(participant_id=person.id, counselor_id=counselor.id, program_name=program.name,
                               scopes=scopes, purpose="To support my treatment in the program.",
                               expires_on=(now + timedelta(days=90)).date(), signature=person.name,
                               signed_at=now - timedelta(days=14)))
    db.session.commit()
