"""Programs, people and the invite codes that join them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.models.base import Base, utcnow


class Role(enum.StrEnum):
    """What a person does in Companion."""

    PARTICIPANT = "participant"
    COUNSELOR = "counselor"
    ADMIN = "admin"


class Program(Base):
    """A clinic's Intensive Outpatient Program."""

    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="program")


class User(UserMixin, Base):
    """A participant, counselor or program admin."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so one address is one account whatever its case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default=Role.PARTICIPANT.value)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="SET NULL"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The language everything this person reads is in: pages, e-mails, push, the inbox, the calendar.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Raised to end every session of this person at once (sign out everywhere, deactivation).
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # How the disclosure ledger names this person: opaque, so ledger rows hold nothing of theirs.
    ledger_ref: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()), unique=True)
    # The optional PIN that unlocks the installed app on reopening (argon2id, like the password).
    pin_hash: Mapped[str | None] = mapped_column(String(255))

    program: Mapped[Program | None] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.COUNSELOR, Role.ADMIN)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class SignIn(Base):
    """One signed-in session on one device, kept on the server so that signing out ends it for good.

    The cookie holds a random token; the row holds its SHA-256, so a copy of this table opens no session.
    Signing out deletes the row, and a copy of the cookie taken before then no longer signs anyone in.
    """

    __tablename__ = "sign_in"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountMail(Base):
    """An account e-mail (a reset link, a notice) not yet accepted by the SMTP server: sent again until it is.

    It holds what to send, never the message: a reset link is made afresh at each try, so no usable token
    waits in the database. The row is deleted once the server accepts the message.
    """

    __tablename__ = "account_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    send_after: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class InviteCode(Base):
    """A code a program hands out so a participant's account joins that program."""

    __tablename__ = "invite_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    # The role an account made with this code gets: participant, or counselor for staff invitations.
    role: Mapped[str] = mapped_column(String(16), default=Role.PARTICIPANT.value)
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship()
