"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import AccountMail, InviteCode, Program, Role, SignIn, User
from companion.models.base import Base, utcnow
from companion.models.goals import Goal, GoalCategory, GoalStatus, GoalStep, StepEvent
from companion.models.journal import CheckIn, CustomSkill, FavoriteSkill, JournalSettings, LogEntry, SoberStreak
from companion.models.medication import Dose, Medication
from companion.models.privacy import Consent, DisclosureEntry, Encouragement, GoalSuggestion, LedgerHead, Scope
from companion.models.reminders import Notification, PushSubscription, Reminder, ReminderSettings
from companion.models.sessions import Appointment, Attendance, Group, GroupMember, OccurrenceChange
from companion.models.weekly import WeeklyCheckin, WeeklySettings
from companion.models.support import AftercarePlan, Meeting, MeetingFeed, ProgramResource, SafetyPlan, SavedMeeting

__all__ = ["AccountMail", "AftercarePlan", "Appointment", "Attendance", "Base", "CheckIn", "Consent", "CustomSkill",
           "DisclosureEntry", "Dose", "Encouragement", "FavoriteSkill", "Goal", "GoalCategory", "GoalStatus", "GoalStep",
           "GoalSuggestion", "Group", "GroupMember", "InviteCode", "JournalSettings", "LedgerHead", "LogEntry", "Medication", "Meeting",
           "MeetingFeed", "Notification", "OccurrenceChange", "Program", "ProgramResource", "PushSubscription",
           "Reminder", "ReminderSettings", "Role", "SafetyPlan", "SavedMeeting", "Scope", "SignIn", "SoberStreak", "StepEvent",
           "User", "WeeklyCheckin", "WeeklySettings", "utcnow"]
