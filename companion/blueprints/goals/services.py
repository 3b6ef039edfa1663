"""Goals and their steps: the operations shared by the pages and the API."""

from __future__ import annotations

from flask_babel import gettext as _
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from companion import limits
from companion.access import ME, local_today, mine, mine_columns, owned, prepared, read_mine
from companion.blueprints.goals.library import BY_SLUG
from companion.blueprints.reminders.planner import replan
from companion.errors import Invalid
from companion.extensions import db
from companion.models import Encouragement, Goal, GoalCategory, GoalStatus, GoalStep, GoalSuggestion, StepEvent, User
from companion.validation import Errors, clean_text

TITLE_MAX = limits.GOAL_TITLE
WHY_MAX = limits.GOAL_WHY
MAX_STEPS = 50
CATEGORIES = [c.value for c in GoalCategory]
STATUSES = [s.value for s in GoalStatus]


def goals_for(user: User, statuses: list[str] | None = None) -> list[Goal]:
    """A person's goals with their steps, in two queries whatever their number."""
    query = mine(user, Goal).options(selectinload(Goal.steps)).order_by(Goal.created_at.desc(), Goal.id.desc())
    if statuses:
        query = query.where(Goal.status.in_(statuses))
    return list(db.session.scalars(query))


def goal_for(user: User, goal_id: int) -> Goal:
    """One of this person's goals with its steps; 404 for anyone else's."""
    return owned(user, Goal, goal_id, options=[selectinload(Goal.steps)], what="That goal")


def step_for(user: User, step_id: int) -> GoalStep:
    """One of this person's steps; 404 for anyone else's."""
    return owned(user, GoalStep, step_id, what="That step")


def _check_goal_fields(errors: Errors, user: User, fields: dict, *, current: Goal | None = None) -> dict:
    clean = {}
    if "title" in fields:
        clean["title"] = clean_text(errors, "title", fields["title"], max_length=TITLE_MAX, required=True, label=_("The title"))
    if "why" in fields:
        clean["why"] = clean_text(errors, "why", fields["why"], max_length=WHY_MAX, label=_("Why it matters"))
    if "category" in fields:
        if fields["category"] not in CATEGORIES:
            errors.add("category", _("Choose one of the categories."))
        clean["category"] = fields["category"]
    if "target_date" in fields:
        target = fields["target_date"]
        unchanged = current is not None and target == current.target_date
        if target is not None and not unchanged and target < local_today(user):
            errors.add("target_date", _("Choose today or a day in the future."))
        clean["target_date"] = target
    if "status" in fields:
        if fields["status"] not in STATUSES:
            errors.add("status", _("The status is active, done or archived."))
        clean["status"] = fields["status"]
    if "shared" in fields:
        if not isinstance(fields["shared"], bool):
            errors.add("shared", _("Sharing is true or false."))
        clean["shared"] = fields["shared"]
    return clean


def create_goal(user: User, *, title: str, why: str = "", category: str = "recovery", target_date: date | None = None,
                shared: bool = False, steps: list[dict] | None = None, template: str | None = None) -> Goal:
    """Create a goal, with its first steps (each ``{"title", "due_date"}``; blank titles are skipped)."""
    errors = Errors()
    fields = _check_goal_fields(errors, user, {"title": title, "why": why, "category": category,
                                                "target_date": target_date, "shared": shared})
    new_steps = []
    for index, step in enumerate(steps or []):
        cleaned = clean_text(errors, "steps", step.get("title"), max_length=TITLE_MAX, label=_("Step %(number)s", number=index + 1))
        if cleaned:
            new_steps.append(GoalStep(user_id=user.id, title=cleaned, due_date=step.get("due_date")))
    if len(new_steps) > MAX_STEPS:
        errors.add("steps", _("A goal can have at most %(MAX_STEPS)s steps. Smaller goals work better.", MAX_STEPS=MAX_STEPS))
    if template is not None and template not in BY_SLUG:
        errors.add("template", _("There is no such starter goal."))
    errors.raise_if_any()
    goal = Goal(user_id=user.id, template=template, **fields)
    goal.steps = new_steps
    _renumber(new_steps)
    db.session.add(goal)
    db.session.commit()
    if any(step.due_date for step in new_steps):
        replan([user.id])
    return goal


def update_goal(user: User, goal: Goal, changes: dict) -> Goal:
    """Change any of a goal's title, why, category, target date, status or sharing."""
    errors = Errors()
    fields = _check_goal_fields(errors, user, changes, current=goal)
    errors.raise_if_any()
    if "status" in fields and fields["status"] != goal.status:
        goal.completed_at = datetime.now(UTC) if fields["status"] == GoalStatus.DONE else None
    for name, value in fields.items():
        setattr(goal, name, value)
    db.session.commit()
    return goal


