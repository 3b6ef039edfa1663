"""Goal steps with a due date, as a source of reminders: once, at 9:00 local time on the due day."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from companion.blueprints.reminders.sources import Planned, reminder_source
from companion.extensions import db
from companion.models import Encouragement, Goal, GoalStep, User
from companion.timezones import zone

REMIND_AT = time(9, 0)


def _step_still_open(row) -> bool:
    step = db.session.get(GoalStep, int(row.source_id))
    return step is not None and not step.done and step.due_date is not None


@reminder_source("goal_step", uses_lead_times=False, setting="goal_steps", still_wanted=_step_still_open)
def due_steps(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """Each open step of an active goal due between ``start`` and ``end``, at 9:00 where its owner is."""
    query = (select(GoalStep, User.timezone).join(Goal, Goal.id == GoalStep.goal_id).join(User, User.id == GoalStep.user_id)
             .where(GoalStep.done.is_(False), GoalStep.due_date.is_not(None), Goal.status == "active",
                    GoalStep.due_date >= (start - timedelta(days=1)).date(), GoalStep.due_date <= (end + timedelta(days=1)).date()))
    if user_ids is not None:
        query = query.where(GoalStep.user_id.in_(list(user_ids)))
    for step, timezone in db.session.execute(query):
        at = datetime.combine(step.due_date, REMIND_AT, tzinfo=zone(timezone)).astimezone(UTC)
        if start <= at < end:
            yield Planned(user_id=step.user_id, source_id=str(step.id), at=at, title=_l("Step due today: %(step)s", step=step.title),
                          url=f"/goals/{step.goal_id}")


# A counselor's note is announced a minute after it is written (the planner plans from now on), through the
# person's own channels: in the inbox, and by push or e-mail only as they chose, discreet by default.
NOTE_DELAY = timedelta(minutes=1)


def _note_still_new(row) -> bool:
    note = db.session.get(Encouragement, int(row.source_id))
    return note is not None and note.seen_at is None


@reminder_source("encouragement", uses_lead_times=False, still_wanted=_note_still_new)
def new_notes(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """Each counselor's note not yet read, announced once, a minute after it was written."""
    query = (select(Encouragement, User.name).outerjoin(User, User.id == Encouragement.counselor_id)
             .where(Encouragement.seen_at.is_(None), Encouragement.created_at >= start - NOTE_DELAY,
                    Encouragement.created_at < end - NOTE_DELAY))
    if user_ids is not None:
        query = query.where(Encouragement.user_id.in_(list(user_ids)))
    for note, counselor in db.session.execute(query):
        at = note.created_at + NOTE_DELAY
        if start <= at < end:
            title = (_l("%(name)s left you a note", name=counselor) if counselor
                     else _l("Your counselor left you a note"))  # in the person's language, as on Today
            yield Planned(user_id=note.user_id, source_id=str(note.id), at=at, title=title,
                          url=f"/goals/{note.goal_id}#notes-heading")
