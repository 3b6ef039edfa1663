"""The demo program's meeting list, aftercare plan and a saved meeting."""

from __future__ import annotations

from importlib.resources import files

from sqlalchemy import select

from companion.blueprints.support import feeds, services
from companion.extensions import db
from companion.models import Meeting, MeetingFeed, Program, SavedMeeting, User

DEMO_SOURCE = "demo:riverside-meetings"


def seed_support_demo(program: Program) -> None:
    """Give the demo program a meeting list, and Alex an aftercare plan and a saved meeting (once)."""
    if db.session.scalar(select(MeetingFeed).where(MeetingFeed.source == DEMO_SOURCE)) is None:
        data = files("companion").joinpath("data/demo-meetings.json").read_bytes()
        services.import_meetings(feeds.Source(DEMO_SOURCE, data), program)
    alex = db.session.scalar(select(User).where(User.email == "alex@example.org"))
    counselor = db.session.scalar(select(User).where(User.email == "counselor@example.org"))
    if alex is None or counselor is None:
        return
    if services.aftercare_plan_for(alex) is None:
        services.save_aftercare_plan(alex, {
            "follow_up": "Outpatient group with Jordan, Thursdays 6 pm, starting the week after IOP ends.\n"
                         "Individual session every other Tuesday.",
            "meetings": "Young People in Recovery (in person), and Evening Steps online on busy days.",
            "sponsor_name": "Ask for a temporary sponsor at Young People in Recovery",
            "sponsor_phone": "",
            "contacts": [{"name": "Jordan (counselor, office hours)", "phone": "555-0100"},
                         {"name": "My sister", "phone": "555-0123"}],
            "steps": ["Book the first outpatient session before the last IOP day",
                      "Go to three meetings in the first week",
                      "Write my safety plan with Jordan"],
        }, counselor)
    if db.session.scalar(select(SavedMeeting).where(SavedMeeting.user_id == alex.id)) is None:
        meeting = db.session.scalar(services.visible_meetings(alex).where(Meeting.slug == "young-people-in-recovery"))
        if meeting is not None:
            services.save_meeting(alex, meeting.id, remind=True)
