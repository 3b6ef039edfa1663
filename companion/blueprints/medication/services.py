"""Medication logic: medications and their schedules, marking doses, missed doses, today, the calendar and adherence."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from companion import limits
from companion.access import local_today, mine, owned
from companion.blueprints.medication.schedule import local_day_bounds, occurrences, parse_time
from companion.blueprints.reminders.planner import replan
from companion.errors import Conflict, Invalid
from companion.extensions import db
from companion.models import User, utcnow
from companion.models.medication import Dose, Medication
from companion.timezones import zone
from companion.validation import Errors, clean_text

# The medications for opioid and alcohol use disorder a person is most likely to take; any other name may be typed.
# Offered in the reader's language (generic names are spelled per language; brand names stay as they are).
MAT_MEDICATIONS = [
    _l("Buprenorphine/naloxone (Suboxone, Zubsolv)"),
    _l("Buprenorphine"),
    _l("Buprenorphine injection (Sublocade, Brixadi)"),
    _l("Methadone"),
    _l("Naltrexone tablet"),
    _l("Naltrexone injection (Vivitrol)"),
    _l("Acamprosate"),
    _l("Disulfiram (Antabuse)"),
]
NAME_MAX = limits.MEDICATION_NAME
DOSE_MAX = limits.DOSE
REASON_MAX = limits.DOSE_REASON
TIMES_MAX = 6
EVERY_DAYS_MIN, EVERY_DAYS_MAX = 2, 90
MISSED_AFTER_CHOICES = (60, 120, 180, 240, 360, 720)
MISSED_AFTER_MIN, MISSED_AFTER_MAX = 30, 1440
SNOOZE_MINUTES = 30
# How far ahead a dose may be marked (taking the evening dose early), and how far back (the calendar's reach).
MARK_AHEAD = timedelta(hours=12)
MARK_BACK = timedelta(days=35)
# The worker records missed doses this far back, so that a worker down for a while catches up.
MISSED_LOOKBACK = timedelta(days=3)
CALENDAR_DAYS = 28
PAGE_RANGE_MAX = 92

STATUS_LABELS = {"taken": _l("Taken"), "skipped": _l("Skipped"), "missed": _l("Not marked"), "pending": _l("Coming up")}


def _digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Medications


def medications_of(user: User, *, active_only: bool = False) -> list[Medication]:
    """The person's medications, active ones first, by name."""
    query = mine(user, Medication)
    if active_only:
        query = query.where(Medication.active.is_(True))
    return list(db.session.scalars(query.order_by(Medication.active.desc(), Medication.name, Medication.id)))


def medication_for(user: User, medication_id) -> Medication:
    """One of the person's medications; a 404 for anyone else's id."""
    return owned(user, Medication, medication_id, what=_("That medication"))


def _schedule_fields(errors: Errors, times, weekdays, every_days) -> dict:
    clean_times = []
    if not isinstance(times, list | tuple) or not times:
        errors.add("schedule.times", _("Give at least one time of day, like 08:00."))
    else:
        for text in times:
            try:
                parse_time(text)
            except (ValueError, TypeError):
                errors.add("schedule.times", _("Give each time as HH:MM, like 08:00 or 20:30."))
                break
            clean_times.append(text)
        clean_times = sorted(set(clean_times))
        if len(clean_times) > TIMES_MAX:
            errors.add("schedule.times", _("Give at most %(n)d times a day.", n=TIMES_MAX))
    if weekdays is not None:
        if (not isinstance(weekdays, list | tuple) or not weekdays
                or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays)):
            errors.add("schedule.weekdays", _("Choose at least one day of the week."))
        else:
            weekdays = sorted(set(weekdays))
            if len(weekdays) == 7:
                weekdays = None
    if every_days is not None:
        if isinstance(every_days, bool) or not isinstance(every_days, int) or not EVERY_DAYS_MIN <= every_days <= EVERY_DAYS_MAX:
            errors.add("schedule.every_days", _("Give a number of days from %(low)d to %(high)d, like 28.",
                                                low=EVERY_DAYS_MIN, high=EVERY_DAYS_MAX))
        else:
            if weekdays is not None:
                errors.add("schedule.weekdays", _("Choose days of the week or every so many days, not both."))
            if len(clean_times) > 1:
                errors.add("schedule.times", _("A dose every so many days has one time of day."))
    return {"times": clean_times, "weekdays": weekdays, "every_days": every_days}


