"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import InviteCode, Program, Role, User
from companion.models.base import Base, utcnow

__all__ = ["Base", "InviteCode", "Program", "Role", "User", "utcnow"]
