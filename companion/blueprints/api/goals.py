"""Goals and steps through the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from companion import limits
from companion.blueprints.api.spec import Input, Query, endpoint
from companion.blueprints.goals import library, services

Category = Literal["recovery", "health", "relationships", "work_school", "legal", "housing", "other"]
Status = Literal["active", "done", "archived"]
Title = Annotated[str, Field(min_length=1, max_length=limits.GOAL_TITLE)]
Why = Annotated[str, Field(max_length=limits.GOAL_WHY)]


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    position: int = Field(description="0-based place in the goal's order.")
    done: bool
    done_at: datetime | None
    due_date: date | None


class GoalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    why: str
    category: Category
    target_date: date | None
    status: Status
    shared: bool = Field(description="Shown to a counselor only while a consent with scope goals is active.")
    progress: int = Field(ge=0, le=100, description="Steps done out of all steps, in percent.")
    steps: list[StepOut]


class NewStep(Input):
    title: Title
    due_date: date | None = None


class GoalIn(Input):
    title: Title
    why: Why = ""
    category: Category = "recovery"
    target_date: date | None = Field(default=None, description="Today or later, in the participant's time zone.")
    shared: bool = False
    steps: list[NewStep] = Field(default_factory=list, max_length=50)
    template: str | None = Field(default=None, max_length=64, description="The slug of a starter goal.",
                                 json_schema_extra={"enum": [*library.BY_SLUG, None]})


# In a PATCH a field left out stays as it is; null is accepted only where it means something (no date).
class GoalPatch(Input):
    title: Title = None
    why: Why = None
    category: Category = None
    target_date: date | None = None
    status: Status = None
    shared: bool = None


class StepIn(Input):
    title: Title
    due_date: date | None = None
    position: int | None = Field(default=None, ge=0, description="Where to insert it (0-based); the end when left out.")


class StepPatch(Input):
    title: Title = None
    done: bool = None
    due_date: date | None = None
    position: int = Field(default=None, ge=0, description="Move the step here (0-based); the others are renumbered.")
    client_id: str | None = Field(default=None, min_length=1, max_length=64,
                                  description="Set by a device replaying an offline change: a client id is applied once.")


class OrderIn(Input):
    step_ids: list[int] = Field(description="Exactly the goal's step ids, in the new order.")


class GoalsQuery(Query):
    status: Status | None = None


def _changes(body: BaseModel) -> dict:
    """The fields the client sent, so that leaving a field out leaves it as it is."""
    return {name: getattr(body, name) for name in body.model_fields_set}


@endpoint("/goals", "GET", summary="My goals", tag="goals", query=GoalsQuery, response=list[GoalOut])
def list_goals(query: GoalsQuery):
    """My goals with their steps, newest first."""
    return services.goals_for(current_user, [query.status] if query.status else None)


@endpoint("/goals", "POST", summary="Create a goal", tag="goals", body=GoalIn, response=GoalOut, status=201)
def create_goal(body: GoalIn):
    """Create a goal, optionally with its first steps."""
    goal = services.create_goal(current_user, title=body.title, why=body.why, category=body.category,
                                target_date=body.target_date, shared=body.shared, template=body.template,
                                steps=[step.model_dump() for step in body.steps])
    return goal


@endpoint("/goals/<int:goal_id>", "GET", summary="One goal", tag="goals", response=GoalOut)
def get_goal(goal_id: int):
    """One of my goals with its steps."""
    return services.goal_for(current_user, goal_id)


@endpoint("/goals/<int:goal_id>", "PATCH", summary="Change a goal", tag="goals", body=GoalPatch, response=GoalOut)
def update_goal(goal_id: int, body: GoalPatch):
    """Change the fields sent; the others stay as they are."""
    goal = services.goal_for(current_user, goal_id)
    return services.update_goal(current_user, goal, _changes(body))


@endpoint("/goals/<int:goal_id>", "DELETE", summary="Delete a goal", tag="goals", status=204)
def delete_goal(goal_id: int):
    """Delete a goal and its steps."""
    services.delete_goal(services.goal_for(current_user, goal_id))


@endpoint("/goals/<int:goal_id>/steps", "POST", summary="Add a step", tag="goals", body=StepIn, response=StepOut, status=201)
def add_step(goal_id: int, body: StepIn):
    """Add a step at the end of a goal, or at ``position``."""
    goal = services.goal_for(current_user, goal_id)
    return services.add_step(goal, title=body.title, due_date=body.due_date, position=body.position)


@endpoint("/goals/<int:goal_id>/order", "PUT", summary="Reorder a goal's steps", tag="goals", body=OrderIn, response=GoalOut)
def reorder_steps(goal_id: int, body: OrderIn):
    """Put the goal's steps in this order (exactly the goal's step ids, else 422)."""
    goal = services.goal_for(current_user, goal_id)
    return services.reorder(goal, body.step_ids)


@endpoint("/steps/<int:step_id>", "PATCH", summary="Change, move or tick off a step", tag="goals", body=StepPatch, response=StepOut)
def update_step(step_id: int, body: StepPatch):
    """Change the fields sent; ``position`` moves the step and renumbers the others."""
    step = services.step_for(current_user, step_id)
    return services.update_step(current_user, step, _changes(body))


@endpoint("/steps/<int:step_id>", "DELETE", summary="Delete a step", tag="goals", status=204)
def delete_step(step_id: int):
    """Delete a step; the others close up."""
    services.delete_step(services.step_for(current_user, step_id))
