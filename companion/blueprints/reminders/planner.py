"""Planning: the sources' occurrences become rows of the delivery table, one per lead time and channel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from companion.blueprints.reminders.settings import settings_map
from companion.blueprints.reminders.sources import SOURCES
from companion.extensions import db
from companion.i18n import DEFAULT_LANGUAGE
from companion.models import Notification, PushSubscription, Reminder, User
from companion.models.base import utcnow

# Rows are planned this far ahead, so a worker that is down for a while finds them waiting.
HORIZON = timedelta(days=8)
KEY = ("user_id", "source_kind", "source_id", "occurrence_at", "lead_minutes", "channel")
CHUNK = 500  # ids per DELETE … WHERE id IN (…)


def in_language(text, language: str | None) -> str:
    """A source's title (plain, or lazy text from the catalog) as its person reads it."""
    if isinstance(text, str):
        return text
    with force_locale(language or DEFAULT_LANGUAGE):
        return str(text)


def grace_period() -> timedelta:
    """How late a reminder may still go out (REMINDER_GRACE_MINUTES): after a worker was down, or when planned late."""
    return timedelta(minutes=current_app.config["REMINDER_GRACE_MINUTES"])


def desired_rows(now: datetime, user_ids: Collection[int] | None,
                 grace: timedelta | None = None) -> tuple[dict[tuple, dict], set[tuple]]:
    """The rows the sources call for, by their unique key, and every key the sources still give.

    A due time from now to the horizon is planned as it is. One already past when its occurrence is planned
    (an appointment booked inside its lead, a group moved to start within it, a nudge set for a moment ago)
    is due now if it is at most the grace period past; further past, while its occurrence is still to come,
    it is recorded as missed, and the inbox shows it when no other in-app reminder of that occurrence will.
    """
    grace = grace_period() if grace is None else grace
    start = now - grace
    max_lead = timedelta(days=7)
    planned_by_kind = {kind: list(source.occurrences(start, now + HORIZON + max_lead, user_ids))
                       for kind, source in SOURCES.items()}
    people = {p.user_id for planned in planned_by_kind.values() for p in planned}
    if not people:
        return {}, set()
    # Each person's language, read with who is active: a reminder's title is written in it.
    languages = dict(db.session.execute(select(User.id, User.language).where(User.id.in_(people), User.active.is_(True))).all())
    active = set(languages)
    settings = settings_map(active)
    subscribed = set(db.session.scalars(select(PushSubscription.user_id).where(PushSubscription.user_id.in_(active))))
    rows: dict[tuple, dict] = {}
    given: set[tuple] = set()
    for kind, planned in planned_by_kind.items():
        source = SOURCES[kind]
        for p in planned:
            if p.user_id not in active:
                continue
            s = settings[p.user_id]
            if source.setting and not getattr(s, source.setting):
                continue
            at = p.at.replace(microsecond=0)
            title = in_language(p.title, languages[p.user_id])
            leads = s.lead_minutes if source.uses_lead_times else [0]
            for lead in leads:
                due = at - timedelta(minutes=lead)
                channels = [c for c in s.channels if c != "push" or p.user_id in subscribed]
                given.update((p.user_id, kind, p.source_id, at, lead, channel) for channel in channels)
                if due >= now + HORIZON:
                    continue
                if due >= now:
                    status, send_after = "pending", due
                elif due >= start:
                    status, send_after = "pending", now  # due already: due now
                elif at > now:
                    status, send_after = "missed", due
                else:
                    continue  # its moment is over
                for channel in channels:
                    key = (p.user_id, kind, p.source_id, at, lead, channel)
                    rows[key] = {"user_id": p.user_id, "source_kind": kind, "source_id": p.source_id,
                                 "occurrence_at": at, "lead_minutes": lead, "channel": channel,
                                 "title": title[:200], "url": p.url[:500], "due_at": due, "send_after": send_after,
                                 "status": status, "attempts": 0,
                                 "last_error": "planned too late to send" if status == "missed" else "",
                                 "created_at": now}
    return rows, given


def missed_for_the_inbox(rows: dict[tuple, dict]) -> set[tuple]:
    """Of the missed in-app rows, the one per occurrence that the inbox shows: none when another lead will be sent."""
    chosen: dict[tuple, tuple] = {}
    pending = set()
    for key, row in rows.items():
        if row["channel"] != "inapp":
            continue
        occurrence = key[:4]
        if row["status"] == "pending":
            pending.add(occurrence)
        elif occurrence not in chosen or key[4] < chosen[occurrence][4]:
            chosen[occurrence] = key  # the shortest lead: the latest of the missed ones
    return {key for occurrence, key in chosen.items() if occurrence not in pending}


# The planned rows' columns and their PostgreSQL types, for one INSERT … SELECT FROM unnest(arrays).
COLUMNS = (("user_id", "integer"), ("source_kind", "varchar"), ("source_id", "varchar"),
           ("occurrence_at", "timestamptz"), ("lead_minutes", "integer"), ("channel", "varchar"),
           ("title", "varchar"), ("url", "varchar"), ("due_at", "timestamptz"), ("send_after", "timestamptz"),
           ("status", "varchar"), ("attempts", "integer"), ("last_error", "text"), ("created_at", "timestamptz"))
