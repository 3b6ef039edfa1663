"""Every model, imported so that metadata and migrations see them all."""

from companion.models.accounts import InviteCode, Program, Role, User
from companion.models.base import Base, utcnow
from companion.models.reminders import Notification, PushSubscription, Reminder, ReminderSettings
from companion.models.sessions import Appointment, Attendance, Group, GroupMember, OccurrenceChange

__all__ = ["Base", "InviteCode", "Program", "Role", "User", "utcnow",
           "Appointment", "Attendance", "Group", "GroupMember", "OccurrenceChange",
           "Notification", "PushSubscription", "Reminder", "ReminderSettings"]