def delete_goal(goal: Goal) -> None:
    """Delete a goal and its steps."""
    db.session.delete(goal)
    db.session.commit()


def _renumber(steps: list[GoalStep]) -> None:
    for position, step in enumerate(steps):
        step.position = position


def add_step(goal: Goal, *, title: str, due_date: date | None = None, position: int | None = None) -> GoalStep:
    """Add a step to a goal, at the end or at ``position``."""
    errors = Errors()
    title = clean_text(errors, "title", title, max_length=TITLE_MAX, required=True, label=_("The step"))
    if len(goal.steps) >= MAX_STEPS:
        errors.add("title", _("A goal can have at most %(MAX_STEPS)s steps. Smaller goals work better.", MAX_STEPS=MAX_STEPS))
    if position is not None and not 0 <= position <= len(goal.steps):
        errors.add("position", _("The position is from 0 to %(last)s.", last=len(goal.steps)))
    errors.raise_if_any()
    step = GoalStep(user_id=goal.user_id, title=title, due_date=due_date)
    steps = list(goal.steps)
    steps.insert(len(steps) if position is None else position, step)
    goal.steps = steps
    _renumber(steps)
    db.session.commit()
    if due_date is not None:
        replan([goal.user_id])
    return step


def update_step(user: User, step: GoalStep, changes: dict) -> GoalStep:
    """Change a step's title, due date, place or done state (``client_id`` makes a replay harmless)."""
    errors = Errors()
    if "title" in changes:
        changes["title"] = clean_text(errors, "title", changes["title"], max_length=TITLE_MAX, required=True, label=_("The step"))
    goal = step.goal
    if "position" in changes and not (isinstance(changes["position"], int) and 0 <= changes["position"] < len(goal.steps)):
        errors.add("position", _("The position is from 0 to %(last)s.", last=len(goal.steps) - 1))
    if "done" in changes and not isinstance(changes["done"], bool):
        errors.add("done", _("Done is true or false."))
    client_id = changes.get("client_id")
    if client_id is not None:
        clean_text(errors, "client_id", client_id, max_length=64, required=True, label=_("The client id"))
    errors.raise_if_any()
    if "title" in changes:
        step.title = changes["title"]
    if "due_date" in changes:
        step.due_date = changes["due_date"]
    if "position" in changes:
        move_step(step, changes["position"], commit=False)
    if "done" in changes:
        set_done(user, step, changes["done"], client_id=client_id, commit=False)
    try:
        db.session.commit()
    except IntegrityError:
        # The same client id arrived twice at once: the other request applied it.
        db.session.rollback()
    if "due_date" in changes:
        replan([user.id])
    return step


def set_done(user: User, step: GoalStep, done: bool, *, client_id: str | None = None, commit: bool = True) -> GoalStep:
    """Tick a step off or untick it; a client id already applied changes nothing."""
    if client_id is not None:
        seen = db.session.scalar(select(StepEvent.id).where(StepEvent.user_id == user.id, StepEvent.client_id == client_id))
        if seen is not None:
            return step
    if step.done != done or client_id is not None:
        now = datetime.now(UTC)
        if step.done != done:
            step.done = done
            step.done_at = now if done else None
        db.session.add(StepEvent(user_id=user.id, step_id=step.id, client_id=client_id, done=done, at=now))
    if commit:
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
    return step


def move_step(step: GoalStep, position: int, *, commit: bool = True) -> None:
    """Move a step to ``position`` (0-based); the others close up around it."""
    steps = [s for s in step.goal.steps if s is not step]
    steps.insert(max(0, min(position, len(steps))), step)
    _renumber(steps)
    step.goal.steps = steps
    if commit:
        db.session.commit()


def reorder(goal: Goal, step_ids: list[int]) -> Goal:
    """Put a goal's steps in the given order; the ids must be exactly the goal's steps."""
    current = {step.id: step for step in goal.steps}
    if len(step_ids) != len(set(step_ids)) or set(step_ids) != set(current):
        raise Invalid.field("step_ids", _("Send each of this goal's step ids exactly once, in the new order."))
    steps = [current[step_id] for step_id in step_ids]
    _renumber(steps)
    goal.steps = steps
    db.session.commit()
    return goal


