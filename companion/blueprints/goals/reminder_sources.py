"""Goal steps with a due date, as a source of reminders: once, at 9:00 local time on the due day."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from companion.blueprints.reminders.sources import Planned, reminder_source
from companion.extensions import db
from companion.models import Goal, GoalStep, User
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