def _medication_fields(user: User, *, name, dose, times, weekdays, every_days, start_date, end_date, clinic_dosed,
                       reminders, missed_after_minutes, active=True) -> dict:
    """Checked and normalised fields of a medication; ``Invalid`` naming every bad field."""
    errors = Errors()
    name = clean_text(errors, "name", name, max_length=NAME_MAX, required=True, label=_("The name"))
    dose = clean_text(errors, "dose", dose, max_length=DOSE_MAX, label=_("The dose")) or None
    fields = _schedule_fields(errors, times, weekdays, every_days)
    today = local_today(user)
    if start_date is None:
        start_date = today
    if not isinstance(start_date, date) or isinstance(start_date, datetime):
        errors.add("start_date", _("Give the start date as YYYY-MM-DD."))
    elif start_date > today + timedelta(days=366) or start_date < today - timedelta(days=3660):
        errors.add("start_date", _("Give a start date within ten years back and one year ahead."))
    if end_date is not None:
        if not isinstance(end_date, date) or isinstance(end_date, datetime):
            errors.add("end_date", _("Give the end date as YYYY-MM-DD."))
        elif isinstance(start_date, date) and end_date < start_date:
            errors.add("end_date", _("The end date can't be before the start date."))
        elif end_date > today + timedelta(days=3660):
            errors.add("end_date", _("Give an end date within ten years."))
    for key, value in (("clinic_dosed", clinic_dosed), ("reminders", reminders), ("active", active)):
        if not isinstance(value, bool):
            errors.add(key, _("Answer yes or no."))
    if (isinstance(missed_after_minutes, bool) or not isinstance(missed_after_minutes, int)
            or not MISSED_AFTER_MIN <= missed_after_minutes <= MISSED_AFTER_MAX):
        errors.add("missed_after_minutes", _("Choose from half an hour to a day."))
    errors.raise_if_any(_("Please check the fields marked below."))
    return {"name": name, "dose": dose, **fields, "start_date": start_date, "end_date": end_date,
            "clinic_dosed": clinic_dosed, "reminders": reminders, "active": active,
            "missed_after_minutes": missed_after_minutes}


def create_medication(user: User, *, name: str, dose: str | None = None, times=("08:00",), weekdays=None,
                      every_days: int | None = None, start_date: date | None = None, end_date: date | None = None,
                      clinic_dosed: bool = False, reminders: bool = True, missed_after_minutes: int = 180,
                      active: bool = True) -> Medication:
    """Add a medication with its schedule; its reminders are planned at once."""
    fields = _medication_fields(user, name=name, dose=dose, times=list(times or []), weekdays=weekdays,
                                every_days=every_days, start_date=start_date, end_date=end_date,
                                clinic_dosed=clinic_dosed, reminders=reminders,
                                missed_after_minutes=missed_after_minutes, active=active)
    medication = Medication(user_id=user.id, **fields)
    db.session.add(medication)
    db.session.commit()
    replan([user.id])
    return medication


def medication_values(medication: Medication) -> dict:
    """A medication's fields as ``create_medication`` takes them."""
    return {"name": medication.name, "dose": medication.dose, "times": list(medication.times),
            "weekdays": None if medication.weekdays is None else list(medication.weekdays),
            "every_days": medication.every_days, "start_date": medication.start_date, "end_date": medication.end_date,
            "clinic_dosed": medication.clinic_dosed, "reminders": medication.reminders,
            "missed_after_minutes": medication.missed_after_minutes, "active": medication.active}


