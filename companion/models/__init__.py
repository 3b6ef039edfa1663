"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import InviteCode, Program, Role, User
from companion.models.base import Base, utcnow
from companion.models.goals import Goal, GoalCategory, GoalStatus, GoalStep, StepEvent

__all__ = ["Base", "Goal", "GoalCategory", "GoalStatus", "GoalStep", "InviteCode", "Program", "Role",
           "StepEvent", "User", "utcnow"]
