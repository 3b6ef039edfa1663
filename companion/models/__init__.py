"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import InviteCode, Program, Role, User
from companion.models.base import Base, utcnow
from companion.models.journal import CheckIn, CustomSkill, FavoriteSkill, JournalSettings, LogEntry, SoberStreak

__all__ = ["Base", "InviteCode", "Program", "Role", "User", "utcnow"]
__all__ += ["CheckIn", "CustomSkill", "FavoriteSkill", "JournalSettings", "LogEntry", "SoberStreak"]
