"""A few weeks of realistic journal history for the demo participants."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from companion.blueprints.journal import rollup, services
from companion.extensions import db
from companion.models import CheckIn, LogEntry, SoberStreak, User
from companion.timezones import zone

DAYS = 28
# Per person: their usual triggers, the skills they lean on (with how well each tends to help), and a slip.
PROFILES = {
    "alex@example.org": {"triggers": ["stress", "people", "places"], "skills": {"urge-surfing": 4, "call-my-sponsor": 5,
                         "delay-and-distract": 3}, "sober_days": 41, "slip_days_ago": None},
    "maria@example.org": {"triggers": ["emotions", "boredom", "conflict"], "skills": {"paced-breathing": 4,
                          "5-4-3-2-1": 3, "go-to-a-meeting": 5}, "sober_days": 33, "slip_days_ago": 12},
    "dee@example.org": {"triggers": ["substance_cue", "celebration", "physical_pain"], "skills": {"tipp": 4,
                        "play-the-tape-through": 5, "halt-check": 3}, "sober_days": 19, "slip_days_ago": None},
}
EMOTIONS = ["anxious", "lonely", "bored", "stressed", "restless", "sad", "tired"]
NOTES = ["Rough afternoon at work.", "Drove past my old spot.", "Called before it got bad.", "", "", "",
         "Argument on the phone.", "Payday, felt the pull.", "Went for a walk instead."]


def seed_journal(people: list[User], now: datetime | None = None) -> None:
    """Give each demo participant four weeks of entries, check-ins and a days-sober history, once."""
    now = now or datetime.now(UTC)
    for user in people:
        profile = PROFILES.get(user.email)
        if profile is None or db.session.scalar(select(LogEntry.pk).where(LogEntry.user_id == user.id).limit(1)):
            continue
        rng = random.Random(user.email)
        tz = zone(user.timezone)
        today = now.astimezone(tz).date()
        for back in range(DAYS, -1, -1):
            day = today - timedelta(days=back)
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                at = datetime.combine(day, time(rng.choice([8, 12, 15, 17, 18, 19, 20, 21, 22]), rng.randrange(60)), tz)
                if at > now:
                    continue
                skill = rng.choice([*profile["skills"], None])
                helped = None if skill is None else max(1, min(5, profile["skills"][skill] + rng.choice([-1, 0, 0, 1])))
                fields = services._entry_fields(
                    user, kind="craving", occurred_at=at, intensity=rng.randint(2, 9),
                    triggers=rng.sample(profile["triggers"], rng.choice([1, 1, 2])),
                    halt=rng.sample(["hungry", "angry", "lonely", "tired"], rng.choice([0, 0, 1])),
                    emotion=rng.choice(EMOTIONS), skill=skill, helped=helped,
                    outcome=rng.choice(["passed", "passed", "passed", "ongoing"]), note=rng.choice(NOTES),
                    now=now, check_age=False)
                db.session.add(LogEntry(id=uuid.uuid4(), user_id=user.id, **fields))
            if back > 0 and rng.random() < 0.85:
                db.session.add(CheckIn(id=uuid.uuid4(), user_id=user.id, date=day, mood=rng.randint(2, 5),
                                       craving=rng.randint(0, 7), used=False, sleep_hours=rng.choice([5, 6, 6.5, 7, 8]),
                                       note=""))
        start = today - timedelta(days=profile["sober_days"])
        if profile["slip_days_ago"]:
            slip_day = today - timedelta(days=profile["slip_days_ago"])
            slip_at = datetime.combine(slip_day, time(21, 30), tz)
            db.session.add(SoberStreak(user_id=user.id, started_on=start, ended_at=slip_at.astimezone(UTC),
                                       ended_on=slip_day))
            start = slip_day
        db.session.add(SoberStreak(user_id=user.id, started_on=start))
        rollup.rebuild(user.id)
    db.session.commit()
