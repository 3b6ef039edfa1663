"""Managing a program's counselors and invite codes."""

from __future__ import annotations

import secrets
from flask_babel import gettext as _
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from companion.access import of_program
from companion.blueprints.auth.services import deactivate
from companion.extensions import db
from companion.models import InviteCode, Role, User

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_code() -> str:
    """A short random invite code, easy to read out and type."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3))


def staff_of(admin: User) -> list[User]:
    """The counselors and admins of the admin's program."""
    return list(db.session.scalars(select(User).where(User.program_id == admin.program_id,
                                                      User.role.in_([Role.COUNSELOR, Role.ADMIN])).order_by(User.name)))


def invites_of(admin: User) -> list[InviteCode]:
    """The program's invite codes, newest first."""
    return list(db.session.scalars(select(InviteCode).where(InviteCode.program_id == admin.program_id)
                                   .order_by(InviteCode.created_at.desc(), InviteCode.id.desc())))


def create_invite(admin: User, role: str) -> InviteCode:
    """A participant code (many uses, 90 days) or a counselor invitation (one use, 14 days)."""
    counselor = role == Role.COUNSELOR
    invite = InviteCode(code=new_code(), program_id=admin.program_id, created_by_id=admin.id,
                        role=Role.COUNSELOR.value if counselor else Role.PARTICIPANT.value,
                        max_uses=1 if counselor else None,
                        expires_at=datetime.now(UTC) + timedelta(days=14 if counselor else 90))
    db.session.add(invite)
    db.session.commit()
    return invite


def revoke_invite(admin: User, invite_id: int) -> None:
    """Stop an invite code from working."""
    invite = of_program(admin.program_id, InviteCode, invite_id, message=_("That invite code was not found."))
    invite.revoked_at = invite.revoked_at or datetime.now(UTC)
    db.session.commit()


def switch_off(admin: User, user_id: int) -> User:
    """Switch a counselor's account off at once: every session of theirs ends on its next request."""
    user = of_program(admin.program_id, User, user_id, where=(User.role == Role.COUNSELOR,),
                      message=_("That counselor was not found."))
    deactivate(user)
    return user


def switch_on(admin: User, user_id: int) -> User:
    """Let a switched-off counselor sign in again."""
    user = of_program(admin.program_id, User, user_id, where=(User.role == Role.COUNSELOR,),
                      message=_("That counselor was not found."))
    user.active = True
    db.session.commit()
    return user
