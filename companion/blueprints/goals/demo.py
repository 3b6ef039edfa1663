"""Goals with a few weeks of history for the demo participants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from companion.blueprints.goals.library import BY_SLUG
from companion.extensions import db
from companion.models import Goal, GoalStep, StepEvent, User

# For each demo participant: (template, steps done, shared, days ago it was set)
PLANS = {
    "alex@example.org": [("attend-group-this-week", 3, True, 20), ("sleep-routine", 2, True, 12), ("reconnect", 1, False, 5)],
    "maria@example.org": [("find-a-sponsor", 4, True, 25), ("job-interview", 1, True, 9)],
    "dee@example.org": [("high-risk-weekend", 0, False, 3)],
}


def seed_goals(people: list[User]) -> None:
    """Give each demo participant goals with steps ticked off over the past weeks (once)."""
    now = datetime.now(UTC)
    for person in people:
        plans = PLANS.get(person.email)
        if not plans or db.session.scalar(select(func.count(Goal.id)).where(Goal.user_id == person.id)):
            continue
        for slug, done, shared, days_ago in plans:
            template = BY_SLUG[slug]
            started = now - timedelta(days=days_ago)
            goal = Goal(user_id=person.id, title=str(template.title), why=str(template.why), category=template.category,
                        shared=shared, template=slug, created_at=started, updated_at=started)
            goal.steps = [GoalStep(user_id=person.id, title=str(title), position=i, created_at=started)
                          for i, title in enumerate(template.steps)]
            db.session.add(goal)
            db.session.flush()
            for i, step in enumerate(goal.steps[:done]):
                at = started + timedelta(days=(i + 1) * max(1, days_ago // (done + 1)), hours=9 + i)
                step.done, step.done_at = True, min(at, now)
                db.session.add(StepEvent(user_id=person.id, step_id=step.id, done=True, at=step.done_at))
    db.session.commit()
