"""Goals, their ordered small steps, and the history of ticking them off."""

from __future__ import annotations

import enum
from flask_babel import lazy_gettext as _l
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.models.base import Base, utcnow


class GoalStatus(enum.StrEnum):
    ACTIVE = "active"
    DONE = "done"
    ARCHIVED = "archived"


class GoalCategory(enum.StrEnum):
    RECOVERY = "recovery"
    HEALTH = "health"
    RELATIONSHIPS = "relationships"
    WORK_SCHOOL = "work_school"
    LEGAL = "legal"
    HOUSING = "housing"
    OTHER = "other"


CATEGORY_LABELS = {
    GoalCategory.RECOVERY: _l("Recovery"),
    GoalCategory.HEALTH: _l("Health"),
    GoalCategory.RELATIONSHIPS: _l("Relationships"),
    GoalCategory.WORK_SCHOOL: _l("Work and school"),
    GoalCategory.LEGAL: _l("Legal"),
    GoalCategory.HOUSING: _l("Housing"),
    GoalCategory.OTHER: _l("Other"),
}


class Goal(Base):
    """Something a participant wants to make real, one small step at a time."""

    __tablename__ = "goal"
    __table_args__ = (Index("ix_goal_user_id_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), default=GoalCategory.RECOVERY.value)
    target_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default=GoalStatus.ACTIVE.value)
    shared: Mapped[bool] = mapped_column(default=False)
    template: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]

    steps: Mapped[list[GoalStep]] = relationship(
        back_populates="goal", order_by="GoalStep.position", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def progress(self) -> int:
        """Steps done out of all steps, as a whole percentage (0 without steps)."""
        if not self.steps:
            return 0
        return round(100 * sum(step.done for step in self.steps) / len(self.steps))

    @property
    def steps_done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def next_step(self) -> GoalStep | None:
        """The first step not yet done."""
        return next((step for step in self.steps if not step.done), None)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


class GoalStep(Base):
    """One small step of a goal, in its place in the goal's order."""

    __tablename__ = "goal_step"
    __table_args__ = (
        Index("ix_goal_step_goal_id_position", "goal_id", "position"),
        Index("ix_goal_step_user_id_done_due_date", "user_id", "done", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"))
    # The goal's owner, kept on the step so that every step query checks ownership directly.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None]
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="steps")


class StepEvent(Base):
    """A step ticked off or unticked: the history behind trends, and the record that makes replays harmless."""

    __tablename__ = "step_event"
    __table_args__ = (
        UniqueConstraint("user_id", "client_id"),
        Index("ix_step_event_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    step_id: Mapped[int] = mapped_column(ForeignKey("goal_step.id", ondelete="CASCADE"), index=True)
    # Set by the device for completions made offline, so that a replay is applied once.
    client_id: Mapped[str | None] = mapped_column(String(64))
    done: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)
