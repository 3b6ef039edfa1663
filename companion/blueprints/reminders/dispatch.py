"""The sweep: claim the reminders now due, send them, record what happened.

Any number of workers may sweep at once. A worker claims rows in batches with one statement:
``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …`` on PostgreSQL (each row goes to
one worker, none waits for another), the same conditional ``UPDATE … WHERE status = 'pending'`` on
SQLite, whose writes are serialised. A claim carries a token, and a row is finished only under its own
token, so a claim taken back from a crashed worker is never finished twice.

Inside a worker the sends run at once: web push on a pool of threads, each with its own kept-alive
connection per push service, one person's rows in order on one thread (a subscription answered 404 or 410
is not tried again); e-mail on one SMTP connection kept open for the sweep; everything a send needs (the
payload, encrypted once per person and subscription, the VAPID header, signed once per push service) is
prepared beforehand. Outcomes are recorded in batches: one ``UPDATE … FROM (VALUES …)`` per batch on
PostgreSQL, a conditional update per row in one transaction on SQLite; an inbox item is written in the
transaction that marks its row sent, so it is there exactly once.

A worker that dies after a send and before its record leaves the row claimed; it is sent again once the
claim times out (at least once: marking it sent before sending would lose it instead). The repeat carries
the same identity (the web push ``Topic``, the e-mail ``Message-ID``), so that where the protocol allows
it collapses into the first. How many can be repeated is bounded: a worker never holds more than
``REMINDER_MAX_IN_FLIGHT`` claimed rows whose outcome is not recorded, so a killed worker sends at most
that many again, each at most once.

A push service that answers 429 or 5xx, or does not answer within ``REMINDER_SEND_TIMEOUT_SECONDS``,
costs that reminder a retry with backoff (and not before its ``Retry-After``); the other sends go on.
"""

from __future__ import annotations

import json
import queue
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import OperationalError

from companion.blueprints.reminders.delivery import (
    DeliveryFailed, Mailer, Outbox, PushAnswer, PushRequest, email_message, encrypt, inbox_values, post_push,
    push_headers, push_payload)
from companion.blueprints.reminders.planner import plan
from companion.blueprints.reminders.settings import settings_map
from companion.blueprints.reminders.sources import SOURCES
from companion.extensions import db
from companion.i18n import DEFAULT_LANGUAGE
from companion.models import Notification, PushSubscription, Reminder, ReminderSettings, User
from companion.models.base import utcnow
from companion.netguard import PinnedPoster
from companion.timezones import zone

MAX_ATTEMPTS = 5
BATCH = 100
# The settings' defaults (README, "Reminder settings").
MAX_IN_FLIGHT = 400
SEND_THREADS = 16
SEND_TIMEOUT = 10
FLUSH_SECONDS = 0.2  # an outcome waits at most about this long for the others of its batch


@dataclass
class Counts:
    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent={self.sent} skipped={self.skipped} failed={self.failed}"


