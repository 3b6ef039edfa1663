"""Where reminders come from: each capability registers a source of occurrences.

A source is a function ``(start, end, user_ids) -> Iterable[Planned]`` giving every occurrence that
starts in [start, end) for those people (``user_ids`` None means everyone). The planner turns each one
into a row per lead time and channel, under the unique key (person, kind, source id, occurrence, lead,
channel), and deletes pending rows that a source no longer gives. After a change that moves, adds or
removes occurrences, the capability calls ``companion.blueprints.reminders.planner.replan(user_ids)``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Planned:
    """One occurrence of something to be reminded of."""

    user_id: int
    source_id: str  # stable within the kind, e.g. a group's id or a goal step's id (at most 64 characters)
    at: datetime  # when it happens (UTC); a nudge's own time
    title: str  # shown inside the app, and outside it only when the person turned discreet text off
    url: str = "/"  # where the reminder leads in the app


SourceFunction = Callable[[datetime, datetime, Collection[int] | None], Iterable[Planned]]


@dataclass(frozen=True)
class Source:
    kind: str
    occurrences: SourceFunction
    # True: remind at each of the person's lead times before ``at``; False: once, at ``at`` (a nudge).
    uses_lead_times: bool = True
    # The name of a boolean ReminderSettings attribute that turns this source off, e.g. "goal_steps".
    setting: str | None = None
    # Asked just before sending (with the row); False skips it, e.g. a step done or a check-in made since.
    still_wanted: Callable | None = None


SOURCES: dict[str, Source] = {}


def reminder_source(kind: str, *, uses_lead_times: bool = True, setting: str | None = None,
                    still_wanted: Callable | None = None):
    """Register a function as the source of reminders of ``kind`` (at most 32 characters)."""
    if len(kind) > 32:
        raise ValueError("a source kind has at most 32 characters")

    def decorator(function: SourceFunction) -> SourceFunction:
        SOURCES[kind] = Source(kind, function, uses_lead_times, setting, still_wanted)
        return function

    return decorator
