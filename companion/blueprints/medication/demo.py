"""Four weeks of medication for the demo participants: buprenorphine, a monthly naltrexone injection, clinic methadone."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from companion.blueprints.medication.schedule import occurrences
from companion.blueprints.medication.services import missed_dose_id
from companion.extensions import db
from companion.models import User
from companion.models.medication import Dose, Medication

DAYS = 28
PLANS = {
    "alex@example.org": {"name": "Buprenorphine/naloxone (Suboxone, Zubsolv)", "dose": "8 mg film", "times": ["08:00"],
                         "weekdays": None, "every_days": None, "clinic_dosed": False, "taken": 0.9},
    "maria@example.org": {"name": "Naltrexone injection (Vivitrol)", "dose": "380 mg", "times": ["10:00"],
                          "weekdays": None, "every_days": 28, "clinic_dosed": False, "taken": 1.0},
    "dee@example.org": {"name": "Methadone", "dose": "60 mg", "times": ["07:00"], "weekdays": [0, 1, 2, 3, 4, 5],
                        "every_days": None, "clinic_dosed": True, "taken": 0.85},
}
REASONS = ["Ran late for the clinic.", "Felt sick that morning.", ""]


def seed_medication(people: list[User], now: datetime | None = None) -> None:
    """Give each demo participant a MAT medication with four weeks of doses, once."""
    now = now or datetime.now(UTC)
    for user in people:
        plan = PLANS.get(user.email)
        if plan is None or db.session.scalar(select(Medication.id).where(Medication.user_id == user.id).limit(1)):
            continue
        rng = random.Random(f"medication:{user.email}")
        start = now - timedelta(days=DAYS)
        medication = Medication(user_id=user.id, name=plan["name"], dose=plan["dose"], times=plan["times"],
                                weekdays=plan["weekdays"], every_days=plan["every_days"],
                                start_date=(start - timedelta(days=1)).date() if not plan["every_days"] else start.date(),
                                clinic_dosed=plan["clinic_dosed"], reminders=True, missed_after_minutes=180,
                                created_at=start - timedelta(days=1))
        db.session.add(medication)
        db.session.flush()
        for moment in occurrences(medication, user.timezone, start, now - timedelta(hours=3)):
            roll = rng.random()
            if roll < plan["taken"]:
                status, reason = "taken", ""
            elif roll < plan["taken"] + (1 - plan["taken"]) / 2:
                status, reason = "skipped", rng.choice(REASONS)
            else:
                status, reason = "missed", ""
            db.session.add(Dose(id=missed_dose_id(medication.id, moment) if status == "missed" else uuid.uuid4(),
                                user_id=user.id, medication_id=medication.id, scheduled_for=moment, status=status,
                                reason=reason, recorded_at=moment + timedelta(minutes=rng.randint(0, 90))))
    db.session.commit()