def update_medication(user: User, medication_id, **changes) -> Medication:
    """Change a medication; what was marked before stays, and reminders follow the new schedule."""
    medication = medication_for(user, medication_id)
    values = medication_values(medication)
    values.update(changes)
    fields = _medication_fields(user, **values)
    for key, value in fields.items():
        setattr(medication, key, value)
    db.session.commit()
    replan([user.id])
    return medication


def delete_medication(user: User, medication_id) -> None:
    """Remove a medication with every dose marked for it."""
    db.session.delete(medication_for(user, medication_id))
    db.session.commit()
    replan([user.id])


def describe_schedule(medication: Medication) -> str:
    """The schedule in words, for pages."""
    times = ", ".join(medication.times)
    if medication.every_days:
        return _("Every %(n)d days at %(times)s, from %(start)s", n=medication.every_days, times=times,
                 start=medication.start_date.isoformat())
    if medication.weekdays is not None:
        names = [str(WEEKDAY_NAMES[d]) for d in medication.weekdays]
        return _("%(days)s at %(times)s", days=", ".join(names), times=times)
    return _("Every day at %(times)s", times=times)


WEEKDAY_NAMES = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday")]


# Doses


@dataclass
class Slot:
    """One scheduled dose and how it went."""

    medication: Medication
    scheduled_for: datetime
    status: str  # taken | skipped | missed | pending
    dose: Dose | None

    @property
    def snoozed(self) -> bool:
        return self.dose is not None and self.dose.status == "snoozed"


def tracked_from(medication: Medication, timezone: str) -> datetime:
    """Doses before the day a medication was added are not listed (it was not in Companion yet)."""
    tz = zone(timezone)
    created = _aware(medication.created_at).astimezone(tz).date()
    return datetime.combine(created, time(), tzinfo=tz).astimezone(UTC)


def status_of(medication: Medication, scheduled_for: datetime, dose: Dose | None, now: datetime) -> str:
    """Taken, skipped or missed as recorded; otherwise missed once its window has passed, pending before."""
    if dose is not None and dose.status in ("taken", "skipped", "missed"):
        return dose.status
    if now >= scheduled_for + timedelta(minutes=medication.missed_after_minutes):
        return "missed"
    return "pending"


def slots(medications: list[Medication], doses: list[Dose], timezone: str, start: datetime, end: datetime,
          now: datetime) -> list[Slot]:
    """Every scheduled dose of these medications in [start, end) with how it went, in time order.

    Doses marked at times the schedule no longer has (it was changed since) are kept, so that history stays.
    """
    by_key = {(d.medication_id, _aware(d.scheduled_for)): d for d in doses}
    found: list[Slot] = []
    seen = set()
    by_id = {m.id: m for m in medications}
    for medication in medications:
        if not medication.active:
            continue
        first = max(start, tracked_from(medication, timezone))
        for moment in occurrences(medication, timezone, first, end):
            dose = by_key.get((medication.id, moment))
            seen.add((medication.id, moment))
            # Before it was added, an unmarked dose may still be marked that day, but it never counts as missed.
            before = dose is None and moment < _aware(medication.created_at)
            found.append(Slot(medication, moment, "pending" if before else status_of(medication, moment, dose, now), dose))
    for key, dose in by_key.items():
        if key not in seen and key[0] in by_id and start <= key[1] < end and dose.status != "snoozed":
            found.append(Slot(by_id[key[0]], key[1], dose.status, dose))
    found.sort(key=lambda s: (s.scheduled_for, s.medication.name, s.medication.id))
    return found


def _doses_between(user_ids: list[int], start: datetime, end: datetime) -> list[Dose]:
    if not user_ids:
        return []
    return list(db.session.scalars(select(Dose).where(Dose.user_id.in_(user_ids), Dose.scheduled_for >= start,
                                                      Dose.scheduled_for < end)))


