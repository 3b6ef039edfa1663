"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import InviteCode, Program, Role, User
from companion.models.base import Base, utcnow
from companion.models.goals import Goal, GoalCategory, GoalStatus, GoalStep, StepEvent
from companion.models.privacy import Consent, DisclosureEntry, Encouragement, GoalSuggestion, Scope

__all__ = ["Base", "Consent", "DisclosureEntry", "Encouragement", "Goal", "GoalSuggestion", "Scope", "GoalCategory", "GoalStatus", "GoalStep", "InviteCode", "Program", "Role",
           "StepEvent", "User", "utcnow"]
