"""Weekly check-in logic: saving a week's BAM (scored here, never by the client), the history, and the reminder day."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from companion.access import Grant, local_today, mine
from companion.blueprints.weekly import bam
from companion.blueprints.reminders.planner import replan
from companion.errors import Conflict, Invalid
from companion.extensions import db
from companion.i18n import when
from companion.models import Scope, User, utcnow
from companion.models.weekly import WeeklyCheckin, WeeklySettings

HISTORY_WEEKS = 52
# A week's check-in may be made until four weeks after it (a missed week caught up at the next group).
LATE_WEEKS = 4


def monday_of(day: date) -> date:
    """The Monday of the week of ``day``."""
    return day - timedelta(days=day.weekday())


def _digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def save_checkin(user: User, *, checkin_id: uuid.UUID, answers, week_of: date | None = None,
                 now: datetime | None = None) -> tuple[WeeklyCheckin, bool]:
    """Save the check-in of a local week (this week by default); a later one for the same week replaces it.

    The same client id and body again returns it unchanged; the same id with another body is a ``Conflict``.
    Returns the check-in and whether it was written.
    """
    this_week = monday_of(local_today(user, now))
    errors: dict[str, list[str]] = {}
    if not isinstance(checkin_id, uuid.UUID):
        errors["id"] = [_("A client id must be a UUID.")]
    week_given = week_of is not None
    week = week_of or this_week
    if not isinstance(week, date) or isinstance(week, datetime):
        errors["week_of"] = [_("Give the Monday of the week as YYYY-MM-DD.")]
    elif week.weekday() != 0:
        errors["week_of"] = [_("Give the Monday of the week (%(monday)s for that week).", monday=monday_of(week).isoformat())]
    elif week > this_week:
        errors["week_of"] = [_("That week hasn't started yet.")]
    elif week < this_week - timedelta(weeks=LATE_WEEKS):
        errors["week_of"] = [_("A week can be checked in up to four weeks later.")]
    clean, answer_errors = bam.check(answers)
    errors.update(answer_errors)
    if errors:
        raise Invalid(_("Please check the answers marked below."), errors)
    computed = bam.scores(clean)
    digest = _digest({"answers": clean, "week_of": week if week_given else None})
    same_id = db.session.scalar(mine(user, WeeklyCheckin).where(WeeklyCheckin.id == checkin_id))
    if same_id is not None:
        if same_id.body_digest != digest or (week_given and same_id.week_of != week):
            raise Conflict(_("A weekly check-in with this id already exists with other answers."))
        return same_id, False
    checkin = db.session.scalar(mine(user, WeeklyCheckin).where(WeeklyCheckin.week_of == week))
    if checkin is None:
        checkin = WeeklyCheckin(user_id=user.id, week_of=week)
        db.session.add(checkin)
    checkin.id, checkin.answers, checkin.body_digest = checkin_id, clean, digest
    checkin.use, checkin.risk, checkin.protective = computed["use"], computed["risk"], computed["protective"]
    try:
        db.session.commit()
    except IntegrityError:  # another check-in for this week arrived at the same moment: replace it
        db.session.rollback()
        return save_checkin(user, checkin_id=checkin_id, answers=answers, week_of=week_of, now=now)
    return checkin, True


def checkins_of(user_ids: list[int], *, limit_weeks: int = HISTORY_WEEKS, today: date | None = None) -> list[WeeklyCheckin]:
    """The check-ins of these people, newest week first, within the last ``limit_weeks`` weeks."""
    if not user_ids:
        return []
    query = select(WeeklyCheckin).where(WeeklyCheckin.user_id.in_(user_ids))
    if today is not None:
        query = query.where(WeeklyCheckin.week_of >= monday_of(today) - timedelta(weeks=limit_weeks))
    return list(db.session.scalars(query.order_by(WeeklyCheckin.user_id, WeeklyCheckin.week_of.desc())))


def history(user: User) -> list[WeeklyCheckin]:
    """The person's check-ins of the last year, newest first."""
    return checkins_of([user.id], today=local_today(user))


def history_for(grant: Grant) -> list[WeeklyCheckin]:
    """``history`` of a participant, for a counselor whose grant has the weekly scope."""
    return history(grant.participant_under(Scope.WEEKLY))


def this_weeks(user: User) -> WeeklyCheckin | None:
    return db.session.scalar(mine(user, WeeklyCheckin).where(WeeklyCheckin.week_of == monday_of(local_today(user))))


def latest_scores(user_ids: list[int], since: date) -> dict[int, WeeklyCheckin]:
    """Each person's newest check-in since ``since``, in one statement for any number of people."""
    if not user_ids:
        return {}
    newest = (select(WeeklyCheckin.user_id, func.max(WeeklyCheckin.week_of).label("week"))
              .where(WeeklyCheckin.user_id.in_(user_ids), WeeklyCheckin.week_of >= since)
              .group_by(WeeklyCheckin.user_id).subquery())
    rows = db.session.scalars(select(WeeklyCheckin).join(newest, (newest.c.user_id == WeeklyCheckin.user_id)
                                                         & (newest.c.week == WeeklyCheckin.week_of)))
    return {row.user_id: row for row in rows}


def settings_for(user: User) -> WeeklySettings:
    return db.session.get(WeeklySettings, user.id) or WeeklySettings(user_id=user.id, weekday=None, remind_at=None)


def set_reminder(user: User, weekday: int | None, remind_at: time | None) -> WeeklySettings:
    """Remind me on this day of the week at this time (None for no reminder)."""
    if weekday is not None and (isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6):
        raise Invalid.field("weekday", _("Choose a day of the week."))
    if weekday is not None and remind_at is None:
        raise Invalid.field("remind_at", _("Choose the time of the reminder."))
    settings = db.session.get(WeeklySettings, user.id)
    if settings is None:
        settings = WeeklySettings(user_id=user.id)
        db.session.add(settings)
    settings.weekday, settings.remind_at = weekday, remind_at if weekday is not None else None
    db.session.commit()
    replan([user.id])
    return settings


def risk_above_protective(checkin: WeeklyCheckin | None) -> bool:
    return checkin is not None and checkin.risk > checkin.protective


def chart(checkins: list[WeeklyCheckin]):
    """The Risk and Protective scores of past weeks as a server-side SVG line chart (oldest week first)."""
    from companion.blueprints.journal.charts import panel_chart

    weeks = sorted(checkins, key=lambda c: c.week_of)[-26:]
    if not weeks:
        return None
    risk = [c.risk for c in weeks]
    protective = [c.protective for c in weeks]
    desc = _("%(n)d weeks. Latest: risk %(risk)d of 24, protective %(protective)d of 24, use %(use)d of 12.",
             n=len(weeks), risk=weeks[-1].risk, protective=weeks[-1].protective, use=weeks[-1].use)
    # Each score in its own panel on the same 0–24 scale (journal.charts drew one line chart before; the journal's
    # insights replaced it by these panels, which say each axis).
    return panel_chart("weekly-scores", _("Protective and risk scores by week"), desc,
                       [(_("Protective (0–24)"), protective, 0, 24, 6), (_("Risk (0–24)"), risk, 0, 24, 6)],
                       when(weeks[0].week_of, "%-d %b"), when(weeks[-1].week_of, "%-d %b"))