def doses_in_range(user: User, first: date, last: date, now: datetime | None = None) -> list[Slot]:
    """Every scheduled dose between two local dates (``last`` inclusive)."""
    now = now or utcnow()
    start, end = local_day_bounds(user.timezone, first, last)
    return slots(medications_of(user), _doses_between([user.id], start, end), user.timezone, start, end, now)


def check_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """A range of local dates for listing doses: the last 7 days by default, at most ``PAGE_RANGE_MAX`` days."""
    last = last or today
    first = first or last - timedelta(days=6)
    if first > last:
        raise Invalid.field("from", _("The start of the range is after its end."))
    if (last - first).days >= PAGE_RANGE_MAX:
        raise Invalid.field("to", _("Ask for at most %(n)d days at a time.", n=PAGE_RANGE_MAX))
    return first, last


def today_slots(user: User, now: datetime | None = None) -> list[Slot]:
    """Today's doses for the Today page: the active medications and today's marked doses in one statement."""
    now = now or utcnow()
    today = local_today(user, now)
    start, end = local_day_bounds(user.timezone, today, today)
    rows = db.session.execute(
        select(Medication, Dose)
        .outerjoin(Dose, and_(Dose.medication_id == Medication.id, Dose.scheduled_for >= start, Dose.scheduled_for < end))
        .where(Medication.user_id == user.id, Medication.active.is_(True))
        .order_by(Medication.name, Medication.id)).all()
    medications = list({m.id: m for m, _ in rows}.values())
    doses = [d for _, d in rows if d is not None]
    return [s for s in slots(medications, doses, user.timezone, start, end, now) if s.medication.active]


def _scheduled_moment(medication: Medication, timezone: str, scheduled_for) -> datetime | None:
    if not isinstance(scheduled_for, datetime) or scheduled_for.tzinfo is None:
        return None
    moment = scheduled_for.astimezone(UTC).replace(microsecond=0)
    for found in occurrences(medication, timezone, moment, moment + timedelta(seconds=1)):
        return found
    return None


def mark_dose(user: User, *, dose_id: uuid.UUID, medication_id, scheduled_for: datetime, status: str,
              reason: str = "", now: datetime | None = None) -> tuple[Dose, bool]:
    """Mark one scheduled dose taken or skipped under its client id; returns the dose and whether it was written.

    The same id and body again returns it unchanged; the same id with another body is a ``Conflict``. Another id
    for the same scheduled dose replaces what was there (a change of mind, or taken after all).
    """
    now = now or utcnow()
    errors = Errors()
    if not isinstance(dose_id, uuid.UUID):
        errors.add("id", _("A client id must be a UUID."))
    medication = medication_for(user, medication_id)
    if status not in ("taken", "skipped"):
        errors.add("status", _("Choose taken or skipped."))
    reason = clean_text(errors, "reason", reason, max_length=REASON_MAX, label=_("The reason"))
    moment = _scheduled_moment(medication, user.timezone, scheduled_for)
    if moment is None:
        errors.add("scheduled_for", _("That is not one of this medication's scheduled times."))
    elif moment > now + MARK_AHEAD:
        errors.add("scheduled_for", _("That dose is still more than 12 hours away."))
    elif moment < now - MARK_BACK:
        errors.add("scheduled_for", _("Doses can be marked up to 35 days back."))
    errors.raise_if_any(_("Please check the fields marked below."))
    digest = _digest({"medication_id": medication.id, "scheduled_for": moment.isoformat(), "status": status,
                      "reason": reason})
    same_id = db.session.scalar(mine(user, Dose).where(Dose.id == dose_id))
    if same_id is not None:
        if same_id.body_digest != digest:
            raise Conflict(_("A dose with this id was already marked with other content."))
        return same_id, False
    dose = db.session.scalar(select(Dose).where(Dose.medication_id == medication.id, Dose.scheduled_for == moment))
    if dose is None:
        dose = Dose(user_id=user.id, medication_id=medication.id, scheduled_for=moment)
        db.session.add(dose)
    dose.id, dose.status, dose.reason, dose.body_digest = dose_id, status, reason, digest
    dose.snoozed_until, dose.recorded_at = None, now
    try:
        db.session.commit()
    except IntegrityError:  # the same dose marked at the same moment elsewhere (or the worker recorded it missed)
        db.session.rollback()
        return mark_dose(user, dose_id=dose_id, medication_id=medication_id, scheduled_for=scheduled_for,
                         status=status, reason=reason, now=now)
    return dose, True


