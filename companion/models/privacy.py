"""Consents, the disclosure ledger, and what counselors send participants."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.i18n import N_
from companion.models.accounts import User
from companion.models.base import Base, utcnow


class Scope(enum.StrEnum):
    GOALS = "goals"
    CHECKINS = "checkins"
    JOURNAL = "journal"
    ATTENDANCE = "attendance"
    MEDICATION = "medication"
    WEEKLY = "weekly"


SCOPE_LABELS = {
    Scope.GOALS: _l("Goals I mark as shared, with their steps and progress, and my aftercare plan (they may help write it)"),
    Scope.CHECKINS: _l("My daily check-ins (mood, craving, sleep, whether I used)"),
    Scope.JOURNAL: _l("A summary of my journal: cravings, triggers and the skills I tried"),
    Scope.ATTENDANCE: _l("My attendance at program sessions"),
    Scope.MEDICATION: _l("My medication: how many scheduled doses I took or missed (not the medication's name unless "
                         "I also choose to show names)"),
    Scope.WEEKLY: _l("My weekly recovery check-ins (the Brief Addiction Monitor): my answers and scores"),
}

REVOCATION_STATEMENT = N_(
    "I can revoke this consent at any time, in writing, by pressing \"Revoke\" on my privacy page in "
    "Companion or by telling my program. Revoking stops any further disclosure from that moment; it "
    "cannot undo a disclosure already made while the consent was in effect."
)


class Consent(Base):
    """A participant's written consent (42 CFR Part 2 § 2.31) for one counselor to see some of their data."""

    __tablename__ = "consent"
    __table_args__ = (
        Index("ix_consent_participant_id_counselor_id", "participant_id", "counselor_id"),
        Index("ix_consent_counselor_id_revoked_at", "counselor_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    counselor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # The program (the discloser) as it was named when the participant signed.
    program_name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(100))  # comma-separated Scope values
    purpose: Mapped[str] = mapped_column(String(500))
    expires_on: Mapped[date]
    revocation_statement: Mapped[str] = mapped_column(Text, default=REVOCATION_STATEMENT)
    signature: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # With the medication scope: whether the counselor may also see the medications' names.
    medication_names: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    participant: Mapped[User] = relationship(foreign_keys=[participant_id])
    counselor: Mapped[User] = relationship(foreign_keys=[counselor_id])

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]

    def is_active(self, today: date) -> bool:
        """In effect: signed, not revoked, not past its expiry date."""
        return self.revoked_at is None and self.expires_on >= today


class DisclosureEntry(Base):
    """One staff read, print or export of a participant's shared data. Append-only and hash-chained.

    Each participant's rows are a chain of their own (``seq`` counts from 1 within it), so that appends
    for different participants never wait for each other. Each row's hash is an HMAC, under a key kept
    outside the database, of its fields and the previous row's hash; the newest row of each chain is
    also recorded in ``ledger_head``, so that removing the newest rows shows too.

    The participant is named by an opaque reference, not by a foreign key, so that deleting the account
    removes every piece of content while the record that a disclosure happened (which the law keeps) stays.
    """

    __tablename__ = "disclosure_entry"
    __table_args__ = (
        UniqueConstraint("subject_ref", "seq", name="uq_disclosure_entry_subject_ref_seq"),
        Index("ix_disclosure_entry_subject_ref_at", "subject_ref", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    subject_ref: Mapped[str] = mapped_column(String(36))
    actor_ref: Mapped[str] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(16))
    # The staff member's account e-mail when the row was written: a fixed identity beside the chosen name.
    actor_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    action: Mapped[str] = mapped_column(String(16))  # view | export | print
    what: Mapped[str] = mapped_column(String(300))
    consent_id: Mapped[int | None]
    purpose: Mapped[str] = mapped_column(String(500), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(Base):
    """The newest row of one participant's chain, kept apart from the chain itself.

    ``audit verify`` checks every chain ends where its head says, so deleting the newest rows of a chain
    (which leaves the chain itself consistent) is found; ``audit heads`` prints them for keeping elsewhere.
    """

    __tablename__ = "ledger_head"

    subject_ref: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GoalSuggestion(Base):
    """A goal a counselor suggests; the participant accepts or declines it."""

    __tablename__ = "goal_suggestion"
    __table_args__ = (Index("ix_goal_suggestion_user_id_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[str] = mapped_column(Text, default="")  # one per line
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | accepted | declined
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    counselor: Mapped[User | None] = relationship(foreign_keys=[counselor_id])


class Encouragement(Base):
    """A counselor's note of encouragement on a goal shared with them."""

    __tablename__ = "encouragement"
    __table_args__ = (Index("ix_encouragement_goal_id_created_at", "goal_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]  # first read by the participant (on the goal's page or the inbox's link)

    counselor: Mapped[User | None] = relationship(foreign_keys=[counselor_id])
