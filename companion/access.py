"""The one place that loads personal data for a viewer.

Every query for a person's own rows goes through ``owned`` (a 404 for anyone else's id, never a hint
that it exists) or starts from ``mine``. Staff access under a participant's consent is added here too,
so that no view queries another person's rows by id directly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from flask_babel import gettext as _

from sqlalchemy import Executable, Integer, Result, Row, Select, bindparam, case, func, select
from sqlalchemy.orm import contains_eager, selectinload

from companion.errors import NotFound
from companion.extensions import db
from companion.models import Consent, Goal, GoalStep, Role, Scope, User
from companion.timezones import zone

T = TypeVar("T")


# Whose a row is, by model: the column naming the person it belongs to, where it is not ``user_id``.
OWNER_COLUMNS = {Consent: "participant_id"}


def owner_column(model: type):
    """The column of ``model`` that names the person a row belongs to (``OWNER_COLUMNS``, else ``user_id``)."""
    return getattr(model, OWNER_COLUMNS.get(model, "user_id"))


def mine(user: User, model: type[T], *, by=None) -> Select:
    """A query for ``model``'s rows that belong to ``user``: by its owner column, or the column ``by`` (say the
    author of an appointment, ``Appointment.created_by_id``)."""
    return select(model).where((owner_column(model) if by is None else by) == user.id)


def owned(user: User, model: type[T], object_id, *, by=None, options=(), what: str = "That",
          message: str | None = None) -> T:
    """The ``model`` row with this id when it belongs to ``user`` (see ``mine``); a 404 otherwise, saying
    ``message`` (by default "<what> was not found.")."""
    row = db.session.scalar(mine(user, model, by=by).where(model.id == object_id).options(*options))
    if row is None:
        raise NotFound(message or _("%(what)s was not found.", what=what))
    return row


def local_today(user: User, now: datetime | None = None) -> date:
    """Today's date where ``user`` is (at ``now``, by default the present)."""
    return (now or datetime.now(UTC)).astimezone(zone(user.timezone)).date()


def active_consents_to(counselor: User, participant_ids: list[int] | None = None, scope: str | None = None) -> list[Consent]:
    """The consents in effect now that let ``counselor`` see something of participants of their program.

    A consent counts only while it is not revoked, not expired, the counselor's account is active and
    both are in the same program; checked on every request, so revoking takes effect at once.
    """
    if not counselor.is_active or counselor.role != Role.COUNSELOR or counselor.program_id is None:
        return []
    today = local_today(counselor)
    query = (
        select(Consent)
        .join(User, User.id == Consent.participant_id)
        .where(Consent.counselor_id == counselor.id, Consent.revoked_at.is_(None), Consent.expires_on >= today,
               User.program_id == counselor.program_id, User.active.is_(True))
        .options(contains_eager(Consent.participant))
        .order_by(User.name, Consent.id)
    )
    if participant_ids is not None:
        query = query.where(Consent.participant_id.in_(participant_ids))
    consents = list(db.session.scalars(query).unique())
    if scope is not None:
        consents = [c for c in consents if scope in c.scope_list]
    return consents


@dataclass(frozen=True)
class Grant:
    """What one counselor may see of one participant on this request: the consents in effect, read once.

    Every staff read of a participant's data takes a grant, so that a read without consent cannot be written;
    ``consent`` is the one the read is recorded under in the disclosure ledger.
    """

    counselor: User
    consent: Consent
    consents: tuple[Consent, ...]

    @property
    def participant(self) -> User:
        return self.consent.participant

    @property
    def scopes(self) -> set[str]:
        """Every scope the consents in effect give."""
        return {scope for c in self.consents for scope in c.scope_list}

    def with_scope(self, scope: str) -> list[Consent]:
        """The consents in effect that include ``scope``."""
        return [c for c in self.consents if scope in c.scope_list]

    def participant_under(self, scope: str) -> User:
        """The participant, for a read of what ``scope`` shares; 404 where no consent in effect gives it."""
        if not self.with_scope(scope):
            raise NotFound(_("That person was not found."))
        return self.participant


def consented(counselor: User, participant_id: int, scope: str | None = None) -> Grant:
    """The grant that lets ``counselor`` see this participant (under ``scope``, when named); 404 without one."""
    consents = active_consents_to(counselor, [participant_id])
    scoped = consents if scope is None else [c for c in consents if scope in c.scope_list]
    if not scoped:
        raise NotFound(_("That person was not found."))
    return Grant(counselor, scoped[0], tuple(consents))


# The aftercare plan is the plan of goals and steps for after IOP. A counselor reads and writes it under the
# goals scope (whose wording names it), so that the consent's scopes stay the ones the API Contract lists.
AFTERCARE_SCOPE = Scope.GOALS


