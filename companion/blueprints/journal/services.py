"""Journal logic: entries, check-ins, days sober, coping skills and insights."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from flask_babel import format_date, format_number, gettext as _
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean

from flask_babel import gettext as _, ngettext
from sqlalchemy import Date, and_, bindparam, case, delete, func, or_
from sqlalchemy.exc import IntegrityError

from companion import limits
from companion.access import ME, Grant, about_me_statement, local_today, mine, mine_columns, owned, prepared, read_mine
from companion.blueprints.journal import rollup
from companion.blueprints.journal.library import BY_SLUG, LIBRARY, Skill, localized
from companion.errors import Conflict, Invalid, NotFound
from companion.extensions import db
from companion.i18n import N_
from companion.models import Scope, User, utcnow
from companion.models.journal import (
    HALT,
    KINDS,
    OUTCOMES,
    TRIGGERS,
    CheckIn,
    CustomSkill,
    FavoriteSkill,
    JournalSettings,
    LogEntry,
    SoberStreak,
    journal_day,
    journal_skill_day,
    to_bits,
)
from companion.timezones import zone
from companion.validation import Wording, clean_text

NOTE_MAX = limits.JOURNAL_NOTE
EMOTION_MAX = limits.EMOTION
FUTURE_SLACK = timedelta(minutes=5)
PAST_LIMIT = timedelta(days=7)
PAGE_MAX = 200
# The journal's own sentences for free text, with the numbers written the reader's way.
WORDING = Wording(unstorable=N_("This text contains a character that cannot be saved (NUL). Please remove it."),
                  too_long=N_("Please keep this to %(limit)s characters or fewer (it has %(count)s)."),
                  number=format_number)
MILESTONES = (1, 7, 14, 30, 60, 90, 180, 365)
INSIGHT_PERIODS = (7, 30, 90)


def _digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# Skills


def custom_slug(name: str) -> str:
    """The slug of a person's own skill, kept apart from the library's by its prefix."""
    readable = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    # A name with no Latin letters or digits still gets a slug of its own.
    return "my-" + (readable or hashlib.sha256(name.encode()).hexdigest()[:12])


def skills_for(user: User) -> list[Skill]:
    """The library and this person's own skills, favourites first."""
    favourites = favourite_slugs(user)
    custom = [Skill(s.slug, s.name, "custom", s.purpose, tuple(s.steps), custom=True)
              for s in db.session.scalars(mine(user, CustomSkill).order_by(CustomSkill.name))]
    every = [localized(skill) for skill in LIBRARY] + custom
    return sorted(every, key=lambda skill: skill.slug not in favourites)


def skill_names(user: User) -> dict[str, str]:
    """Every skill's name by slug, for this person."""
    names = {skill.slug: str(skill.name) for skill in LIBRARY}
    names.update(db.session.execute(mine_columns(user, CustomSkill, CustomSkill.slug, CustomSkill.name)).all())
    return names


def skill_for(user: User, slug: str) -> Skill:
    """One skill of the library or of this person's own; a 404 otherwise."""
    if slug in BY_SLUG:
        return localized(BY_SLUG[slug])
    custom = custom_skill_for(user, slug)
    return Skill(custom.slug, custom.name, "custom", custom.purpose, tuple(custom.steps), custom=True)


def favourite_slugs(user: User) -> set[str]:
    return set(db.session.scalars(mine_columns(user, FavoriteSkill, FavoriteSkill.slug)))


def set_favourite(user: User, slug: str, favourite: bool) -> None:
    """Keep a skill among the favourites, or take it off."""
    skill_for(user, slug)
    existing = db.session.scalar(mine(user, FavoriteSkill).where(FavoriteSkill.slug == slug))
    if favourite and existing is None:
        db.session.add(FavoriteSkill(user_id=user.id, slug=slug))
    elif not favourite and existing is not None:
        db.session.delete(existing)
    db.session.commit()


