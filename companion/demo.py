"""The demo program: staff and participants to try Companion with."""

from __future__ import annotations

from sqlalchemy import select

from companion.blueprints.goals.demo import seed_goals
from companion.blueprints.privacy.demo import seed_consents
from companion.blueprints.sessions.demo import seed_sessions_demo
from companion.blueprints.journal.demo import seed_journal
from companion.blueprints.medication.demo import seed_medication
from companion.blueprints.weekly.demo import seed_weekly
from companion.blueprints.support.demo import seed_support_demo
from companion.extensions import db
from companion.models import InviteCode, Program, Role, User
from companion.security import hash_password

DEMO_PROGRAM = {"slug": "demo", "name": "Riverside IOP (demo)", "timezone": "America/New_York"}
DEMO_INVITE = "RIVERSIDE-DEMO"
DEMO_PEOPLE = [
    ("admin@example.org", "Sam Admin", Role.ADMIN, "demo admin passphrase"),
    ("counselor@example.org", "Jordan Rivera", Role.COUNSELOR, "demo counselor passphrase"),
    ("alex@example.org", "Alex", Role.PARTICIPANT, "demo participant passphrase"),
    ("maria@example.org", "Maria", Role.PARTICIPANT, "demo participant passphrase"),
    ("dee@example.org", "Dee", Role.PARTICIPANT, "demo participant passphrase"),
]


def seed_demo() -> list[str]:
    """Create the demo program and its people once; running it again changes nothing."""
    program = db.session.scalar(select(Program).where(Program.slug == DEMO_PROGRAM["slug"]))
    if program is None:
        program = Program(**DEMO_PROGRAM)
        db.session.add(program)
    if db.session.scalar(select(InviteCode).where(InviteCode.code == DEMO_INVITE)) is None:
        db.session.add(InviteCode(code=DEMO_INVITE, program=program))
    people = []
    for email, name, role, password in DEMO_PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role.value, program=program,
                        timezone=program.timezone, password_hash=hash_password(password))
            db.session.add(user)
        people.append(user)
    db.session.commit()
    seed_goals(people)
    seed_consents(program, people)
    seed_journal(people)
    seed_medication(people)
    seed_weekly(people)
    seed_support_demo(program)
    seed_sessions_demo(program)
    lines = [f"Demo program: {program.name} (invite code {DEMO_INVITE})", "Demo sign-ins:"]
    lines += [f"  {role.value:<11} {email}  password: {password}" for email, _, role, password in DEMO_PEOPLE]
    return lines