_UNNEST = (f"INSERT INTO reminder ({', '.join(name for name, _ in COLUMNS)}) "
           f"SELECT * FROM unnest({', '.join(f'%b::{kind}[]' for _, kind in COLUMNS)}) "
           f"ON CONFLICT ({', '.join(KEY)}) DO NOTHING")
UNNEST_ROWS = 20_000  # rows per statement (each column one array parameter)


def insert_ignoring_duplicates(rows: list[dict], returning: bool = False) -> list[int]:
    """Insert rows; one already there under the same key (planned by another worker) stays as it is.

    With ``returning``, the ids of the rows this call inserted (not those another planner had). On PostgreSQL
    each column goes as one array and the rows are unnested by the server: a statement with the rows' values
    written into it cost seconds of compiling per few hundred rows, and an executemany a round of work per row.
    """
    if not rows:
        return []
    if db.engine.dialect.name == "postgresql":
        ids = []
        connection = db.session.connection()
        for i in range(0, len(rows), UNNEST_ROWS):
            page = rows[i:i + UNNEST_ROWS]
            arrays = tuple([row[name] for row in page] for name, _ in COLUMNS)
            if returning:
                ids.extend(connection.exec_driver_sql(_UNNEST + " RETURNING id", arrays).scalars())
            else:
                connection.exec_driver_sql(_UNNEST, arrays)
        return ids
    statement = sqlite_insert(Reminder.__table__).on_conflict_do_nothing(index_elements=list(KEY))
    if returning:
        return list(db.session.scalars(statement.returning(Reminder.__table__.c.id), rows))
    db.session.execute(statement, rows)
    return []


def add_missed_to_inbox(ids: list[int]) -> None:
    """An inbox item for each of these newly missed rows, in the transaction that inserted them (so once)."""
    from companion.blueprints.reminders.delivery import inbox_values

    if not ids:
        return
    found = db.session.execute(select(Reminder, User).join(User, User.id == Reminder.user_id)
                               .where(Reminder.id.in_(ids))).all()
    db.session.add_all(Notification(**inbox_values(row, user)) for row, user in found)


def remove_stale(ids: list[int]) -> None:
    """Delete these pending or missed rows (a row claimed or sent meanwhile stays); on PostgreSQL as one array."""
    if not ids:
        return
    if db.engine.dialect.name == "postgresql":
        db.session.connection().exec_driver_sql(
            "DELETE FROM reminder WHERE id = ANY(%b::integer[]) AND status IN ('pending', 'missed')", (ids,))
        return
    for i in range(0, len(ids), CHUNK):
        db.session.execute(delete(Reminder).where(Reminder.id.in_(ids[i:i + CHUNK]),
                                                  Reminder.status.in_(("pending", "missed"))))


def plan(now: datetime | None = None, user_ids: Collection[int] | None = None) -> int:
    """Plan the coming days for these people (everyone when None); pending rows no source gives are removed."""
    now = (now or utcnow()).replace(microsecond=0)
    if user_ids is not None and not user_ids:
        return 0
    grace = grace_period()
    wanted, given = desired_rows(now, user_ids, grace)
    # Every row of the window, whatever its status: a key planned once (sent, missed...) is never planned again.
    # The stale ones go: pending, or missed when planned (never claimed) for an occurrence no source gives now.
    existing = select(Reminder.id, Reminder.status, Reminder.attempts, *[getattr(Reminder, k) for k in KEY]).where(
        Reminder.occurrence_at >= now - grace, Reminder.occurrence_at < now + HORIZON + timedelta(days=7),
        Reminder.source_kind.in_(list(SOURCES)))
    if user_ids is not None:
        existing = existing.where(Reminder.user_id.in_(list(user_ids)))
    stale = []
    have = set()
    for row in db.session.execute(existing):
        key = tuple(row[3:])
        have.add(key)
        if key not in given and (row.status == "pending" or (row.status == "missed" and row.attempts == 0)):
            stale.append(row.id)
    remove_stale(stale)
    noted = missed_for_the_inbox(wanted)
    new = [row for key, row in wanted.items() if key not in have and key not in noted]
    insert_ignoring_duplicates(new)
    new_noted = [wanted[key] for key in noted if key not in have]
    add_missed_to_inbox(insert_ignoring_duplicates(new_noted, returning=True))
    db.session.commit()
    return len(new) + len(new_noted)


def replan(user_ids: Collection[int], now: datetime | None = None) -> int:
    """Plan again for these people after a change of a group, an enrolment, a setting or a subscription."""
    return plan(now, set(user_ids))


def planned_for(user_ids: Collection[int]) -> dict[int, list[Reminder]]:
    """The pending rows of these people, for tests and staff views."""
    found = defaultdict(list)
    for row in db.session.scalars(select(Reminder).where(Reminder.user_id.in_(list(user_ids)),
                                                         Reminder.status == "pending")):
        found[row.user_id].append(row)
    return found