def _custom_skill_fields(user: User, name: str, purpose: str, steps: str, current: CustomSkill | None) -> dict:
    errors: dict[str, list[str]] = {}
    name = clean_text(errors, "name", name, max_length=limits.SKILL_NAME, wording=WORDING)
    purpose = clean_text(errors, "purpose", purpose, max_length=limits.SKILL_PURPOSE, wording=WORDING)
    steps = clean_text(errors, "steps", steps, max_length=NOTE_MAX, wording=WORDING)
    if not name and "name" not in errors:
        errors["name"] = ["Give the skill a short name."]
    lines = [line.strip() for line in steps.splitlines() if line.strip()]
    if "steps" not in errors and len(lines) > 12:
        errors["steps"] = ["Please keep it to 12 steps or fewer."]
    if errors:
        raise Invalid(_("Please check the fields marked below."), errors)
    slug = custom_slug(name)
    taken = db.session.scalar(mine(user, CustomSkill).where(CustomSkill.slug == slug))
    if taken is not None and taken is not current:
        raise Invalid.field("name", _("You already have a skill with this name."))
    return {"slug": slug, "name": name, "purpose": purpose, "steps_text": "\n".join(lines)}


def create_custom_skill(user: User, *, name: str, purpose: str = "", steps: str = "") -> CustomSkill:
    """Add a skill of the person's own."""
    skill = CustomSkill(user_id=user.id, **_custom_skill_fields(user, name, purpose, steps, None))
    db.session.add(skill)
    db.session.commit()
    return skill


def custom_skill_for(user: User, slug: str) -> CustomSkill:
    """One of the person's own skills; a 404 for anyone else's (or a slug no skill could have)."""
    if not re.fullmatch(r"my-[a-z0-9-]{1,77}", slug):
        raise NotFound(_("That skill was not found."))
    custom = db.session.scalar(mine(user, CustomSkill).where(CustomSkill.slug == slug))
    if custom is None:
        raise NotFound(_("That skill was not found."))
    return custom


def _dates_with_skill(user: User, slug: str) -> list[date]:
    """The local dates of the person's entries that name this skill (whose roll-up a change of it touches)."""
    return list(db.session.scalars(mine_columns(user, LogEntry, LogEntry.local_date)
                                   .where(LogEntry.skill == slug).distinct()))


def update_custom_skill(user: User, slug: str, *, name: str, purpose: str, steps: str) -> CustomSkill:
    """Change one of the person's own skills; entries that named it follow the new name."""
    skill = custom_skill_for(user, slug)
    fields = _custom_skill_fields(user, name, purpose, steps, skill)
    old_slug = skill.slug
    for key, value in fields.items():
        setattr(skill, key, value)
    if fields["slug"] != old_slug:
        dates = _dates_with_skill(user, old_slug)
        db.session.execute(LogEntry.__table__.update().where(LogEntry.user_id == user.id, LogEntry.skill == old_slug)
                           .values(skill=fields["slug"]))
        db.session.execute(FavoriteSkill.__table__.update().where(FavoriteSkill.user_id == user.id, FavoriteSkill.slug == old_slug)
                           .values(slug=fields["slug"]))
        rollup.rebuild(user.id, dates)
    db.session.commit()
    return skill


def delete_custom_skill(user: User, slug: str) -> None:
    """Remove one of the person's own skills (entries keep the rest of what they say)."""
    skill = custom_skill_for(user, slug)
    dates = _dates_with_skill(user, slug)
    db.session.execute(delete(FavoriteSkill).where(FavoriteSkill.user_id == user.id, FavoriteSkill.slug == slug))
    db.session.execute(LogEntry.__table__.update().where(LogEntry.user_id == user.id, LogEntry.skill == slug)
                       .values(skill=None, helped=None))
    rollup.rebuild(user.id, dates)
    db.session.delete(skill)
    db.session.commit()


# Log entries


