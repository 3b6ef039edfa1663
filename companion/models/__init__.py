"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import InviteCode, Program, Role, User
from companion.models.base import Base, utcnow
from companion.models.support import (
    AftercarePlan,
    Meeting,
    MeetingFeed,
    ProgramResource,
    SafetyPlan,
    SavedMeeting,
)

__all__ = ["Base", "InviteCode", "Program", "Role", "User", "utcnow",
           "AftercarePlan", "Meeting", "MeetingFeed", "ProgramResource", "SafetyPlan", "SavedMeeting"]
