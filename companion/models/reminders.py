"""Reminder settings, the delivery table, push subscriptions and the in-app inbox."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from companion.models.base import Base, utcnow

DEFAULT_LEADS = [1440, 60]
DEFAULT_CHANNELS = ["push", "email", "inapp"]


class ReminderSettings(Base):
    """How and when one person wants to be reminded; absent means the defaults."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    lead_minutes: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_LEADS))
    channels: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_CHANNELS))
    quiet_start: Mapped[time | None]
    quiet_end: Mapped[time | None]
    checkin_time: Mapped[time | None]
    goal_steps: Mapped[bool] = mapped_column(default=True)
    discreet: Mapped[bool] = mapped_column(default=True)
    # The private calendar feed's secret; replacing it makes the old URL answer 404.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Reminder(Base):
    """One planned delivery: a person, a source's occurrence, a lead time and a channel, sent at most once."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("user_id", "source_kind", "source_id", "occurrence_at", "lead_minutes", "channel",
                         name="uq_reminder_delivery"),
        # The dispatcher's claim: pending rows in order of when they may be sent.
        Index("ix_reminder_status_send_after", "status", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    source_kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64))
    occurrence_at: Mapped[datetime]
    lead_minutes: Mapped[int]
    channel: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="/")
    due_at: Mapped[datetime]
    # When it may next be sent: the due time, the end of quiet hours, or the next retry.
    send_after: Mapped[datetime]
    # pending, claimed, sent, skipped, missed or failed
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PushSubscription(Base):
    """A browser's Web Push subscription."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """An item of the in-app inbox."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminder.id", ondelete="SET NULL"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