def _entry_fields(user: User, *, kind, occurred_at, intensity, triggers, halt, emotion, skill, helped, outcome,
                  note, now: datetime, check_age: bool = True) -> dict:
    """Checked and normalised fields of an entry; ``Invalid`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        errors["kind"] = ["Choose craving, trigger or coping."]
    if not isinstance(occurred_at, datetime) or occurred_at.tzinfo is None:
        errors["occurred_at"] = ["Give the date and time with its time zone offset."]
    elif occurred_at > now + FUTURE_SLACK:
        errors["occurred_at"] = ["That time is in the future."]
    elif check_age and occurred_at < now - PAST_LIMIT:
        errors["occurred_at"] = ["Entries can be logged up to 7 days after the fact."]
    if intensity is None:
        if kind == "craving":
            errors["intensity"] = ["Choose how strong the craving is, from 0 to 10."]
    elif isinstance(intensity, bool) or not isinstance(intensity, int) or not 0 <= intensity <= 10:
        errors["intensity"] = ["Choose a number from 0 to 10."]
    triggers = list(triggers or [])
    if any(code not in TRIGGERS for code in triggers):
        errors["triggers"] = ["Choose triggers from the list."]
    halt = list(halt or [])
    if any(code not in HALT for code in halt):
        errors["halt"] = ["Choose from hungry, angry, lonely and tired."]
    emotion = clean_text(errors, "emotion", emotion, max_length=EMOTION_MAX, wording=WORDING)
    note = clean_text(errors, "note", note, max_length=NOTE_MAX, wording=WORDING)
    skill = (skill or "").strip() or None
    if skill is not None and skill not in skill_names(user):
        errors["skill"] = ["Choose a skill from the list."]
    if helped is not None and (isinstance(helped, bool) or not isinstance(helped, int) or not 1 <= helped <= 5):
        errors["helped"] = ["Choose from 1 (not at all) to 5 (a lot)."]
    if helped is not None and skill is None and "helped" not in errors:
        errors["helped"] = ["Choose the skill you tried, so we know what helped."]
    outcome = outcome or None
    if outcome is not None and outcome not in OUTCOMES:
        errors["outcome"] = ["Choose: the urge passed, I used, or it's still going."]
    if errors:
        raise Invalid(_("Please check the fields marked below."), errors)
    local = occurred_at.astimezone(zone(user.timezone))
    return {"kind": kind, "occurred_at": occurred_at.astimezone(UTC), "local_date": local.date(),
            "local_hour": local.hour, "intensity": intensity,
            "trigger_bits": to_bits(triggers, TRIGGERS), "halt_bits": to_bits(halt, HALT), "emotion": emotion,
            "skill": skill, "helped": helped, "outcome": outcome, "note": note}


def _entry_digest(fields: dict, occurred_at_given: bool) -> str:
    """A digest of the entry as it was sent (a time left out stays left out, so that a replay matches)."""
    keys = ("kind", "intensity", "trigger_bits", "halt_bits", "emotion", "skill", "helped", "outcome", "note")
    data = {key: fields[key] for key in keys}
    data["occurred_at"] = fields["occurred_at"] if occurred_at_given else None
    return _digest(data)


def log_entry(user: User, *, entry_id: uuid.UUID, kind: str, occurred_at: datetime | None = None,
              intensity: int | None = None, triggers=(), halt=(), emotion: str = "", skill: str | None = None,
              helped: int | None = None, outcome: str | None = None, note: str = "",
              now: datetime | None = None) -> tuple[LogEntry, bool]:
    """Save an entry under its client id; the same id and body again returns it unchanged (created False).

    The same id with another body is a ``Conflict``: a queue replaying a request must not overwrite an edit.
    """
    now = now or utcnow()
    if not isinstance(entry_id, uuid.UUID):
        raise Invalid.field("id", _("A client id must be a UUID."))
    fields = _entry_fields(user, kind=kind, occurred_at=occurred_at or now, intensity=intensity, triggers=triggers,
                           halt=halt, emotion=emotion, skill=skill, helped=helped, outcome=outcome, note=note, now=now)
    digest = _entry_digest(fields, occurred_at is not None)
    existing = db.session.scalar(mine(user, LogEntry).where(LogEntry.id == entry_id))
    if existing is None:
        entry = LogEntry(id=entry_id, user_id=user.id, body_digest=digest, **fields)
        db.session.add(entry)
        try:
            rollup.rebuild(user.id, [entry.local_date])
            db.session.commit()
            return entry, True
        except IntegrityError:  # the same id sent twice at once: the other request won
            db.session.rollback()
            existing = db.session.scalar(mine(user, LogEntry).where(LogEntry.id == entry_id))
            if existing is None:
                raise
    if existing.body_digest != digest:
        raise Conflict(_("An entry with this id already exists with other content."))
    return existing, False


def entry_for(user: User, entry_id) -> LogEntry:
    """One of the person's entries; a 404 for anyone else's id."""
    return owned(user, LogEntry, entry_id, what="That entry")


def update_entry(user: User, entry_id, *, now: datetime | None = None, **changes) -> LogEntry:
    """Change an entry's details (its time included, which may be older than a new entry's)."""
    entry = entry_for(user, entry_id)
    current = {"kind": entry.kind, "occurred_at": entry.occurred_at, "intensity": entry.intensity,
               "triggers": entry.triggers, "halt": entry.halt, "emotion": entry.emotion, "skill": entry.skill,
               "helped": entry.helped, "outcome": entry.outcome, "note": entry.note}
    current.update(changes)
    check_age = current["occurred_at"] != entry.occurred_at
    fields = _entry_fields(user, now=now or utcnow(), check_age=check_age, **current)
    was_on = entry.local_date
    for key, value in fields.items():
        setattr(entry, key, value)
    rollup.rebuild(user.id, [was_on, entry.local_date])
    db.session.commit()
    return entry


def delete_entry(user: User, entry_id) -> None:
    """Remove one of the person's entries."""
    entry = entry_for(user, entry_id)
    db.session.delete(entry)
    rollup.rebuild(user.id, [entry.local_date])
    db.session.commit()


