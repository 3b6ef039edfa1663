"""The weekly recovery check-in (the Brief Addiction Monitor over the past 7 days), and when to be reminded of it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from companion.models.base import Base, utcnow


class WeeklyCheckin(Base):
    """One week's BAM: one per person and local week (its Monday); a later one for the same week replaces it.

    The three scores are computed by the server from the answers and kept beside them, for the caseload and charts.
    """

    __tablename__ = "weekly_checkin"
    __table_args__ = (
        UniqueConstraint("user_id", "week_of", name="uq_weekly_checkin_user_id_week_of"),
        UniqueConstraint("user_id", "id", name="uq_weekly_checkin_user_id_id"),
        Index("ix_weekly_checkin_user_id_week_of_scores", "user_id", "week_of", "risk", "protective"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    week_of: Mapped[date]
    answers: Mapped[dict] = mapped_column(JSON)  # {"1": code, ..., "17": code}
    use: Mapped[int] = mapped_column(SmallInteger)
    risk: Mapped[int] = mapped_column(SmallInteger)
    protective: Mapped[int] = mapped_column(SmallInteger)
    body_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WeeklySettings(Base):
    """The day and time a person wants the weekly check-in reminder; no row (or no day) means none."""

    __tablename__ = "weekly_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int | None] = mapped_column(SmallInteger)  # 0-6, Monday = 0
    remind_at: Mapped[time | None]
