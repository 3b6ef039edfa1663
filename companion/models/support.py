"""Support: imported meeting lists, saved meetings, program resources, aftercare and safety plans."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.models.base import Base, utcnow


class MeetingFeed(Base):
    """One Meeting Guide feed imported for a program (or for everyone when ``program_id`` is null)."""

    __tablename__ = "meeting_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    # The file path or URL it came from: importing the same source again updates this feed.
    source: Mapped[str] = mapped_column(String(2000))
    timezone: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    meeting_count: Mapped[int] = mapped_column(default=0)

    meetings: Mapped[list[Meeting]] = relationship(back_populates="feed", cascade="all, delete-orphan",
                                                   passive_deletes=True)


class Meeting(Base):
    """A weekly recovery meeting, as a Meeting Guide feed describes it."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("feed_id", "slug"),
        Index("ix_meeting_program_time", "program_id", "time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("meeting_feed.id", ondelete="CASCADE"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    # Bit d set for each weekday d the meeting is held (0 = Sunday, as in the feed); 0 when by appointment.
    day_mask: Mapped[int] = mapped_column(Integer, default=0)
    time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    types: Mapped[list] = mapped_column(JSON, default=list)
    # The codes as "|O|D|", so that a type filter is a LIKE on every database.
    type_codes: Mapped[str] = mapped_column(String(1000), default="|")
    online: Mapped[bool] = mapped_column(default=False)
    in_person: Mapped[bool] = mapped_column(default=True)
    location: Mapped[str | None] = mapped_column(String(255))
    formatted_address: Mapped[str | None] = mapped_column(String(500))
    region: Mapped[str | None] = mapped_column(String(255))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    location_notes: Mapped[str | None] = mapped_column(Text)
    conference_url: Mapped[str | None] = mapped_column(String(2000))
    conference_url_notes: Mapped[str | None] = mapped_column(Text)
    conference_phone: Mapped[str | None] = mapped_column(String(100))
    conference_phone_notes: Mapped[str | None] = mapped_column(Text)
    group_name: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(2000))
    # Lower-cased name, location, address, region and group, for the free-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    feed: Mapped[MeetingFeed] = relationship(back_populates="meetings")

    @property
    def days(self) -> list[int]:
        """The weekdays it is held, 0 = Sunday."""
        return [d for d in range(7) if self.day_mask & (1 << d)]


class SavedMeeting(Base):
    """A meeting a participant keeps on their list, with their reminder preference."""

    __tablename__ = "saved_meeting"
    __table_args__ = (UniqueConstraint("user_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    remind: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()


class ProgramResource(Base):
    """A local service a program adds to its support page (a clinic line, a local group)."""

    __tablename__ = "program_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AftercarePlan(Base):
    """What happens after IOP, for one participant: written by their counselor or by themselves."""

    __tablename__ = "aftercare_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    follow_up: Mapped[str] = mapped_column(Text, default="")
    meetings: Mapped[str] = mapped_column(Text, default="")
    sponsor_name: Mapped[str] = mapped_column(String(200), default="")
    sponsor_phone: Mapped[str] = mapped_column(String(40), default="")
    # [{"name", "phone"}]
    contacts: Mapped[list] = mapped_column(JSON, default=list)
    # ["..."]
    steps: Mapped[list] = mapped_column(JSON, default=list)
    # Who wrote it first and who last changed it (the counselor or the participant), shown to the participant.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])


class SafetyPlan(Base):
    """A participant's personal safety plan (Stanley-Brown's six steps)."""

    __tablename__ = "safety_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    # Each step's items: lists of text, or of {"name", "phone"} for the steps about people.
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
