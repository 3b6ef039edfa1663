"""The sweep: claim the reminders now due, send each one once, record what happened.

Any number of workers may sweep at once. On PostgreSQL a worker claims rows with
``SELECT … FOR UPDATE SKIP LOCKED`` (each row goes to one worker, none waits for another); on SQLite,
whose writes are serialised, with ``UPDATE … WHERE status = 'pending'``. A claim carries a token,
and a row is finished only under its own token, so a claim taken back from a crashed worker is never
finished twice.

A worker sends one row at a time and commits its outcome before sending the next. A worker that dies
after a send and before that commit leaves the row claimed; it is sent again once the claim times out
(at least once: marking it sent before sending would lose it instead). So a crash sends at most one
reminder twice per worker, and an inbox item, written in the same transaction as "sent", exists once.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from companion.blueprints.reminders.delivery import CHANNELS, DeliveryFailed, NothingToSend, Outbox
from companion.blueprints.reminders.planner import plan
from companion.blueprints.reminders.services import settings_map
from companion.blueprints.reminders.sources import SOURCES
from companion.extensions import db
from companion.i18n import DEFAULT_LANGUAGE
from companion.models import Reminder, ReminderSettings, User
from companion.models.base import utcnow
from companion.timezones import zone

MAX_ATTEMPTS = 5
BATCH = 50


@dataclass
class Counts:
    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent={self.sent} skipped={self.skipped} failed={self.failed}"


def retrying(work: Callable, attempts: int = 8):
    """Run a write transaction, again after a moment when SQLite says another process holds the lock."""
    for attempt in range(attempts):
        db.session.commit()  # start afresh: a write that begins a transaction waits for the lock
        try:
            return work()
        except OperationalError as error:
            db.session.rollback()
            if db.engine.dialect.name != "sqlite" or "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)


def release_stale_claims(now: datetime) -> int:
    """Claims older than the timeout (their worker died) become pending again."""
    return retrying(lambda: _release(now))


def _release(now: datetime) -> int:
    timeout = timedelta(seconds=current_app.config.get("REMINDER_CLAIM_TIMEOUT_SECONDS", 300))
    result = db.session.execute(update(Reminder).where(Reminder.status == "claimed", Reminder.claimed_at < now - timeout)
                                .values(status="pending", claim_token=None, claimed_at=None)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def claim(now: datetime, limit: int = BATCH) -> tuple[bool, list[Reminder]]:
    """Claim up to ``limit`` due rows for this worker: (whether any were due, the rows now ours)."""
    token = secrets.token_hex(16)
    due = (select(Reminder.id).where(Reminder.status == "pending", Reminder.send_after <= now)
           .order_by(Reminder.send_after, Reminder.id).limit(limit))
    claimed = dict(status="claimed", claim_token=token, claimed_at=now, attempts=Reminder.attempts + 1)
    if db.engine.dialect.name == "postgresql":
        ids = list(db.session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(update(Reminder).where(Reminder.id.in_(ids)).values(**claimed)
                               .execution_options(synchronize_session=False))
        db.session.commit()
    else:
        # One statement, so that it takes SQLite's write lock before it reads.
        def conditional_update():
            result = db.session.execute(update(Reminder).where(Reminder.id.in_(due), Reminder.status == "pending")
                                        .values(**claimed).execution_options(synchronize_session=False))
            db.session.commit()
            return result.rowcount

        ids = retrying(conditional_update)
    if not ids:
        return False, []
    return True, list(db.session.scalars(select(Reminder).where(Reminder.claim_token == token)
                                         .order_by(Reminder.send_after, Reminder.id)))


def finish(row: Reminder, add: Callable[[], None] | None = None, **values) -> bool:
    """Record the outcome of a row still claimed under our token, with what ``add`` adds in the same transaction."""
    row_id, token = row.id, row.claim_token

    def record() -> bool:
        if add is not None:
            add()
        # On the table, not the ORM entity: this runs once per delivery, and the ORM's bulk-update path
        # costs more CPU than the statement itself.
        table = Reminder.__table__
        result = db.session.execute(update(table).where(table.c.id == row_id, table.c.claim_token == token)
                                    .values(claim_token=None, **values))
        if result.rowcount != 1:
            db.session.rollback()
            return False
        db.session.commit()
        return True

    return retrying(record)


def quiet_until(now: datetime, settings: ReminderSettings, zone_name: str) -> datetime | None:
    """When the person's quiet hours end, if ``now`` falls inside them; None otherwise."""
    if settings.quiet_start is None or settings.quiet_end is None:
        return None
    tz = zone(zone_name)
    local = now.astimezone(tz)
    t, start, end = local.time().replace(tzinfo=None), settings.quiet_start, settings.quiet_end
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if (start < end or t < end) else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz).astimezone(UTC)