def shared_goals(counselor: User, participant_ids: list[int], consents: list[Consent] | None = None) -> list[Goal]:
    """The goals these participants shared, for those whose consent to ``counselor`` includes goals."""
    consents = active_consents_to(counselor, participant_ids, Scope.GOALS) if consents is None else \
        [c for c in consents if Scope.GOALS in c.scope_list]
    allowed = sorted({c.participant_id for c in consents})
    if not allowed:
        return []
    query = (select(Goal).where(Goal.user_id.in_(allowed), Goal.shared.is_(True), Goal.status != "archived")
             .options(selectinload(Goal.steps)).order_by(Goal.user_id, Goal.created_at.desc(), Goal.id.desc()))
    return list(db.session.scalars(query))


def shared_goal_progress(counselor: User, participant_ids: list[int], consents: list[Consent]) -> list:
    """``shared_goals``, as rows of (id, user_id, title, steps, done) counted in one statement."""
    allowed = sorted({c.participant_id for c in consents if Scope.GOALS in c.scope_list and c.participant_id in participant_ids})
    if not allowed:
        return []
    query = (select(Goal.id, Goal.user_id, Goal.title, func.count(GoalStep.id).label("steps"),
                    func.sum(case((GoalStep.done.is_(True), 1), else_=0)).label("done"))
             .outerjoin(GoalStep, GoalStep.goal_id == Goal.id)
             .where(Goal.user_id.in_(allowed), Goal.shared.is_(True), Goal.status != "archived")
             .group_by(Goal.id, Goal.user_id, Goal.title, Goal.created_at)
             .order_by(Goal.user_id, Goal.created_at.desc(), Goal.id.desc()))
    return list(db.session.execute(query))


def shared_goal(counselor: User, goal_id: int) -> Goal:
    """One shared goal the counselor may see now; 404 otherwise."""
    goal = db.session.scalar(select(Goal).where(Goal.id == goal_id, Goal.shared.is_(True)).options(selectinload(Goal.steps)))
    if goal is None or not active_consents_to(counselor, [goal.user_id], Scope.GOALS):
        raise NotFound(_("That goal was not found."))
    return goal


def program_members(program_id: int | None, role: str) -> list[User]:
    """The active people of a program with ``role``, by name (names only are shown from it)."""
    if program_id is None:
        return []
    return list(db.session.scalars(select(User).where(User.program_id == program_id, User.role == role,
                                                      User.active.is_(True)).order_by(User.name, User.id)))


def program_people(staff: User, role: str) -> list[User]:
    """The people of a staff member's program with ``role``; nobody for a participant."""
    return program_members(staff.program_id, role) if staff.is_staff else []


# The viewer as a bound parameter. A statement of the viewer's own rows that every page runs is built once with
# it (``prepared``), then run by ``read_mine``, which binds it to the signed-in person's id: building a
# statement costs more than running it.
ME = bindparam("me", type_=Integer)


def mine_columns(user: User, model: type, *columns) -> Select:
    """A query for some columns or aggregates of ``model``'s rows that belong to ``user`` (or to ``ME``)."""
    return select(*columns).where(model.user_id == (ME if user is ME else user.id))


def prepared(build: Callable[[], Executable]) -> Callable[[], Executable]:
    """A statement built once, the first time it is asked for, with ``ME`` where the viewer goes."""
    return functools.cache(build)


def read_mine(user: User, statement: Executable, **params) -> Result:
    """Run a prepared statement for ``user``: its ``ME`` bound to their id."""
    return db.session.execute(statement, {"me": user.id, **params})


def about_me_statement(**columns) -> Select:
    """Several of the viewer's own values in one statement: each a scalar subquery built on ``mine_columns``."""
    return select(*(column.label(name) for name, column in columns.items()))


def about_me(**columns) -> Row:
    """``about_me_statement`` run at once, for values built for one viewer."""
    return db.session.execute(about_me_statement(**columns)).one()


def of_program(program_id: int | None, model: type[T], object_id, *, where=(), options=(), what: str = "That",
               message: str | None = None) -> T:
    """The ``model`` row (with a ``program_id``) with this id when it is of this program (and meets ``where``);
    a 404 otherwise, saying ``message`` (by default "<what> was not found.")."""
    row = None
    if program_id is not None and isinstance(object_id, int):
        row = db.session.scalar(select(model).where(model.id == object_id, model.program_id == program_id, *where)
                                .options(*options))
    if row is None:
        raise NotFound(message or _("%(what)s was not found.", what=what))
    return row


def in_program(user: User, model: type[T], object_id, *, where=(), options=(), what: str = "That",
               message: str | None = None) -> T:
    """The ``model`` row of ``user``'s program with this id when ``user`` is its staff; a 404 otherwise."""
    return of_program(user.program_id if user.is_staff else None, model, object_id, where=where, options=options,
                      what=what, message=message)
