"""A few weeks of weekly check-ins for the demo participants."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from companion.access import local_today
from companion.blueprints.weekly import bam
from companion.blueprints.weekly.services import monday_of
from companion.extensions import db
from companion.models import User
from companion.models.weekly import WeeklyCheckin

WEEKS = 5
# Per person: how their weeks tend to go (a lower number is an easier week), improving over the weeks.
TENDENCY = {"alex@example.org": 2, "maria@example.org": 3, "dee@example.org": 1}


def _answers(rng: random.Random, hard: int) -> dict[str, str]:
    """Plausible answers for a week, harder weeks with more risk and less support."""
    def pick(low: int, high: int, top: int) -> int:
        return max(0, min(top, rng.randint(min(low, high), max(low, high))))

    def days(low: int, high: int) -> str:
        return str(pick(low, high, 7))

    def extent(low: int, high: int) -> str:
        return bam.EXTENT[pick(low, high, 4)]

    drank = days(0, hard - 2)
    answers = {"1": bam.HEALTH[max(0, min(4, hard + rng.randint(-1, 0)))], "2": days(hard - 1, hard + 2),
               "3": days(hard - 1, hard + 1), "4": drank, "5": "0", "6": "0", "7": "none",
               "8": extent(hard - 2, hard), "9": extent(4 - hard, 4), "10": days(2, 5), "11": days(0, hard),
               "12": extent(1, 3), "13": days(3, 5), "14": "yes" if hard < 3 else "no", "15": extent(0, hard - 1),
               "16": days(3, 7), "17": extent(2, 4)}
    return answers


def seed_weekly(people: list[User], now: datetime | None = None) -> None:
    """Give each demo participant five weeks of check-ins, once."""
    now = now or datetime.now(UTC)
    for user in people:
        tendency = TENDENCY.get(user.email)
        if tendency is None or db.session.scalar(select(WeeklyCheckin.pk).where(WeeklyCheckin.user_id == user.id).limit(1)):
            continue
        rng = random.Random(f"weekly:{user.email}")
        this_week = monday_of(local_today(user, now))
        for back in range(WEEKS, 0, -1):
            hard = max(0, min(4, tendency + (back > 2) - (back == 1)))
            answers, _ = bam.check(_answers(rng, hard))
            scores = bam.scores(answers)
            db.session.add(WeeklyCheckin(id=uuid.uuid4(), user_id=user.id, week_of=this_week - timedelta(weeks=back),
                                         answers=answers, **scores))
    db.session.commit()
