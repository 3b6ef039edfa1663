"""The counselor's caseload under consent, and the program admin's pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from companion.extensions import db
from companion.models import Consent, DisclosureEntry, Encouragement, Goal, GoalSuggestion, InviteCode, StepEvent, User
from tests.conftest import Auth, csrf_from


@pytest.fixture
def counselor(app, clinic):
    client = app.test_client()
    Auth(client).login("jordan@example.org")
    return client


def test_counselor_starts_on_the_caseload(counselor):
    response = counselor.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/caseload"


def test_caseload_shows_only_shared_goals_of_consenting_participants(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    make_goal(clinic.alex, title="Shared sleep goal", shared=True, done=1)
    make_goal(clinic.alex, title="Private money goal", shared=False)
    make_goal(clinic.maria, title="Maria without consent", shared=True)
    page = counselor.get("/caseload").get_data(as_text=True)
    assert "Alex" in page and "Shared sleep goal: 50%" in page
    assert "Private money goal" not in page and "Maria" not in page
    assert "not monitored in real time" in page and "42 CFR part 2" in page


def test_a_consent_without_the_goals_scope_shows_no_goals(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor, scopes=("checkins",))
    make_goal(clinic.alex, title="Shared but not in scope", shared=True)
    page = counselor.get("/caseload").get_data(as_text=True)
    assert "Alex" in page and "Shared but not in scope" not in page


def test_revoking_hides_everything_on_the_next_request(counselor, clinic, make_goal, make_consent):
    consent = make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, title="Shared sleep goal", shared=True)
    assert "Shared sleep goal" in counselor.get("/caseload").get_data(as_text=True)
    consent.revoked_at = datetime.now(UTC)
    db.session.commit()
    assert "Alex" not in counselor.get("/caseload").get_data(as_text=True)
    assert counselor.get(f"/caseload/{clinic.alex.id}").status_code == 404
    assert counselor.get(f"/api/v1/participants/{clinic.alex.id}/goals").status_code == 404
    assert goal.id


def test_an_expired_consent_stops_working_by_itself(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor, expires_on=date.today() - timedelta(days=2))
    make_goal(clinic.alex, shared=True)
    assert "Alex" not in counselor.get("/caseload").get_data(as_text=True)


def test_unsharing_a_goal_hides_it_at_once(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, title="Shared sleep goal", shared=True)
    goal.shared = False
    db.session.commit()
    assert "Shared sleep goal" not in counselor.get("/caseload").get_data(as_text=True)


def test_a_counselor_of_another_program_sees_nothing_even_with_a_consent_row(app, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.stranger)
    make_goal(clinic.alex, title="Shared sleep goal", shared=True)
    client = app.test_client()
    Auth(client).login("kim@example.org")
    assert "Alex" not in client.get("/caseload").get_data(as_text=True)
    assert client.get(f"/caseload/{clinic.alex.id}").status_code == 404


def test_a_switched_off_counselor_is_signed_out_at_once(counselor, clinic, app):
    admin = app.test_client()
    Auth(admin).login("sam@example.org")
    token = csrf_from(admin.get("/admin").get_data(as_text=True))
    assert admin.post(f"/admin/staff/{clinic.counselor.id}/switch-off", data={"csrf_token": token}).status_code == 303
    assert counselor.get("/caseload").status_code == 302
    assert Auth(app.test_client()).login("jordan@example.org").status_code == 401


def test_every_look_is_recorded_for_the_participant(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor, purpose="Weekly review")
    make_consent(clinic.maria, clinic.counselor)
    make_goal(clinic.alex, shared=True)
    counselor.get("/caseload")
    counselor.get(f"/caseload/{clinic.alex.id}")
    counselor.get("/caseload.csv")
    counselor.get("/api/v1/caseload")
    counselor.get(f"/api/v1/participants/{clinic.alex.id}/goals")
    alex_rows = db.session.scalars(db.select(DisclosureEntry).where(DisclosureEntry.subject_ref == clinic.alex.ledger_ref)
                                   .order_by(DisclosureEntry.seq)).all()
    assert [(r.action, r.actor_name) for r in alex_rows] == [("view", "Jordan"), ("view", "Jordan"), ("export", "Jordan"),
                                                              ("view", "Jordan"), ("view", "Jordan")]
    assert alex_rows[0].purpose == "Weekly review"
    assert db.session.scalar(db.select(db.func.count(DisclosureEntry.id))) == 8


def test_caseload_api_has_the_contract_shape(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, title="Shared", shared=True, done=1)
    rows = counselor.get("/api/v1/caseload").get_json()
    # Each record also carries the redisclosure notice (issue 18; test_security pins its text and header).
    assert all(row.pop("redisclosure_notice").startswith("This record which has been disclosed") for row in rows)
    assert rows == [{"participant_id": clinic.alex.id, "name": "Alex",
                     "goals": [{"id": goal.id, "title": "Shared", "progress": 50}],
                     "steps_done_7d": 1, "last_checkin": None, "sessions_attended": None, "flags": ["no_activity_3d"]}]


def test_steps_done_this_week_and_the_quiet_flag(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, shared=True, steps=["a", "b", "c"])
    now = datetime.now(UTC)
    goal.steps[0].done, goal.steps[0].done_at = True, now - timedelta(days=1)
    goal.steps[1].done, goal.steps[1].done_at = True, now - timedelta(days=10)
    db.session.add_all([StepEvent(user_id=clinic.alex.id, step_id=goal.steps[0].id, done=True, at=now - timedelta(days=1))])
    db.session.commit()
    row = counselor.get("/api/v1/caseload").get_json()[0]
    assert row["steps_done_7d"] == 1 and row["flags"] == []


def test_caseload_query_count_is_the_same_for_5_and_200_participants(counselor, clinic, make_user, make_goal, make_consent, count_queries):
    def add(n):
        for i in range(n):
            person = make_user(email=f"p{add.count}@example.org", name=f"P{add.count}", program=clinic.program)
            add.count += 1
            make_consent(person, clinic.counselor)
            make_goal(person, shared=True, steps=["a", "b"], done=1)
    add.count = 0
    add(5)
    with count_queries() as five:
        assert counselor.get("/caseload").status_code == 200
    add(195)
    with count_queries() as two_hundred:
        assert counselor.get("/caseload").status_code == 200
    assert two_hundred.count == five.count


def test_caseload_query_count_does_not_grow_with_journal_entries(counselor, clinic, make_consent, count_queries):
    import uuid

    from companion.blueprints.journal import services as journal

    make_consent(clinic.alex, clinic.counselor, scopes=("goals", "checkins", "journal", "attendance"))
    journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=3)
    with count_queries() as one:
        assert counselor.get("/caseload").status_code == 200
    for _ in range(100):
        journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=3)
    with count_queries() as hundred:
        assert counselor.get("/caseload").status_code == 200
    assert hundred.count == one.count


def test_journal_activity_is_when_an_entry_was_written_and_strong_cravings_count_48_hours(counselor, clinic, make_consent):
    import uuid

    from companion.blueprints.journal import services as journal

    now = datetime.now(UTC)
    make_consent(clinic.alex, clinic.counselor, scopes=("journal",))
    make_consent(clinic.maria, clinic.counselor, scopes=("journal",))
    # Written today about a craving five days ago: activity now, but not a craving of the last 48 hours.
    journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=9,
                      occurred_at=now - timedelta(days=5), now=now)
    # Written five days ago: no activity since, and the strong craving is too old to flag.
    old, _ = journal.log_entry(clinic.maria, entry_id=uuid.uuid4(), kind="craving", intensity=9,
                               occurred_at=now - timedelta(days=5), now=now - timedelta(days=5))
    old.created_at = now - timedelta(days=5)
    db.session.commit()
    def flags():
        return {row["name"]: row["flags"] for row in counselor.get("/api/v1/caseload").get_json()}

    assert flags() == {"Alex": [], "Maria": ["no_activity_3d"]}
    journal.log_entry(clinic.maria, entry_id=uuid.uuid4(), kind="trigger", intensity=9, now=now)
    journal.log_entry(clinic.maria, entry_id=uuid.uuid4(), kind="craving", intensity=7, now=now)
    assert flags()["Maria"] == []
    journal.log_entry(clinic.maria, entry_id=uuid.uuid4(), kind="craving", intensity=8, now=now)
    assert flags()["Maria"] == ["craving_8_48h"]


def test_caseload_csv_carries_the_redisclosure_notice(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    make_goal(clinic.alex, title="=HYPERLINK(\"x\")", shared=True)
    response = counselor.get("/caseload.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith('"NOTICE: This record which has been disclosed')
    assert "'=HYPERLINK" in text  # never run as a formula


def test_suggest_a_goal_and_the_participant_accepts_it(counselor, app, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    page = counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    response = counselor.post(f"/caseload/{clinic.alex.id}/suggest", data={
        "csrf_token": csrf_from(page), "title": "Try one SMART meeting", "why": "", "steps": "Find one\nGo"})
    assert response.status_code == 303
    participant = app.test_client()
    Auth(participant).login("alex@example.org")
    goals_page = participant.get("/goals").get_data(as_text=True)
    assert "Suggested by Jordan: Try one SMART meeting" in goals_page
    suggestion = db.session.scalar(db.select(GoalSuggestion))
    response = participant.post(f"/suggestions/{suggestion.id}", data={"csrf_token": csrf_from(goals_page), "answer": "accept"})
    assert response.status_code == 303
    goal = db.session.scalar(db.select(Goal).where(Goal.user_id == clinic.alex.id))
    assert goal.title == "Try one SMART meeting" and [s.title for s in goal.steps] == ["Find one", "Go"]
    assert not goal.shared  # the participant decides about sharing


def test_suggesting_a_goal_with_bad_input_keeps_it(counselor, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    page = counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    response = counselor.post(f"/caseload/{clinic.alex.id}/suggest", data={"csrf_token": csrf_from(page), "title": "", "why": "Kept text"})
    assert response.status_code == 422 and "Kept text" in response.get_data(as_text=True)


def test_a_participant_cannot_answer_another_persons_suggestion(app, clinic):
    suggestion = GoalSuggestion(user_id=clinic.maria.id, counselor_id=clinic.counselor.id, title="For Maria")
    db.session.add(suggestion)
    db.session.commit()
    client = app.test_client()
    Auth(client).login("alex@example.org")
    token = csrf_from(client.get("/goals/new/write").get_data(as_text=True))
    assert client.post(f"/suggestions/{suggestion.id}", data={"csrf_token": token, "answer": "accept"}).status_code == 404


def test_encouragement_on_a_shared_goal_reaches_the_participant(counselor, app, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, shared=True)
    private = make_goal(clinic.alex, title="Private", shared=False)
    page = counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    token = csrf_from(page)
    assert counselor.post(f"/caseload/goals/{goal.id}/encourage", data={"csrf_token": token, "body": "Proud of you"}).status_code == 303
    assert counselor.post(f"/caseload/goals/{private.id}/encourage", data={"csrf_token": token, "body": "Hi"}).status_code == 404
    assert counselor.post(f"/caseload/goals/{goal.id}/encourage", data={"csrf_token": token, "body": ""}).status_code == 422
    participant = app.test_client()
    Auth(participant).login("alex@example.org")
    assert "Proud of you" in participant.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Encouragement.id))) == 1


@pytest.mark.parametrize("email", ["alex@example.org", "sam@example.org"])
def test_participants_and_admins_have_no_caseload(app, clinic, email):
    client = app.test_client()
    Auth(client).login(email)
    assert client.get("/caseload").status_code == 404
    assert client.get("/api/v1/caseload").status_code == 404
    assert client.get(f"/api/v1/participants/{clinic.alex.id}/goals").status_code == 404


def test_staff_see_the_programs_participants_by_name_only(app, clinic):
    client = app.test_client()
    Auth(client).api_login("sam@example.org")
    assert client.get("/api/v1/participants").get_json() == [{"id": clinic.alex.id, "name": "Alex"},
                                                             {"id": clinic.maria.id, "name": "Maria"}]
    participant = app.test_client()
    Auth(participant).api_login("alex@example.org")
    assert participant.get("/api/v1/participants").status_code == 404


def test_admin_invites_a_counselor_who_registers_with_the_code(app, clinic):
    admin = app.test_client()
    Auth(admin).login("sam@example.org")
    page = admin.get("/admin").get_data(as_text=True)
    assert "Jordan" in page and "Alex" not in page  # no participants, nothing clinical
    admin.post("/admin/invites", data={"csrf_token": csrf_from(page), "role": "counselor"})
    invite = db.session.scalar(db.select(InviteCode).where(InviteCode.role == "counselor"))
    newcomer = app.test_client()
    token = csrf_from(newcomer.get("/register").get_data(as_text=True))
    response = newcomer.post("/register", data={"csrf_token": token, "email": "new.counselor@example.org",
                                                "password": "a fine long counselor phrase", "name": "Riley",
                                                "timezone": "America/New_York", "invite_code": invite.code})
    assert response.status_code == 303
    user = db.session.scalar(db.select(User).where(User.email == "new.counselor@example.org"))
    assert user.role == "counselor" and user.program_id == clinic.program.id
    # single use
    again = app.test_client()
    token = csrf_from(again.get("/register").get_data(as_text=True))
    response = again.post("/register", data={"csrf_token": token, "email": "third@example.org", "password": "a fine long counselor phrase",
                                             "name": "X", "timezone": "America/New_York", "invite_code": invite.code})
    assert response.status_code == 422


def test_admin_revokes_a_participant_code(app, clinic):
    admin = app.test_client()
    Auth(admin).login("sam@example.org")
    token = csrf_from(admin.get("/admin").get_data(as_text=True))
    admin.post("/admin/invites", data={"csrf_token": token, "role": "participant"})
    invite = db.session.scalar(db.select(InviteCode))
    assert admin.post(f"/admin/invites/{invite.id}/revoke", data={"csrf_token": token}).status_code == 303
    from companion.blueprints.auth.services import invite_for

    db.session.expire_all()
    assert invite_for(invite.code) is None


def test_admin_of_another_program_cannot_touch_this_programs_staff(app, clinic, make_user):
    make_user(email="other.admin@example.org", role="admin", program=clinic.stranger.program)
    client = app.test_client()
    Auth(client).login("other.admin@example.org")
    token = csrf_from(client.get("/admin").get_data(as_text=True))
    assert client.post(f"/admin/staff/{clinic.counselor.id}/switch-off", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, clinic.counselor.id).active


def test_participants_cannot_open_admin_pages(app, clinic):
    client = app.test_client()
    Auth(client).login("alex@example.org")
    assert client.get("/admin").status_code == 404
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    assert client.post(f"/admin/staff/{clinic.counselor.id}/switch-off", data={"csrf_token": token}).status_code == 404


def test_consent_still_counts_after_a_participant_consent_model_check(clinic, make_consent):
    consent = make_consent(clinic.alex, clinic.counselor)
    assert consent.is_active(date.today()) and not Consent(revoked_at=datetime.now(UTC), expires_on=date.today()).is_active(date.today())


def test_checkins_and_journal_are_shown_only_under_their_scopes(counselor, clinic, make_consent):
    import uuid

    from companion.blueprints.journal import services as journal

    journal.log_entry(clinic.alex, entry_id=uuid.uuid4(), kind="craving", intensity=9, triggers=["stress"])
    journal.save_checkin(clinic.alex, checkin_id=uuid.uuid4(), mood=2, craving=7, used=False)
    journal.log_entry(clinic.maria, entry_id=uuid.uuid4(), kind="craving", intensity=9)
    make_consent(clinic.alex, clinic.counselor, scopes=("checkins", "journal"))
    make_consent(clinic.maria, clinic.counselor, scopes=("goals",))
    rows = {row["name"]: row for row in counselor.get("/api/v1/caseload").get_json()}
    assert rows["Alex"]["last_checkin"] == journal.local_today(clinic.alex).isoformat()
    assert rows["Alex"]["flags"] == ["craving_8_48h"]
    assert rows["Maria"]["last_checkin"] is None and "craving_8_48h" not in rows["Maria"]["flags"]
    alex_page = counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    assert "Recent check-ins" in alex_page and "Journal, last 30 days" in alex_page and "stress" in alex_page
    maria_page = counselor.get(f"/caseload/{clinic.maria.id}").get_data(as_text=True)
    assert "Recent check-ins" not in maria_page and "Journal, last 30 days" not in maria_page


def test_attendance_shows_only_under_its_scope_and_a_missed_session_is_flagged(counselor, clinic, make_consent):
    from companion.models import Attendance, Group

    from datetime import time

    group = Group(program_id=clinic.program.id, name="Evening group", rrule="FREQ=WEEKLY;BYDAY=MO",
                  start_date=date(2026, 1, 5), start_time=time(18, 0), timezone="America/New_York", duration_minutes=90)
    db.session.add(group)
    db.session.flush()
    now = datetime.now(UTC)
    for person, present in [(clinic.alex, True), (clinic.alex, False), (clinic.maria, False)]:
        db.session.add(Attendance(user_id=person.id, group_id=group.id, present=present,
                                  occurrence_start=now - timedelta(days=2 if present else 1, minutes=person.id)))
    db.session.commit()
    make_consent(clinic.alex, clinic.counselor, scopes=("attendance",))
    make_consent(clinic.maria, clinic.counselor, scopes=("goals",))
    rows = {row["name"]: row for row in counselor.get("/api/v1/caseload").get_json()}
    assert rows["Alex"]["sessions_attended"] == 1 and "missed_session" in rows["Alex"]["flags"]
    assert rows["Maria"]["sessions_attended"] is None and "missed_session" not in rows["Maria"]["flags"]


def test_a_new_note_is_on_today_in_the_inbox_and_at_the_top_of_the_goal(counselor, app, clinic, make_goal, make_consent):
    from companion.blueprints.reminders.dispatch import dispatch
    from companion.models import Notification

    make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, title="Sleep by eleven", shared=True)
    token = csrf_from(counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True))
    assert counselor.post(f"/caseload/goals/{goal.id}/encourage",
                          data={"csrf_token": token, "body": "Proud of you"}).status_code == 303
    participant = app.test_client()
    Auth(participant).login("alex@example.org")
    today = participant.get("/").get_data(as_text=True)
    assert "Jordan left you a note" in today and "Sleep by eleven" in today and f"/goals/{goal.id}#notes-heading" in today
    assert "Proud of you" not in today  # the note itself is read on its goal's page
    # The inbox has it a minute later (and push or e-mail only through the person's own channels, discreet).
    dispatch(now=datetime.now(UTC) + timedelta(minutes=2))
    inbox = db.session.scalars(db.select(Notification).where(Notification.user_id == clinic.alex.id)).all()
    assert [(n.title, n.url) for n in inbox] == [("Jordan left you a note", f"/goals/{goal.id}#notes-heading")]
    page = participant.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert page.index("Proud of you") < page.index("Steps</h2>")  # at the top of the goal
    assert "new-badge" in page
    assert "left you a note" not in participant.get("/").get_data(as_text=True)  # read: no longer news
    assert "new-badge" not in participant.get(f"/goals/{goal.id}").get_data(as_text=True)


def test_a_note_read_before_its_minute_is_not_announced(counselor, app, clinic, make_goal, make_consent):
    from companion.blueprints.reminders.dispatch import dispatch
    from companion.models import Notification

    make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, shared=True)
    token = csrf_from(counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True))
    counselor.post(f"/caseload/goals/{goal.id}/encourage", data={"csrf_token": token, "body": "Keep going"})
    participant = app.test_client()
    Auth(participant).login("alex@example.org")
    participant.get(f"/goals/{goal.id}")
    dispatch(now=datetime.now(UTC) + timedelta(minutes=2))
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0


def test_another_persons_new_notes_are_not_on_my_today(counselor, app, clinic, make_goal, make_consent):
    make_consent(clinic.maria, clinic.counselor)
    goal = make_goal(clinic.maria, title="Maria's goal", shared=True)
    token = csrf_from(counselor.get(f"/caseload/{clinic.maria.id}").get_data(as_text=True))
    counselor.post(f"/caseload/goals/{goal.id}/encourage", data={"csrf_token": token, "body": "For Maria"})
    participant = app.test_client()
    Auth(participant).login("alex@example.org")
    assert "left you a note" not in participant.get("/").get_data(as_text=True)
    assert participant.get(f"/goals/{goal.id}").status_code == 404


def test_done_steps_are_marked_on_the_counselors_participant_page(counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    make_goal(clinic.alex, title="Sleep", shared=True, steps=["Phone away", "Dark room"], done=1)
    page = counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    assert '<li class="is-done"><span class="step-mark" aria-hidden="true">✓</span> Phone away · done' in page
    assert '<span class="step-mark" aria-hidden="true">○</span> Dark room</li>' in page


def test_a_refused_encouragement_note_comes_back_on_the_participant_page_with_its_error_and_text(
        counselor, clinic, make_goal, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    goal = make_goal(clinic.alex, shared=True)
    token = csrf_from(counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True))
    typed = "You showed up every day. " * 50  # over the 1,000 characters a note may have
    answer = counselor.post(f"/caseload/goals/{goal.id}/encourage", data={"csrf_token": token, "body": typed})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'id="body-{goal.id}-error"' in page and f'aria-describedby="body-{goal.id}-error"' in page
    assert typed.strip() in page and clinic.alex.name in page
    empty = counselor.post(f"/caseload/goals/{goal.id}/encourage", data={"csrf_token": token, "body": "   "})
    assert empty.status_code == 422 and f'id="body-{goal.id}-error"' in empty.get_data(as_text=True)
