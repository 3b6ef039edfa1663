"""The journal's daily roll-up: what insights read instead of the entries.

``journal_day`` and ``journal_skill_day`` hold, per person and local date, the counts insights chart. They
are derived from ``log_entry`` only, and every write of entries rebuilds the days it touched, in the same
transaction as the write: the rows of those days are deleted and counted again from the entries (an
``INSERT … SELECT``), so a roll-up is never adjusted by a difference that could drift. A person's writes
take their account row's lock first, so two writes of the same day at once count one after the other.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, Integer, and_, bindparam, case, delete, func, insert, literal_column, select

from companion.extensions import db
from companion.models import User
from companion.models.journal import HALT, TRIGGERS, LogEntry, journal_day, journal_skill_day

# Entries are found by (user_id, occurred_at), the indexed columns; a local date lies within a day and a
# half of its UTC dates (offsets run from -12 to +14 hours), so two days either side cannot miss one.
_SLACK = timedelta(days=2)
# Entries that name no skill are kept under '' (a primary key column cannot be NULL).
_SKILL = func.coalesce(LogEntry.skill, literal_column("''"))


def _bit(bits, index: int):
    return bits.op("&")(literal_column(str(1 << index))) != 0


def _count(condition, value=None):
    return func.coalesce(func.sum(case((condition, literal_column("1") if value is None else value), else_=0)), 0)


def _craving_days():
    columns = [LogEntry.user_id, LogEntry.local_date, func.count(), func.count(LogEntry.intensity),
               func.coalesce(func.sum(LogEntry.intensity), 0)]
    columns += [_count(LogEntry.local_hour == hour) for hour in range(24)]
    return columns


def _skill_days():
    rated = LogEntry.helped.is_not(None)
    columns = [LogEntry.user_id, LogEntry.local_date, _SKILL, func.count(), _count(rated), _count(rated, LogEntry.helped)]
    columns += [_count(_bit(LogEntry.trigger_bits, i)) for i in range(len(TRIGGERS))]
    columns += [_count(_bit(LogEntry.halt_bits, i)) for i in range(len(HALT))]
    columns += [_count(and_(rated, _bit(LogEntry.trigger_bits, i))) for i in range(len(TRIGGERS))]
    columns += [_count(and_(rated, _bit(LogEntry.trigger_bits, i)), LogEntry.helped) for i in range(len(TRIGGERS))]
    return columns


_USER = bindparam("user_id", type_=Integer)
_DATES = bindparam("dates", type_=Date, expanding=True)
_SINCE = bindparam("since", type_=LogEntry.occurred_at.type)
_UNTIL = bindparam("until", type_=LogEntry.occurred_at.type)


def recount(*where) -> list:
    """The two ``INSERT … SELECT`` that count again the roll-up rows of the entries ``where`` selects."""
    days = select(*_craving_days()).where(*where, LogEntry.kind == "craving") \
        .group_by(LogEntry.user_id, LogEntry.local_date)
    skills = select(*_skill_days()).where(*where).group_by(LogEntry.user_id, LogEntry.local_date, _SKILL)
    return [insert(journal_day).from_select([c.name for c in journal_day.c], days),
            insert(journal_skill_day).from_select([c.name for c in journal_skill_day.c], skills)]


@functools.cache
def _statements(some_days: bool) -> list:
    """A person's rebuild, built once (building these wide statements costs more than running them)."""
    where = [LogEntry.user_id == _USER]
    if some_days:
        where += [LogEntry.local_date.in_(_DATES), LogEntry.occurred_at >= _SINCE, LogEntry.occurred_at < _UNTIL]
    statements = []
    for table in (journal_day, journal_skill_day):
        statement = delete(table).where(table.c.user_id == _USER)
        statements.append(statement.where(table.c.local_date.in_(_DATES)) if some_days else statement)
    return statements + recount(*where)


def rebuild(user_id: int, dates: Iterable[date] | None = None) -> None:
    """Count again this person's roll-up for ``dates`` (every day when None), inside the caller's transaction."""
    db.session.flush()
    params: dict = {"user_id": user_id}
    if dates is not None:
        dates = sorted(set(dates))
        if not dates:
            return
        params.update(dates=dates, since=datetime.combine(dates[0], time(), tzinfo=UTC) - _SLACK,
                      until=datetime.combine(dates[-1], time(), tzinfo=UTC) + _SLACK)
    # The account row's lock orders this person's rebuilds (FOR NO KEY UPDATE: it does not wait for, nor
    # block, the key-share locks that inserting their entries takes on the same row). SQLite has one writer.
    db.session.execute(_lock(), params)
    for statement in _statements(dates is not None):
        db.session.execute(statement, params)


@functools.cache
def _lock():
    return select(User.id).where(User.id == _USER).with_for_update(key_share=True)


def rebuild_everyone() -> None:
    """The whole roll-up counted again from every entry (after a bulk load that wrote entries directly)."""
    db.session.execute(delete(journal_day))
    db.session.execute(delete(journal_skill_day))
    for statement in recount():
        db.session.execute(statement)