@dataclass
class Outcome:
    """What becomes of one claimed row, to be recorded under its claim token."""

    row: Any
    status: str  # sent, skipped, missed, failed, or pending (to be tried again)
    counted: str | None = None  # which of Counts it adds to
    last_error: str | None = None
    send_after: datetime | None = None
    sent_at: datetime | None = None
    attempts: int = 0  # added to the row's attempts (-1: a claim that did not count as one)
    note: dict | None = None  # the inbox item written with it


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
    timeout = timedelta(seconds=current_app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(update(Reminder).where(Reminder.status == "claimed", Reminder.claimed_at < now - timeout)
                                .values(status="pending", claim_token=None, claimed_at=None)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def claim(now: datetime, limit: int = BATCH) -> tuple[bool, list]:
    """Claim up to ``limit`` due rows for this worker in one statement: (whether any were due, the rows now ours)."""
    table = Reminder.__table__
    token = secrets.token_hex(16)
    due = (select(table.c.id).where(table.c.status == "pending", table.c.send_after <= now)
           .order_by(table.c.send_after, table.c.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        # A CTE, run once: as ``id IN (subquery)`` PostgreSQL may run the subquery again, past its LIMIT.
        due = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        chosen = table.c.id == due.c.id
    else:
        chosen = table.c.id.in_(due.scalar_subquery())  # SQLite runs it once, under its one writer's lock
    statement = (update(table).where(chosen, table.c.status == "pending")
                 .values(status="claimed", claim_token=token, claimed_at=now, attempts=table.c.attempts + 1)
                 .returning(*table.c))

    def take() -> list:
        rows = db.session.execute(statement).all()
        db.session.commit()
        return rows

    rows = retrying(take)
    return bool(rows), sorted(rows, key=lambda r: (r.send_after, r.id))


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


def unsendable(row, user: User | None, settings: ReminderSettings, now: datetime, grace: timedelta) -> Outcome | None:
    """Why a claimed row is not to be sent now (its outcome), or None when it is."""
    source = SOURCES.get(row.source_kind)
    if now - row.send_after > grace:
        return Outcome(row, "missed", "skipped", last_error="overdue beyond the grace period")
    if user is None or not user.active or source is None or row.channel not in settings.channels:
        return Outcome(row, "skipped", "skipped", last_error="no longer wanted")
    if source.still_wanted is not None and not source.still_wanted(row):
        return Outcome(row, "skipped", "skipped", last_error="no longer needed")
    if (until := quiet_until(now, settings, user.timezone)) is not None:
        if source.uses_lead_times and until < row.occurrence_at:
            return Outcome(row, "pending", send_after=until, attempts=-1)
        return Outcome(row, "skipped", "skipped", last_error="quiet hours")
    return None


def failure(row, now: datetime, error: str, retry_after: float | None = None) -> Outcome:
    """A failed send: tried again after a backoff (never before the service's Retry-After), or given up."""
    retry_at = now + max(timedelta(minutes=2 ** row.attempts), timedelta(seconds=min(retry_after or 0, 86400)))
    source = SOURCES.get(row.source_kind)
    final = row.attempts >= MAX_ATTEMPTS or (source is not None and source.uses_lead_times
                                            and retry_at >= row.occurrence_at)
    current_app.logger.warning("Reminder %s on %s failed (attempt %s): %s", row.id, row.channel, row.attempts, error)
    return Outcome(row, "failed" if final else "pending", "failed", last_error=error[:500], send_after=retry_at)


def send_person_pushes(poster: PinnedPoster, job: list[tuple[Any, list]], timeout: float) -> list:
    """In a sending thread: one person's push rows in order; a subscription found gone is not tried again."""
    gone: set[int] = set()
    results = []
    for row, requests in job:
        answers = []
        for request in requests:
            if isinstance(request, str):
                answers.append(PushAnswer(error=request))
            elif request.subscription_id not in gone:
                answer = post_push(poster, request, timeout)
                if answer.gone:
                    gone.add(request.subscription_id)
                answers.append(answer)
        results.append((row, answers))
    return [("push", results, gone)]


class Sweep:
    """One sweep of one worker: its sending threads, its SMTP connection, what it has claimed and not recorded."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        config = current_app.config
        self.config = config
        self.clock = clock
        self.grace = timedelta(minutes=config.get("REMINDER_GRACE_MINUTES", 30))
        self.max_in_flight = max(1, int(config.get("REMINDER_MAX_IN_FLIGHT", MAX_IN_FLIGHT)))
        self.threads = max(1, int(config.get("REMINDER_SEND_THREADS", SEND_THREADS)))
        self.timeout = float(config.get("REMINDER_SEND_TIMEOUT_SECONDS", SEND_TIMEOUT))
        self.counts = Counts()
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.done: list[Outcome] = []
        self.gone: set[int] = set()
        self.open = 0  # claimed rows whose outcome is not recorded yet
        self.sending = 0  # of those, rows handed to a sending thread and not back yet
        self.bodies: dict[tuple, bytes] = {}
        self.poster = PinnedPoster()
        self.pushers: ThreadPoolExecutor | None = None
        self.mail_thread: ThreadPoolExecutor | None = None
        self.mailer: Mailer | None = None

    def __enter__(self) -> Sweep:
        return self

    def __exit__(self, *exc) -> None:
        if self.mail_thread is not None:
            self.mail_thread.submit(self.mailer.close).result()
            self.mail_thread.shutdown()
        if self.pushers is not None:
            self.pushers.shutdown()

    def run(self, batch: int = BATCH) -> Counts:
        """Claim, send and record until nothing more is due."""
        batch = max(1, min(batch, self.max_in_flight))
        exhausted = False
        last_flush = time.monotonic()
        while True:
            if not exhausted and self.open + batch <= self.max_in_flight:
                moment = self.clock()
                any_due, rows = claim(moment, batch)
                if any_due:
                    self.open += len(rows)
                    self.start(rows, moment)
                else:
                    exhausted = True
            room = not exhausted and self.open + batch <= self.max_in_flight
            self.collect(wait=self.sending > 0 and not room and len(self.done) < batch)
            stale = time.monotonic() - last_flush >= FLUSH_SECONDS
            if self.done and (len(self.done) >= batch or self.sending == 0 or stale or not room):
                self.flush()
                last_flush = time.monotonic()
            if exhausted and self.open == 0:
                return self.counts
            if self.open and not self.sending and not self.done and not room and exhausted is False \
                    and self.open + batch > self.max_in_flight:
                raise RuntimeError(f"{self.open} claimed rows neither sending nor done")  # never spin

    def start(self, rows: list, now: datetime) -> None:
        """Decide each claimed row; hand the sends to the threads, keep the other outcomes for the next record."""
        user_ids = {r.user_id for r in rows}
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
        settings = settings_map(user_ids)
        outbox = Outbox(user_ids)
        pushes: dict[int, list] = defaultdict(list)
        for row in rows:
            user, chosen = users.get(row.user_id), settings[row.user_id]
            if (outcome := unsendable(row, user, chosen, now, self.grace)) is not None:
                self.done.append(outcome)
                continue
            with force_locale(user.language or DEFAULT_LANGUAGE):  # what it says, in its recipient's language
                self.prepare(row, user, chosen, outbox, pushes)
        if pushes and self.pushers is None:
            self.pushers = ThreadPoolExecutor(self.threads, thread_name_prefix="push")
        for job in pushes.values():
            self.hand_over(self.pushers.submit(send_person_pushes, self.poster, job, self.timeout),
                           [row for row, _ in job])

    def prepare(self, row, user: User, chosen: ReminderSettings, outbox: Outbox, pushes: dict) -> None:
        """The row's message, made now (in the app, in the person's language) and sent by a thread later."""
        if row.channel == "inapp":
            self.done.append(Outcome(row, "sent", "sent", sent_at=self.clock(), note=inbox_values(row, user)))
        elif row.channel == "email":
            self.start_email(row, user, chosen)
        elif row.channel == "push":
            if (requests := self.push_requests(row, user, chosen, outbox)) is not None:
                pushes[row.user_id].append((row, requests))
        else:
            self.done.append(Outcome(row, "skipped", "skipped", last_error="no such channel"))

    def hand_over(self, future: Future, rows: list) -> None:
        """Count the rows a sending thread now has; its future comes back through ``results`` when done."""
        self.sending += len(rows)
        future.rows = rows
        future.add_done_callback(self.results.put)

    def start_email(self, row, user: User, settings: ReminderSettings) -> None:
        if not self.config.get("MAIL_SERVER"):
            self.done.append(Outcome(row, "skipped", "skipped", last_error="MAIL_SERVER is not set"))
            return
        if self.mail_thread is None:
            self.mail_thread = ThreadPoolExecutor(1, thread_name_prefix="smtp")  # one connection, kept open
            self.mailer = Mailer(self.config, self.timeout)
        message = email_message(row, user, settings, self.config)

        def send():
            try:
                self.mailer.send(message)
            except DeliveryFailed as error:
                return [("email", row, str(error))]
            return [("email", row, None)]

        self.hand_over(self.mail_thread.submit(send), [row])

    def push_requests(self, row, user: User, settings: ReminderSettings, outbox: Outbox) -> list | None:
        """The row's POSTs, one per subscription (a problem with an endpoint as its text); None when there are none."""
        config = self.config
        if not config.get("VAPID_PRIVATE_KEY"):
            self.done.append(Outcome(row, "skipped", "skipped", last_error="VAPID_PRIVATE_KEY is not set"))
            return None
        subscriptions = [s for s in outbox.subscriptions(user.id) if s.id not in self.gone]
        if not subscriptions:
            self.done.append(Outcome(row, "skipped", "skipped", last_error="no push subscription"))
            return None
        data = json.dumps(push_payload(row, user, settings)).encode()
        requests: list = []
        for subscription in subscriptions:
            problem, address = outbox.checked(subscription.endpoint, config.get("PUSH_ALLOW_LOOPBACK", False))
            if problem:
                requests.append(problem)
                continue
            requests.append(PushRequest(subscription.id, subscription.endpoint, address,
                                        push_headers(row.id, subscription.endpoint, config),
                                        self.encrypted(subscription, data)))
        return requests

    def encrypted(self, subscription: PushSubscription, data: bytes) -> bytes:
        """The payload encrypted for this subscription, once per sweep for the same payload.

        Sound: each body still has its own key and salt per subscription; one person's identical reminders
        (a discreet payload is the same every time) carry the same bytes, which says nothing more than their
        identical length already does.
        """
        key = (subscription.id, subscription.p256dh, subscription.auth, data)
        body = self.bodies.get(key)
        if body is None:
            if len(self.bodies) > 10_000:
                self.bodies.clear()
            body = self.bodies[key] = encrypt(data, subscription.p256dh, subscription.auth)
        return body

    def collect(self, wait: bool) -> None:
        """Take in what the sending threads finished (waiting a moment for one, when there is nothing else to do)."""
        try:
            futures = [self.results.get(timeout=FLUSH_SECONDS) if wait else self.results.get_nowait()]
        except queue.Empty:
            return
        while True:
            try:
                futures.append(self.results.get_nowait())
            except queue.Empty:
                break
        now = self.clock()
        for future in futures:
            self.sending -= len(future.rows)
            try:
                results = future.result()
            except Exception as error:  # noqa: BLE001  (a bug in a send loses nothing: its rows are tried again)
                self.done.extend(failure(row, now, f"send: {type(error).__name__}") for row in future.rows)
                continue
            for result in results:
                if result[0] == "email":
                    _, row, error = result
                    self.done.append(Outcome(row, "sent", "sent", sent_at=now) if error is None
                                     else failure(row, now, error))
                else:
                    _, rows, gone = result
                    self.gone |= gone
                    self.done.extend(self.push_outcome(row, answers, now) for row, answers in rows)

    def push_outcome(self, row, answers: list[PushAnswer], now: datetime) -> Outcome:
        if any(a.delivered for a in answers):
            return Outcome(row, "sent", "sent", sent_at=now)
        errors = [a.error for a in answers if a.error]
        if errors:
            retry_after = max((a.retry_after for a in answers if a.retry_after is not None), default=None)
            return failure(row, now, "; ".join(errors), retry_after)
        if answers:
            return Outcome(row, "skipped", "skipped", last_error="every push subscription has expired")
        return Outcome(row, "skipped", "skipped", last_error="no push subscription")

    def flush(self) -> None:
        """Record the outcomes gathered so far in one transaction; count those still ours."""
        outcomes, self.done = self.done, []
        gone, self.gone = set(self.gone), set()
        finished = retrying(lambda: record(outcomes, gone))
        self.open -= len(outcomes)
        for outcome in finished:
            if outcome.counted:
                setattr(self.counts, outcome.counted, getattr(self.counts, outcome.counted) + 1)


def record(outcomes: list[Outcome], gone: set[int] = frozenset()) -> list[Outcome]:
    """Finish the rows still claimed under their tokens, with their inbox items, and forget gone subscriptions."""
    if db.engine.dialect.name == "postgresql":
        ours = _record_postgresql(outcomes)
    else:
        ours = _record_one_by_one(outcomes)
    finished = [o for o in outcomes if o.row.id in ours]
    notes = [o.note for o in finished if o.note is not None]
    if notes:
        db.session.execute(insert(Notification), notes)
    if gone:
        # Gone for good, whatever becomes of the reminders.
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(list(gone))))
    db.session.commit()
    return finished


_FINISH = """
UPDATE reminder AS r SET status = v.status, claim_token = NULL,
    sent_at = COALESCE(v.sent_at, r.sent_at), send_after = COALESCE(v.send_after, r.send_after),
    last_error = COALESCE(v.last_error, r.last_error), attempts = r.attempts + v.attempts,
    claimed_at = CASE WHEN v.status = 'pending' THEN NULL ELSE r.claimed_at END
FROM (VALUES {rows}) AS v(id, token, status, sent_at, send_after, last_error, attempts)
WHERE r.id = v.id AND r.claim_token = v.token
RETURNING r.id
"""
_FINISH_ROW = "(%s::integer, %s::varchar, %s::varchar, %s::timestamptz, %s::timestamptz, %s::text, %s::integer)"


def _record_postgresql(outcomes: list[Outcome]) -> set[int]:
    """One UPDATE … FROM (VALUES …) for the whole batch; the ids it finished (those still under our token)."""
    if not outcomes:
        return set()
    params: list = []
    for o in outcomes:
        params += [o.row.id, o.row.claim_token, o.status, o.sent_at, o.send_after, o.last_error, o.attempts]
    sql = _FINISH.format(rows=", ".join([_FINISH_ROW] * len(outcomes)))
    return set(db.session.connection().exec_driver_sql(sql, tuple(params)).scalars())


def _record_one_by_one(outcomes: list[Outcome]) -> set[int]:
    """SQLite: a conditional update per row (its writes are serialised, and each costs microseconds)."""
    table = Reminder.__table__
    ours = set()
    for o in outcomes:
        values: dict = {"status": o.status, "claim_token": None}
        for name in ("sent_at", "send_after", "last_error"):
            if getattr(o, name) is not None:
                values[name] = getattr(o, name)
        if o.attempts:
            values["attempts"] = table.c.attempts + o.attempts
        if o.status == "pending":
            values["claimed_at"] = None
        result = db.session.execute(update(table).where(table.c.id == o.row.id, table.c.claim_token == o.row.claim_token)
                                    .values(**values))
        if result.rowcount == 1:
            ours.add(o.row.id)
    return ours


def dispatch(now: datetime | None = None, *, plan_first: bool = True, batch: int = BATCH) -> Counts:
    """One sweep: plan, take back stale claims, then send every reminder now due."""
    clock = (lambda: now) if now is not None else utcnow
    if plan_first:
        retrying(lambda: plan(clock()))
    release_stale_claims(clock())
    with Sweep(clock) as sweep:
        return sweep.run(batch)