def snooze_dose(user: User, *, medication_id, scheduled_for: datetime, now: datetime | None = None) -> datetime:
    """Remind again in ``SNOOZE_MINUTES`` about a dose not marked yet; returns when."""
    now = now or utcnow()
    medication = medication_for(user, medication_id)
    moment = _scheduled_moment(medication, user.timezone, scheduled_for)
    if moment is None or status_of(medication, moment, None, now) != "pending" or moment > now + MARK_AHEAD:
        raise Invalid.field("scheduled_for", _("That dose can't be snoozed now."))
    until = (now + timedelta(minutes=SNOOZE_MINUTES)).replace(microsecond=0)
    dose = db.session.scalar(select(Dose).where(Dose.medication_id == medication.id, Dose.scheduled_for == moment))
    if dose is not None and dose.status != "snoozed":
        raise Invalid.field("scheduled_for", _("That dose is already marked."))
    if dose is None:
        dose = Dose(id=uuid.uuid4(), user_id=user.id, medication_id=medication.id, scheduled_for=moment, status="snoozed")
        db.session.add(dose)
    dose.snoozed_until, dose.recorded_at = until, now
    db.session.commit()
    replan([user.id])
    return until


def missed_dose_id(medication_id: int, moment: datetime) -> uuid.UUID:
    """The id of a missed dose the worker records: the same on every worker, so the row is written once."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"companion:missed-dose:{medication_id}:{moment.isoformat()}")


def record_missed(now: datetime | None = None) -> int:
    """Record as missed every dose whose window passed unmarked; returns how many rows this call wrote.

    Safe with several workers at once: each dose has one row at most (unique medication and time), inserted with
    ON CONFLICT DO NOTHING, and a snoozed dose turns missed by a conditional update; so a dose is recorded once.
    """
    now = (now or utcnow()).replace(microsecond=0)
    rows = db.session.execute(
        select(Medication, User.timezone).join(User, User.id == Medication.user_id)
        .where(Medication.active.is_(True), User.active.is_(True), Medication.start_date <= (now + timedelta(days=1)).date())
    ).all()
    if not rows:
        return 0
    start = now - MISSED_LOOKBACK
    wanted = []
    for medication, timezone in rows:
        first = max(start, _aware(medication.created_at).replace(microsecond=0))
        last = now - timedelta(minutes=medication.missed_after_minutes)
        for moment in occurrences(medication, timezone, first, last):
            wanted.append({"pk": None, "id": missed_dose_id(medication.id, moment), "user_id": medication.user_id,
                           "medication_id": medication.id, "scheduled_for": moment, "status": "missed", "reason": "",
                           "body_digest": "", "recorded_at": now})
    written = 0
    if wanted:
        have = set(db.session.execute(select(Dose.medication_id, Dose.scheduled_for).where(
            Dose.medication_id.in_(list({w["medication_id"] for w in wanted})), Dose.scheduled_for >= start)).all())
        have = {(m, _aware(s)) for m, s in have}
        new = [{k: v for k, v in w.items() if k != "pk"} for w in wanted if (w["medication_id"], w["scheduled_for"]) not in have]
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        for i in range(0, len(new), 500):
            # The rows returned are those this call wrote (a driver's rowcount is not reliable for this statement).
            result = db.session.execute(insert(Dose).values(new[i:i + 500]).on_conflict_do_nothing(
                index_elements=["medication_id", "scheduled_for"]).returning(Dose.pk))
            written += len(result.all())
    # A snoozed dose whose window has passed: missed, once (only a row still snoozed changes).
    by_medication = {m.id: m for m, _ in rows}
    snoozed = db.session.execute(select(Dose.pk, Dose.medication_id, Dose.scheduled_for)
                                 .where(Dose.status == "snoozed", Dose.scheduled_for >= start)).all()
    for pk, medication_id, scheduled_for in snoozed:
        medication = by_medication.get(medication_id)
        if medication and now >= _aware(scheduled_for) + timedelta(minutes=medication.missed_after_minutes):
            result = db.session.execute(update(Dose).where(Dose.pk == pk, Dose.status == "snoozed")
                                        .values(status="missed", snoozed_until=None, recorded_at=now))
            written += max(result.rowcount or 0, 0)
    db.session.commit()
    return written


# Adherence and the calendar


def adherence(found: list[Slot], now: datetime, days: int) -> tuple[int | None, int]:
    """The percentage of decided doses taken in the last ``days`` days (None when none), and how many were missed."""
    since = now - timedelta(days=days)
    decided = [s for s in found if since <= s.scheduled_for <= now and s.status != "pending"]
    missed = sum(1 for s in decided if s.status == "missed")
    if not decided:
        return None, missed
    return round(100 * sum(1 for s in decided if s.status == "taken") / len(decided)), missed


def summaries(participants: list[User], now: datetime | None = None) -> dict[int, dict]:
    """Adherence over 7 and 28 days and doses missed in 7, per person, in two statements for any number of people."""
    now = now or utcnow()
    ids = [p.id for p in participants]
    if not ids:
        return {}
    start = now - timedelta(days=CALENDAR_DAYS)
    medications = defaultdict(list)
    for medication in db.session.scalars(select(Medication).where(Medication.user_id.in_(ids))
                                         .order_by(Medication.name, Medication.id)):
        medications[medication.user_id].append(medication)
    doses = defaultdict(list)
    for dose in _doses_between(ids, start, now + timedelta(seconds=1)):
        doses[dose.user_id].append(dose)
    found = {}
    for person in participants:
        every = slots(medications[person.id], doses[person.id], person.timezone, start, now + timedelta(seconds=1), now)
        week, missed = adherence(every, now, 7)
        month, _ = adherence(every, now, CALENDAR_DAYS)
        found[person.id] = {"adherence_7d": week, "adherence_28d": month, "missed_7d": missed,
                            "medications": medications[person.id]}
    return found


def calendar(user: User, medication: Medication | None = None, now: datetime | None = None) -> list[dict]:
    """The last four weeks, a week to a row (Monday first): each day's doses taken, skipped, missed and coming up."""
    now = now or utcnow()
    today = local_today(user, now)
    first = today - timedelta(days=CALENDAR_DAYS - 1)
    first -= timedelta(days=first.weekday())
    found = doses_in_range(user, first, today, now)
    if medication is not None:
        found = [s for s in found if s.medication.id == medication.id]
    tz = zone(user.timezone)
    by_day = defaultdict(list)
    for slot in found:
        by_day[slot.scheduled_for.astimezone(tz).date()].append(slot)
    weeks, day = [], first
    while day <= today:
        week = []
        for _ in range(7):
            counts = {status: sum(1 for s in by_day[day] if s.status == status)
                      for status in ("taken", "skipped", "missed", "pending")}
            week.append({"date": day, "future": day > today, "counts": counts, "total": len(by_day[day])})
            day += timedelta(days=1)
        weeks.append(week)
    return weeks
