"""Group sessions and their changes, individual appointments and attendance."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.models.base import Base, utcnow


class Group(Base):
    """A program's recurring group: an RFC 5545 rule at a local time in the group's time zone."""

    __tablename__ = "session_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The RRULE's value only ("FREQ=WEEKLY;BYDAY=MO,WE"), always read with the local start below.
    rrule: Mapped[str] = mapped_column(String(500))
    start_date: Mapped[date]
    start_time: Mapped[time]
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    members: Mapped[list[GroupMember]] = relationship(back_populates="group", cascade="all, delete-orphan",
                                                      passive_deletes=True)
    changes: Mapped[list[OccurrenceChange]] = relationship(back_populates="group", cascade="all, delete-orphan",
                                                           passive_deletes=True)


class GroupMember(Base):
    """A participant enrolled in a group."""

    __tablename__ = "session_group_member"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("session_group.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[Group] = relationship(back_populates="members")


class OccurrenceChange(Base):
    """One occurrence of a group cancelled (an EXDATE) or moved, leaving the series as it is."""

    __tablename__ = "session_occurrence_change"
    __table_args__ = (UniqueConstraint("group_id", "original_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("session_group.id", ondelete="CASCADE"))
    original_start: Mapped[datetime]
    cancelled: Mapped[bool] = mapped_column(default=False)
    new_start: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[Group] = relationship(back_populates="changes")


class Appointment(Base):
    """An individual appointment of one participant."""

    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_user_id_starts_at", "user_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attendance(Base):
    """Whether a participant was at one occurrence of a group (keyed by its original start)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("user_id", "group_id", "occurrence_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("session_group.id", ondelete="CASCADE"), index=True)
    occurrence_start: Mapped[datetime]
    present: Mapped[bool]
    # Who recorded it: the participant checking in, or a staff member.
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
