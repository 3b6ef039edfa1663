"""The demo program's evening group and an individual appointment."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from companion.blueprints.sessions import services
from companion.extensions import db
from companion.models import Appointment, Group, Program, Role, User


def seed_sessions_demo(program: Program) -> None:
    """A Monday/Wednesday/Thursday evening group with every demo participant, and one appointment (once)."""
    if db.session.scalar(select(Group).where(Group.program_id == program.id, Group.name == "Evening group")):
        return
    counselor = db.session.scalar(select(User).where(User.program_id == program.id, User.role == Role.COUNSELOR))
    today = datetime.now(UTC).date()
    group = services.create_group(program, counselor, name="Evening group", rule_text="FREQ=WEEKLY;BYDAY=MO,WE,TH",
                                  start_date=today - timedelta(days=today.weekday() + 21), start_time=time(18, 0),
                                  timezone=program.timezone, duration_minutes=180,
                                  location="Riverside clinic, room 2")
    participants = list(db.session.scalars(select(User).where(User.program_id == program.id,
                                                              User.role == Role.PARTICIPANT)))
    for participant in participants:
        services.enrol(group, participant)
    alex = next((p for p in participants if p.email == "alex@example.org"), None)
    if alex is not None and counselor is not None and not db.session.scalar(
            select(Appointment).where(Appointment.user_id == alex.id)):
        starts = services.to_utc(datetime.combine(today + timedelta(days=2), time(10, 0)), program.timezone)
        services.create_appointment(counselor, alex, starts_at=starts, duration_minutes=50, title="Individual session")
