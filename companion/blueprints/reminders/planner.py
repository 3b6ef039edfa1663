"""Planning: the sources' occurrences become rows of the delivery table, one per lead time and channel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from companion.blueprints.reminders.services import settings_map
from companion.blueprints.reminders.sources import SOURCES
from companion.extensions import db
from companion.i18n import DEFAULT_LANGUAGE
from companion.models import PushSubscription, Reminder, User
from companion.models.base import utcnow

# Rows are planned this far ahead, so a worker that is down for a while finds them waiting.
HORIZON = timedelta(days=8)
KEY = ("user_id", "source_kind", "source_id", "occurrence_at", "lead_minutes", "channel")
CHUNK = 500


def in_language(text, language: str | None) -> str:
    """A source's title (plain, or lazy text from the catalog) as its person reads it."""
    if isinstance(text, str):
        return text
    with force_locale(language or DEFAULT_LANGUAGE):
        return str(text)


def desired_rows(now: datetime, user_ids: Collection[int] | None) -> dict[tuple, dict]:
    """Every row the sources call for, due from ``now`` to the horizon, by its unique key."""
    max_lead = timedelta(days=7)
    planned_by_kind = {kind: list(source.occurrences(now, now + HORIZON + max_lead, user_ids))
                       for kind, source in SOURCES.items()}
    people = {p.user_id for planned in planned_by_kind.values() for p in planned}
    if not people:
        return {}
    # Each person's language, read with who is active: a reminder's title is written in it.
    languages = dict(db.session.execute(select(User.id, User.language).where(User.id.in_(people), User.active.is_(True))).all())
    active = set(languages)
    settings = settings_map(active)
    subscribed = set(db.session.scalars(select(PushSubscription.user_id).where(PushSubscription.user_id.in_(active))))
    rows: dict[tuple, dict] = {}
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
                if not now <= due < now + HORIZON:
                    continue
                for channel in s.channels:
                    if channel == "push" and p.user_id not in subscribed:
                        continue
                    key = (p.user_id, kind, p.source_id, at, lead, channel)
                    rows[key] = {"user_id": p.user_id, "source_kind": kind, "source_id": p.source_id,
                                 "occurrence_at": at, "lead_minutes": lead, "channel": channel,
                                 "title": title[:200], "url": p.url[:500], "due_at": due, "send_after": due,
                                 "status": "pending", "attempts": 0, "last_error": "", "created_at": now}
    return rows


def insert_ignoring_duplicates(rows: list[dict]) -> None:
    """Insert rows; one already there under the same key (planned by another worker) stays as it is."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    for i in range(0, len(rows), CHUNK):
        statement = insert(Reminder).values(rows[i:i + CHUNK]).on_conflict_do_nothing(index_elements=list(KEY))
        db.session.execute(statement)


def plan(now: datetime | None = None, user_ids: Collection[int] | None = None) -> int:
    """Plan the coming days for these people (everyone when None); pending rows no source wants are removed."""
    now = (now or utcnow()).replace(microsecond=0)
    if user_ids is not None and not user_ids:
        return 0
    wanted = desired_rows(now, user_ids)
    existing = select(Reminder.id, *[getattr(Reminder, k) for k in KEY]).where(
        Reminder.status == "pending", Reminder.due_at >= now, Reminder.due_at < now + HORIZON,
        Reminder.source_kind.in_(list(SOURCES)))
    if user_ids is not None:
        existing = existing.where(Reminder.user_id.in_(list(user_ids)))
    stale = []
    have = set()
    for row in db.session.execute(existing):
        key = tuple(row[1:])
        if key in wanted:
            have.add(key)
        else:
            stale.append(row[0])
    for i in range(0, len(stale), CHUNK):
        db.session.execute(delete(Reminder).where(Reminder.id.in_(stale[i:i + CHUNK]), Reminder.status == "pending"))
    new = [row for key, row in wanted.items() if key not in have]
    insert_ignoring_duplicates(new)
    db.session.commit()
    return len(new)


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