def delete_step(step: GoalStep) -> None:
    """Delete a step; the others close up."""
    goal = step.goal
    steps = [s for s in goal.steps if s is not step]
    goal.steps = steps
    _renumber(steps)
    db.session.commit()


def steps_for_today(user: User, today: date | None = None) -> tuple[list, list]:
    """Steps due today or overdue, and the next step of each active goal not already among them.

    One statement over the active goals' steps not yet done, reading only what a step's line shows.
    """
    today = today or local_today(user)
    rows = read_mine(user, _open_steps_statement()).all()
    due = sorted((s for s in rows if s.due_date is not None and s.due_date <= today), key=lambda s: (s.due_date, s.position))
    due_ids = {s.id for s in due}
    upcoming, seen = [], set()
    for step in rows:
        if step.goal_id not in seen:
            seen.add(step.goal_id)
            if step.id not in due_ids:
                upcoming.append(step)
    return due, upcoming


@prepared
def _open_steps_statement():
    return (mine_columns(ME, GoalStep, GoalStep.id, GoalStep.goal_id, GoalStep.title, GoalStep.position, GoalStep.done,
                         GoalStep.due_date)
            .join(Goal, Goal.id == GoalStep.goal_id)
            .where(Goal.status == GoalStatus.ACTIVE.value, GoalStep.done.is_(False))
            .order_by(Goal.created_at.desc(), Goal.id.desc(), GoalStep.position, GoalStep.id))


def from_template(slug: str) -> dict:
    """The fields of a starter goal, to prefill the new-goal form."""
    template = BY_SLUG.get(slug)
    if template is None:
        return {}
    return {"title": str(template.title), "why": str(template.why), "category": template.category,
            "steps": "\n".join(str(step) for step in template.steps), "template": template.slug}


def open_suggestions(user: User) -> list:
    """Goals counselors suggested that this person has not answered yet."""
    return list(db.session.scalars(mine(user, GoalSuggestion).where(GoalSuggestion.status == "open")
                                   .order_by(GoalSuggestion.created_at.desc())))


def answer_suggestion(user: User, suggestion_id: int, accept: bool) -> Goal | None:
    """Accept a suggested goal (it becomes one of mine) or decline it."""
    suggestion = owned(user, GoalSuggestion, suggestion_id, what="That suggestion")
    if suggestion.status != "open":
        return db.session.get(Goal, suggestion.goal_id) if suggestion.goal_id else None
    suggestion.answered_at = datetime.now(UTC)
    goal = None
    if accept:
        goal = create_goal(user, title=suggestion.title, why=suggestion.why,
                           steps=[{"title": line} for line in suggestion.steps.splitlines()])
        suggestion.goal_id = goal.id
    suggestion.status = "accepted" if accept else "declined"
    db.session.commit()
    return goal


def encouragement_for(user: User, goal: Goal) -> list:
    """Counselors' notes on one of my goals; reading them here marks the new ones seen (off Today)."""
    notes = list(db.session.scalars(mine(user, Encouragement).where(Encouragement.goal_id == goal.id)
                                    .order_by(Encouragement.created_at.desc())))
    unseen = [note for note in notes if note.seen_at is None]
    if unseen:
        now = datetime.now(UTC)
        for note in unseen:
            note.seen_at = now
        db.session.commit()
        for note in unseen:
            note.new = True  # shown as new this once
    return notes


def note_columns(user: User) -> dict:
    """Counselors' notes I have not read yet, as scalar subqueries read with the rest of Today: how many, and
    the newest one's goal, goal title and writer."""
    unseen = mine_columns(user, Encouragement, Encouragement.id).where(Encouragement.seen_at.is_(None))
    newest = unseen.order_by(Encouragement.created_at.desc(), Encouragement.id.desc()).limit(1).scalar_subquery()
    note = aliased(Encouragement)  # the newest note itself, apart from the subquery that finds it
    return {
        "notes_new": mine_columns(user, Encouragement, func.count()).where(Encouragement.seen_at.is_(None))
        .scalar_subquery(),
        "note_goal_id": select(note.goal_id).where(note.id == newest).scalar_subquery(),
        "note_goal": select(Goal.title).join(note, note.goal_id == Goal.id).where(note.id == newest).scalar_subquery(),
        "note_from": select(User.name).join(note, note.counselor_id == User.id).where(note.id == newest)
        .scalar_subquery(),
    }


def new_notes(values) -> dict | None:
    """What Today says of unread notes (from ``note_columns``), or None when there are none."""
    if not values.notes_new:
        return None
    return {"count": values.notes_new, "goal_id": values.note_goal_id, "goal": values.note_goal,
            "counselor": values.note_from}
