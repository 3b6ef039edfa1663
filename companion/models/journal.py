"""The journal: craving, trigger and coping entries, daily check-ins, days sober and coping skills."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, SmallInteger, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from companion.models.base import Base, utcnow

# Trigger categories and HALT states are stored as bit sets, so that insights count every category
# in one indexed pass over a person's entries instead of joining a row per category.
TRIGGERS = ("people", "places", "things", "emotions", "stress", "boredom", "conflict", "celebration",
            "physical_pain", "substance_cue", "other")
HALT = ("hungry", "angry", "lonely", "tired")
KINDS = ("craving", "trigger", "coping")
OUTCOMES = ("passed", "used", "ongoing")


def to_bits(codes, names: tuple[str, ...]) -> int:
    """The bit set of ``codes`` (each one of ``names``)."""
    return sum(1 << names.index(code) for code in set(codes))


def from_bits(bits: int, names: tuple[str, ...]) -> list[str]:
    """The codes of a bit set, in the order of ``names``."""
    return [name for i, name in enumerate(names) if bits & (1 << i)]


class LogEntry(Base):
    """One craving, trigger or coping entry, identified by the id its client generated."""

    __tablename__ = "log_entry"
    __table_args__ = (
        UniqueConstraint("user_id", "id", name="uq_log_entry_user_id_id"),
        # Lists read one person's entries newest first, a page at a time (the pk breaks ties).
        Index("ix_log_entry_user_id_occurred_at", "user_id", "occurred_at", "pk"),
        # Insights group a period's entries; holding every column they read lets them skip the table.
        Index("ix_log_entry_insights", "user_id", "occurred_at", "kind", "local_date", "local_hour", "intensity",
              "trigger_bits", "halt_bits", "skill", "helped"),
        # The caseload reads each participant's newest entry written (their last journal activity).
        Index("ix_log_entry_user_id_created_at", "user_id", "created_at"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    # The person's local date and hour when it happened, kept for insights.
    local_date: Mapped[date]
    local_hour: Mapped[int] = mapped_column(SmallInteger)
    intensity: Mapped[int | None] = mapped_column(SmallInteger)
    trigger_bits: Mapped[int] = mapped_column(default=0)
    halt_bits: Mapped[int] = mapped_column(SmallInteger, default=0)
    emotion: Mapped[str] = mapped_column(String(60), default="")
    skill: Mapped[str | None] = mapped_column(String(80))
    helped: Mapped[int | None] = mapped_column(SmallInteger)
    outcome: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    # A digest of the body first posted with this id: a replay of it is answered without a write.
    body_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def triggers(self) -> list[str]:
        return from_bits(self.trigger_bits, TRIGGERS)

    @property
    def halt(self) -> list[str]:
        return from_bits(self.halt_bits, HALT)


class CheckIn(Base):
    """The daily check-in: one per person and local date."""

    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("user_id", "date", name="uq_checkin_user_id_date"),
        UniqueConstraint("user_id", "id", name="uq_checkin_user_id_id"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    date: Mapped[date]
    mood: Mapped[int] = mapped_column(SmallInteger)
    craving: Mapped[int] = mapped_column(SmallInteger)
    used: Mapped[bool]
    sleep_hours: Mapped[float | None]
    note: Mapped[str] = mapped_column(Text, default="")
    body_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SoberStreak(Base):
    """One stretch of days sober, from its start date until a slip ends it (open while it runs)."""

    __tablename__ = "sober_streak"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date]
    ended_at: Mapped[datetime | None]
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JournalSettings(Base):
    """A person's journal preferences."""

    __tablename__ = "journal_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    show_days_sober: Mapped[bool] = mapped_column(default=True)


class FavoriteSkill(Base):
    """A coping skill a person keeps near the top."""

    __tablename__ = "favorite_skill"
    __table_args__ = (UniqueConstraint("user_id", "slug", name="uq_favorite_skill_user_id_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomSkill(Base):
    """A coping skill a person wrote for themselves."""

    __tablename__ = "custom_skill"
    __table_args__ = (UniqueConstraint("user_id", "slug", name="uq_custom_skill_user_id_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(200), default="")
    steps_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def steps(self) -> list[str]:
        return [line.strip() for line in self.steps_text.splitlines() if line.strip()]


# Insights read a daily roll-up of the entries instead of the entries: a period of 90 days is at most 90 rows
# of counts per person, however much they wrote. Both tables are derived from ``log_entry`` and rebuilt for a
# day by every write that touches it (``journal.rollup``); nothing else writes them.
journal_day = Table(
    "journal_day", Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("local_date", Date, primary_key=True),
    Column("cravings", Integer, nullable=False),
    Column("rated", Integer, nullable=False),  # cravings with an intensity
    Column("intensity_sum", Integer, nullable=False),
    *(Column(f"hour_{hour}", Integer, nullable=False) for hour in range(24)),  # cravings by local hour
)

# Per person, day and coping skill ('' for entries naming none): entries, how they helped, and the trigger and
# HALT counts of those entries, with the ratings of each trigger's entries.
journal_skill_day = Table(
    "journal_skill_day", Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("local_date", Date, primary_key=True),
    Column("skill", String(80), primary_key=True),
    Column("entries", Integer, nullable=False),
    Column("rated", Integer, nullable=False),
    Column("helped_sum", Integer, nullable=False),
    *(Column(f"trigger_{code}", Integer, nullable=False) for code in TRIGGERS),
    *(Column(f"halt_{code}", Integer, nullable=False) for code in HALT),
    *(Column(f"trigger_{code}_rated", Integer, nullable=False) for code in TRIGGERS),
    *(Column(f"trigger_{code}_helped", Integer, nullable=False) for code in TRIGGERS),
)