def encode_cursor(entry: LogEntry) -> str:
    raw = f"{entry.occurred_at.astimezone(UTC).isoformat()}|{entry.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise ValueError
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid.field("cursor", _("This cursor is not valid; use the next_cursor of a previous page.")) from None


def list_entries(user: User, *, since: datetime | None = None, until: datetime | None = None,
                 kind: str | None = None, limit: int = 50, cursor: str | None = None) -> tuple[list[LogEntry], str | None]:
    """The person's entries, newest first, a page at a time."""
    query = mine(user, LogEntry)
    if since is not None:
        query = query.where(LogEntry.occurred_at >= since)
    if until is not None:
        query = query.where(LogEntry.occurred_at < until)
    if kind is not None:
        query = query.where(LogEntry.kind == kind)
    if cursor:
        moment, pk = decode_cursor(cursor)
        query = query.where(or_(LogEntry.occurred_at < moment, and_(LogEntry.occurred_at == moment, LogEntry.pk < pk)))
    rows = list(db.session.scalars(query.order_by(LogEntry.occurred_at.desc(), LogEntry.pk.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def what_helped(user: User, limit: int = 3) -> list[dict]:
    """The skills that helped this person most recently (rated 3 or more), newest first."""
    rows = db.session.execute(
        mine_columns(user, LogEntry, LogEntry.skill, LogEntry.helped, LogEntry.occurred_at)
        .where(LogEntry.skill.is_not(None), LogEntry.helped >= 3)
        .order_by(LogEntry.occurred_at.desc()).limit(40)).all()
    names = skill_names(user)
    seen: list[dict] = []
    for slug, helped, occurred_at in rows:
        if slug in names and all(item["slug"] != slug for item in seen):
            seen.append({"slug": slug, "name": names[slug], "helped": helped, "occurred_at": occurred_at})
        if len(seen) == limit:
            break
    return seen


# Check-ins


def save_checkin(user: User, *, checkin_id: uuid.UUID, day: date | None = None, mood: int, craving: int,
                 used: bool, sleep_hours: float | None = None, note: str = "",
                 now: datetime | None = None) -> tuple[CheckIn, bool]:
    """Save the check-in of a local date; a later one for the same date replaces it.

    The same client id and body again returns it unchanged; the same id with another body is a ``Conflict``.
    Returns the check-in and whether it was written.
    """
    today = local_today(user, now)
    date_given = day is not None
    day = day or today
    errors: dict[str, list[str]] = {}
    if not isinstance(checkin_id, uuid.UUID):
        errors["id"] = ["A client id must be a UUID."]
    if not isinstance(day, date) or isinstance(day, datetime):
        errors["date"] = ["Give the date as YYYY-MM-DD."]
    elif day > today:
        errors["date"] = ["That date is in the future."]
    elif day < today - timedelta(days=30):
        errors["date"] = ["Check-ins can be made up to 30 days after the fact."]
    if isinstance(mood, bool) or not isinstance(mood, int) or not 1 <= mood <= 5:
        errors["mood"] = ["Choose your mood from 1 to 5."]
    if isinstance(craving, bool) or not isinstance(craving, int) or not 0 <= craving <= 10:
        errors["craving"] = ["Choose your craving from 0 to 10."]
    if not isinstance(used, bool):
        errors["used"] = ["Answer yes or no."]
    if sleep_hours is not None and (isinstance(sleep_hours, bool) or not isinstance(sleep_hours, int | float)
                                    or not 0 <= sleep_hours <= 24):
        errors["sleep_hours"] = ["Hours slept are between 0 and 24."]
    note = clean_text(errors, "note", note, max_length=NOTE_MAX, wording=WORDING)
    if errors:
        raise Invalid(_("Please check the fields marked below."), errors)
    fields = {"date": day, "mood": mood, "craving": craving, "used": used,
              "sleep_hours": None if sleep_hours is None else round(float(sleep_hours), 1), "note": note}
    # The date as sent: a replay of a check-in sent without one still matches the next day.
    digest = _digest({**fields, "date": day if date_given else None})
    same_id = db.session.scalar(mine(user, CheckIn).where(CheckIn.id == checkin_id))
    if same_id is not None:
        if same_id.body_digest != digest or (date_given and same_id.date != day):
            raise Conflict(_("A check-in with this id already exists with other content."))
        return same_id, False
    checkin = db.session.scalar(mine(user, CheckIn).where(CheckIn.date == day))
    if checkin is None:
        checkin = CheckIn(user_id=user.id)
        db.session.add(checkin)
    checkin.id = checkin_id
    checkin.body_digest = digest
    for key, value in fields.items():
        setattr(checkin, key, value)
    try:
        db.session.commit()
    except IntegrityError:  # another check-in for this date arrived at the same moment: replace it
        db.session.rollback()
        return save_checkin(user, checkin_id=checkin_id, day=day if date_given else None, mood=mood, craving=craving, used=used,
                            sleep_hours=sleep_hours, note=note, now=now)
    return checkin, True


def checkin_on(user: User, day: date) -> CheckIn | None:
    return db.session.scalar(mine(user, CheckIn).where(CheckIn.date == day))


def list_checkins(user: User, *, since: date | None = None, until: date | None = None, limit: int = 90) -> list[CheckIn]:
    """The person's check-ins, newest first."""
    query = mine(user, CheckIn)
    if since is not None:
        query = query.where(CheckIn.date >= since)
    if until is not None:
        query = query.where(CheckIn.date <= until)
    return list(db.session.scalars(query.order_by(CheckIn.date.desc()).limit(limit)))


# Days sober


def settings_for(user: User) -> JournalSettings:
    settings = db.session.get(JournalSettings, user.id)
    return settings or JournalSettings(user_id=user.id, show_days_sober=True)


def set_counter_shown(user: User, shown: bool) -> None:
    """Show or hide the days-sober counter."""
    settings = db.session.get(JournalSettings, user.id)
    if settings is None:
        settings = JournalSettings(user_id=user.id)
        db.session.add(settings)
    settings.show_days_sober = shown
    db.session.commit()


def _streaks(user: User) -> list[SoberStreak]:
    return list(db.session.scalars(mine(user, SoberStreak).order_by(SoberStreak.started_on, SoberStreak.id)))


def next_milestone(days: int) -> int:
    for milestone in MILESTONES:
        if days < milestone:
            return milestone
    return (days // 365 + 1) * 365


def milestone_label(days: int) -> str:
    """A milestone as people in recovery name it: 24 hours, 7 days, 6 months, 1 year, 2 years."""
    if days == 1:
        return _("24 hours")
    if days == 180:
        return _("6 months")
    if days >= 365 and days % 365 == 0:
        return ngettext("%(num)d year", "%(num)d years", days // 365)
    return ngettext("%(num)d day", "%(num)d days", days)


# A milestone is recognised on Today on its day and for this many days after, for a person who opened
# Companion a day late.
MILESTONE_SHOWN_DAYS = 3


def milestones_reached(days: int) -> list[int]:
    reached = [m for m in MILESTONES if m <= days]
    reached += [365 * years for years in range(2, days // 365 + 1)]
    return reached


@dataclass
class SoberStatus:
    shown: bool
    started_on: date | None = None
    days: int | None = None
    next_milestone: int | None = None
    milestones: list[int] = field(default_factory=list)
    milestone_today: int | None = None
    milestone_recent: int | None = None  # reached within MILESTONE_SHOWN_DAYS
    history: list[dict] = field(default_factory=list)
    longest: int | None = None
    average: float | None = None


def count_milestones(status: SoberStatus) -> None:
    """The milestones of a counter's days: the next, those reached, today's, and one to recognise on Today."""
    status.next_milestone = next_milestone(status.days)
    status.milestones = milestones_reached(status.days)
    if status.days in status.milestones:
        status.milestone_today = status.days
    if status.milestones and status.days - status.milestones[-1] < MILESTONE_SHOWN_DAYS:
        status.milestone_recent = status.milestones[-1]


def sober_status(user: User, now: datetime | None = None) -> SoberStatus:
    """The counter, its milestones and every streak so far."""
    today = local_today(user, now)
    status = SoberStatus(shown=settings_for(user).show_days_sober)
    streaks = _streaks(user)
    if not streaks:
        return status
    for streak in streaks:
        end = streak.ended_on or today
        status.history.append({"started_on": streak.started_on, "ended_on": streak.ended_on,
                               "ended_at": streak.ended_at, "days": max((end - streak.started_on).days, 0)})
    lengths = [item["days"] for item in status.history]
    status.longest = max(lengths)
    status.average = round(float(mean(lengths)), 1)
    current = streaks[-1]
    if current.ended_at is None:
        status.started_on = current.started_on
        status.days = max((today - current.started_on).days, 0)
        count_milestones(status)
    status.history.reverse()
    return status


def _open_streak(user: User) -> SoberStreak | None:
    return db.session.scalar(mine(user, SoberStreak).where(SoberStreak.ended_at.is_(None)))


def set_start_date(user: User, started_on: date, now: datetime | None = None) -> SoberStreak:
    """Start counting from a date, or correct the current start date (an edit, not a slip)."""
    today = local_today(user, now)
    if started_on > today:
        raise Invalid.field("started_on", _("The start date can't be in the future."))
    if started_on < date(1940, 1, 1):
        raise Invalid.field("started_on", _("Please check the year."))
    streak = _open_streak(user)
    last_end = db.session.scalar(mine_columns(user, SoberStreak, func.max(SoberStreak.ended_on)))
    if last_end is not None and started_on < last_end:
        raise Invalid.field("started_on", _("The start date can't be before your last restart on %(date)s.",
                                                         date=format_date(last_end, "long")))
    if streak is None:
        streak = SoberStreak(user_id=user.id, started_on=started_on)
        db.session.add(streak)
    else:
        streak.started_on = started_on
    db.session.commit()
    return streak


def record_slip(user: User, at: datetime, now: datetime | None = None) -> SoberStreak:
    """End the current streak at the moment of a slip and start counting again from that day."""
    now = now or utcnow()
    streak = _open_streak(user)
    if streak is None:
        raise Invalid.field("at", _("Set a start date first."))
    if at.tzinfo is None:
        raise Invalid.field("at", _("Give the date and time."))
    if at > now + FUTURE_SLACK:
        raise Invalid.field("at", _("That time is in the future."))
    on = at.astimezone(zone(user.timezone)).date()
    if on < streak.started_on:
        raise Invalid.field("at", _("That is before your current start date, %(date)s. To change the start date, correct it instead.",
                                    date=format_date(streak.started_on, "long")))
    streak.ended_at = at.astimezone(UTC)
    streak.ended_on = on
    fresh = SoberStreak(user_id=user.id, started_on=on)
    db.session.add(fresh)
    db.session.commit()
    return fresh


# Insights


def period_start(user: User, days: int, now: datetime | None = None) -> datetime:
    """The first moment of the period: midnight where the person is, ``days - 1`` days ago."""
    first_day = local_today(user, now) - timedelta(days=days - 1)
    return datetime.combine(first_day, time(), tzinfo=zone(user.timezone)).astimezone(UTC)


@prepared
def _cravings_statement():
    """The person's cravings per day since ``first_day``, with their hours (the daily roll-up's rows)."""
    day = journal_day.c
    return (mine_columns(ME, day, day.local_date, day.cravings, day.rated, day.intensity_sum,
                         *(day[f"hour_{hour}"] for hour in range(24)))
            .where(day.local_date >= bindparam("first_day", type_=Date)))


@prepared
def _skills_statement():
    """The person's entries since ``first_day`` by coping skill: uses, ratings, and trigger and HALT counts."""
    day = journal_skill_day.c
    counted = [day.entries, day.rated, day.helped_sum]
    counted += [day[f"trigger_{code}"] for code in TRIGGERS] + [day[f"halt_{code}"] for code in HALT]
    for code in TRIGGERS:
        counted += [day[f"trigger_{code}_rated"], day[f"trigger_{code}_helped"]]
    return (mine_columns(ME, day, day.skill, *(func.sum(column) for column in counted))
            .where(day.local_date >= bindparam("first_day", type_=Date)).group_by(day.skill))


def insights_for(grant: Grant, days: int = 30, now: datetime | None = None) -> dict:
    """``insights`` of a participant's entries, for a counselor whose grant has the journal scope."""
    return insights(grant.participant_under(Scope.JOURNAL), days, now)


def skill_names_for(grant: Grant) -> dict[str, str]:
    """``skill_names`` of a participant, for a counselor whose grant has the journal scope."""
    return skill_names(grant.participant_under(Scope.JOURNAL))


def insights(user: User, days: int = 30, now: datetime | None = None) -> dict:
    """What the person's own entries say over the last ``days`` local days.

    Read from the daily roll-up (``rollup``), not the entries: one row per day for cravings and their hours,
    and the days' rows summed by skill with the trigger and HALT counts of each, so that the cost follows the
    length of the period and not how much the person wrote.
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise Invalid.field("days", _("Choose a period of 1 to 366 days."))
    first_day = local_today(user, now) - timedelta(days=days - 1)

    by_hour = [0] * 24
    by_weekday = [0] * 7
    per_day: dict[date, tuple] = {}
    for row in read_mine(user, _cravings_statement(), first_day=first_day):
        day, count = row[0], row[1]
        per_day[day] = (count, row[2], row[3])
        by_weekday[day.weekday()] += count
        for hour in range(24):
            by_hour[hour] += row[4 + hour]

    names = skill_names(user)
    trigger_counts = [0] * len(TRIGGERS)
    halt_counts = [0] * len(HALT)
    skills, per_trigger = [], {code: [] for code in TRIGGERS}
    halt_at, pairs_at = 4 + len(TRIGGERS), 4 + len(TRIGGERS) + len(HALT)
    for row in read_mine(user, _skills_statement(), first_day=first_day):
        slug, uses, rated_count, helped_sum = row[0] or None, row[1], row[2] or 0, row[3] or 0
        for i in range(len(TRIGGERS)):
            trigger_counts[i] += row[4 + i] or 0
        for i in range(len(HALT)):
            halt_counts[i] += row[halt_at + i] or 0
        if slug is None:
            continue
        skills.append({"slug": slug, "name": names.get(slug, slug), "uses": int(uses),
                       "mean_helped": round(helped_sum / rated_count, 2) if rated_count else None})
        for i, code in enumerate(TRIGGERS):
            n, total = row[pairs_at + 2 * i] or 0, row[pairs_at + 2 * i + 1] or 0
            if n:
                per_trigger[code].append({"slug": slug, "name": names.get(slug, slug), "uses": int(n),
                                          "mean_helped": round(total / n, 2)})
    top_triggers = sorted(({"code": code, "count": int(trigger_counts[i])} for i, code in enumerate(TRIGGERS)
                           if trigger_counts[i]), key=lambda item: (-item["count"], TRIGGERS.index(item["code"])))
    halt = [{"code": code, "count": int(halt_counts[i])} for i, code in enumerate(HALT)]

    def rank(items):
        return sorted(items, key=lambda s: (-(s["mean_helped"] or 0), -s["uses"], s["slug"]))

    checkins = {c.date: c for c in db.session.scalars(
        mine(user, CheckIn).where(CheckIn.date >= first_day).order_by(CheckIn.date))}
    trend = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        count, rated_count, total = per_day.get(day, (0, 0, 0))
        checkin = checkins.get(day)
        trend.append({"date": day, "cravings": count,
                      "mean_intensity": round(total / rated_count, 1) if rated_count else None,
                      "mood": checkin.mood if checkin else None,
                      "checkin_craving": checkin.craving if checkin else None})
    return {
        "days": days,
        "since": first_day,
        "top_triggers": top_triggers,
        "halt": halt,
        "skills": rank(skills),
        "skills_by_trigger": [{"code": code, "skills": rank(items)} for code, items in per_trigger.items() if items],
        "by_hour": by_hour,
        "by_weekday": by_weekday,
        "trend": trend,
        "cravings": sum(by_hour),
    }


def today_columns(user: User, today: date) -> dict:
    """What Today shows of the journal, as scalar subqueries for ``access.about_me`` (read with the rest of Today)."""
    return {
        "checked_in": mine_columns(user, CheckIn, CheckIn.pk).where(CheckIn.date == today).exists(),
        "show_days_sober": mine_columns(user, JournalSettings, JournalSettings.show_days_sober).scalar_subquery(),
        "sober_since": mine_columns(user, SoberStreak, SoberStreak.started_on).where(SoberStreak.ended_at.is_(None))
        .order_by(SoberStreak.id.desc()).limit(1).scalar_subquery(),
    }


def summary_for(user: User, now: datetime | None = None) -> dict:
    """The check-in nudge and the days-sober counter, in one statement."""
    today = local_today(user, now)
    return today_summary(read_mine(user, _summary_statement(), today=today).one(), today)


@prepared
def _summary_statement():
    return about_me_statement(**today_columns(ME, bindparam("today", type_=Date)))


def today_summary(values, today: date) -> dict:
    """The check-in nudge and the days-sober counter (its current streak; the history is on the counter's page)."""
    status = SoberStatus(shown=values.show_days_sober is not False)  # no settings yet: shown, as settings_for says
    if values.sober_since is not None:
        status.started_on = values.sober_since
        status.days = max((today - values.sober_since).days, 0)
        count_milestones(status)
    return {"checked_in": bool(values.checked_in), "sober": status}