def deliver(row: Reminder, user: User | None, settings: ReminderSettings, now: datetime, counts: Counts,
            outbox: Outbox | None = None, clock: Callable[[], datetime] | None = None) -> None:
    """Send one claimed row on its channel, or record why it was not sent."""
    grace = timedelta(minutes=current_app.config.get("REMINDER_GRACE_MINUTES", 30))
    source = SOURCES.get(row.source_kind)
    if now - row.send_after > grace:
        counts.skipped += finish(row, status="missed", last_error="overdue beyond the grace period")
        return
    if user is None or not user.active or source is None or row.channel not in settings.channels:
        counts.skipped += finish(row, status="skipped", last_error="no longer wanted")
        return
    if source.still_wanted is not None and not source.still_wanted(row):
        counts.skipped += finish(row, status="skipped", last_error="no longer needed")
        return
    if (until := quiet_until(now, settings, user.timezone)) is not None:
        if source.uses_lead_times and until < row.occurrence_at:
            finish(row, status="pending", send_after=until, claimed_at=None, attempts=Reminder.attempts - 1)
        else:
            counts.skipped += finish(row, status="skipped", last_error="quiet hours")
        return
    try:
        with force_locale(user.language or DEFAULT_LANGUAGE):  # what it says, in its recipient's language
            add = CHANNELS[row.channel](row, user, settings, outbox)
    except NothingToSend as reason:
        db.session.rollback()
        counts.skipped += finish(row, status="skipped", last_error=str(reason)[:500])
    except DeliveryFailed as error:
        db.session.rollback()
        retry_at = now + timedelta(minutes=2 ** row.attempts)
        final = row.attempts >= MAX_ATTEMPTS or (source.uses_lead_times and retry_at >= row.occurrence_at)
        current_app.logger.warning("Reminder %s on %s failed (attempt %s): %s", row.id, row.channel,
                                   row.attempts, error)
        counts.failed += finish(row, status="failed" if final else "pending", send_after=retry_at,
                                claimed_at=None, last_error=str(error)[:500])
    else:
        # Recorded before the next row is sent: a worker killed after a send leaves at most this one row
        # claimed-but-delivered (sent again once its claim times out), never a batch of them.
        counts.sent += finish(row, add, status="sent", sent_at=clock() if clock else now)


@contextmanager
def batch_snapshot() -> Iterator[None]:
    """Keep a claimed batch's rows, people and settings loaded across its per-row commits, expired after.

    Without this every commit expires them and each row would read its person, settings and itself again.
    Only this worker changes its claimed rows; a person's settings are as fresh as the batch (seconds).
    """
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before
        session.expire_all()


def dispatch(now: datetime | None = None, *, plan_first: bool = True, batch: int = BATCH) -> Counts:
    """One sweep: plan, take back stale claims, then send every reminder now due."""
    clock = (lambda: now) if now is not None else utcnow
    if plan_first:
        retrying(lambda: plan(clock()))
    release_stale_claims(clock())
    counts = Counts()
    while True:
        moment = clock()
        any_due, rows = claim(moment, batch)
        if not any_due:
            break
        with batch_snapshot():
            user_ids = {r.user_id for r in rows}
            users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
            settings = settings_map(user_ids)
            outbox = Outbox(users)
            for row in rows:
                deliver(row, users.get(row.user_id), settings[row.user_id], moment, counts, outbox, clock)
    return counts
