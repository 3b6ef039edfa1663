"""The sessions capability's reminder sources: group occurrences and individual appointments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.blueprints.reminders.sources import Planned, reminder_source
from companion.blueprints.sessions.services import group_occurrences
from companion.extensions import db
from companion.models import Appointment, Group, GroupMember


@reminder_source("session")
def group_sessions(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """Every occurrence of every group, for each of its members."""
    members = select(GroupMember.group_id, GroupMember.user_id)
    if user_ids is not None:
        members = members.where(GroupMember.user_id.in_(list(user_ids)))
    by_group = defaultdict(list)
    for group_id, user_id in db.session.execute(members):
        by_group[group_id].append(user_id)
    if not by_group:
        return
    groups = db.session.scalars(select(Group).where(Group.id.in_(list(by_group))).options(selectinload(Group.changes)))
    for group in groups:
        for occurrence in group_occurrences(group, start, end):
            for user_id in by_group[group.id]:
                yield Planned(user_id=user_id, source_id=str(group.id), at=occurrence.starts_at, title=group.name,
                              url="/sessions")


@reminder_source("appointment")
def appointments(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """Every individual appointment."""
    query = select(Appointment).where(Appointment.starts_at >= start, Appointment.starts_at < end)
    if user_ids is not None:
        query = query.where(Appointment.user_id.in_(list(user_ids)))
    for appointment in db.session.scalars(query):
        yield Planned(user_id=appointment.user_id, source_id=str(appointment.id), at=appointment.starts_at,
                      title=appointment.title, url="/sessions")
