"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import InviteCode, Program, Role, User
from companion.models.base import Base, utcnow
from companion.models.goals import Goal, GoalCategory, GoalStatus, GoalStep, StepEvent
from companion.models.journal import CheckIn, CustomSkill, FavoriteSkill, JournalSettings, LogEntry, SoberStreak
from companion.models.privacy import Consent, DisclosureEntry, Encouragement, GoalSuggestion, Scope
from companion.models.support import AftercarePlan, Meeting, MeetingFeed, ProgramResource, SafetyPlan, SavedMeeting

__all__ = ["AftercarePlan", "Base", "CheckIn", "Consent", "CustomSkill", "DisclosureEntry", "Encouragement",
           "FavoriteSkill", "Goal", "GoalCategory", "GoalStatus", "GoalStep", "GoalSuggestion", "InviteCode",
           "JournalSettings", "LogEntry", "Meeting", "MeetingFeed", "Program", "ProgramResource", "Role",
           "SafetyPlan", "SavedMeeting", "Scope", "SoberStreak", "StepEvent", "User", "utcnow"]
