"""Medication (MAT): a person's medications, their schedules, and each scheduled dose marked or missed."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from companion.models.base import Base, utcnow

# What a dose row can say: the person's own answers, the worker's "missed", and a snooze waiting to ring again.
DOSE_STATUSES = ("taken", "skipped", "missed", "snoozed")


class Medication(Base):
    """One medication with its schedule: times of day on every day, on some weekdays, or every N days."""

    __tablename__ = "medication"
    __table_args__ = (Index("ix_medication_user_id_active", "user_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    dose: Mapped[str | None] = mapped_column(String(100))
    times: Mapped[list] = mapped_column(JSON)  # ["HH:MM", ...] in the person's time zone, sorted
    weekdays: Mapped[list | None] = mapped_column(JSON)  # [0-6], Monday = 0; None is every day
    every_days: Mapped[int | None] = mapped_column(SmallInteger)  # e.g. 28 for a monthly injection
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    clinic_dosed: Mapped[bool] = mapped_column(default=False)
    reminders: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    # A dose not marked this long after its time is recorded as missed by the worker.
    missed_after_minutes: Mapped[int] = mapped_column(default=180)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Dose(Base):
    """One scheduled dose as it went: taken, skipped (with an optional reason), missed, or snoozed for now.

    At most one row per medication and scheduled time (the unique key is what makes the worker's missed-dose
    recording happen once however many workers run). ``id`` is the client's UUID for a dose the person marked.
    """

    __tablename__ = "dose"
    __table_args__ = (
        UniqueConstraint("medication_id", "scheduled_for", name="uq_dose_medication_id_scheduled_for"),
        UniqueConstraint("user_id", "id", name="uq_dose_user_id_id"),
        # Today, the calendar and adherence read one person's doses in a range of times.
        Index("ix_dose_user_id_scheduled_for", "user_id", "scheduled_for"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    medication_id: Mapped[int] = mapped_column(ForeignKey("medication.id", ondelete="CASCADE"))
    scheduled_for: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(500), default="")
    snoozed_until: Mapped[datetime | None]
    body_digest: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
