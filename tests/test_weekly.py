"""The weekly check-in (the Brief Addiction Monitor over 7 days): scoring, one per week, the API, consent, export."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from companion.blueprints.weekly import bam, services
from companion.extensions import db
from companion.models import DisclosureEntry, Reminder, WeeklyCheckin
from tests.conftest import Auth, PASSWORD, csrf_from

# A hard week: fair health, 5 bad nights, 3 low days, drank 2 days (1 heavy), no drugs, cravings considerable,
# slightly confident, 1 meeting, risky places on 4 days, spirituality moderately, work on 5 days, no income,
# arguments bothered moderately, 2 days with supportive people, slightly satisfied.
HARD_WEEK = {"1": "fair", "2": "5", "3": "3", "4": "2", "5": "1", "6": "0", "7": "none", "8": "considerably",
             "9": "slightly", "10": "1", "11": "4", "12": "moderately", "13": "5", "14": "no", "15": "moderately",
             "16": "2", "17": "slightly"}
# Use = 2 + 1 + 0 = 3. Risk = fair 3 + 5 nights 4 + 3 days 3 + considerably 3 + 4 days 4 + moderately 2 = 19.
# Protective = slightly 1 + 1 day 1 + moderately 2 + 5 days 4 + no 0 + 2 days 2 = 10.
GOOD_WEEK = {"1": "very_good", "2": "1", "3": "0", "4": "0", "6": "0", "8": "slightly", "9": "extremely",
             "10": "4", "11": "0", "12": "considerably", "13": "5", "14": "yes", "15": "not_at_all", "16": "7",
             "17": "considerably"}
# Use 0; Risk = 1 + 1 + 0 + 1 + 0 + 0 = 3; Protective = 4 + 4 + 3 + 4 + 4 + 4 = 23 (items 5 and 7 skipped).


def api(client, email="alex@example.org") -> dict:
    return {"X-CSRFToken": Auth(client).api_login(email)}


# Scoring


def test_the_bam_scores_a_hard_week_and_a_good_week_by_its_three_scales():
    clean, errors = bam.check(HARD_WEEK)
    assert errors == {}
    assert bam.scores(clean) == {"use": 3, "risk": 19, "protective": 10}
    clean, errors = bam.check(GOOD_WEEK)
    assert errors == {} and clean["5"] == "0" and clean["7"] == "none"
    assert bam.scores(clean) == {"use": 0, "risk": 3, "protective": 23}


def test_the_scales_are_the_published_items_with_item_8_in_risk_and_7_and_17_in_none():
    assert bam.SCALES == {"use": (4, 5, 6), "risk": (1, 2, 3, 8, 11, 15), "protective": (9, 10, 12, 13, 14, 16)}
    scored = {n for numbers in bam.SCALES.values() for n in numbers}
    assert scored == set(range(1, 18)) - {7, 17}


def test_each_scale_reaches_its_published_range():
    worst = {"1": "poor", "2": "7", "3": "7", "4": "7", "5": "7", "6": "7", "7": "opioids+cocaine",
             "8": "extremely", "9": "not_at_all", "10": "0", "11": "7", "12": "not_at_all", "13": "0", "14": "no",
             "15": "extremely", "16": "0", "17": "not_at_all"}
    clean, errors = bam.check(worst)
    assert errors == {} and clean["7"] == "cocaine+opioids"
    assert bam.scores(clean) == {"use": 12, "risk": 24, "protective": 0}
    best = {**GOOD_WEEK, "1": "excellent", "2": "0", "8": "not_at_all", "12": "extremely"}
    assert bam.scores(bam.check(best)[0]) == {"use": 0, "risk": 0, "protective": 24}


@pytest.mark.parametrize("days, points", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (7, 4)])
def test_days_of_the_week_score_by_the_share_of_the_period(days, points):
    assert bam.day_points(days) == points


@pytest.mark.parametrize("change, field", [
    ({"1": "great"}, "answers.1"),
    ({"2": "8"}, "answers.2"),
    ({"2": "-1"}, "answers.2"),
    ({"9": None}, "answers.9"),
    ({"4": "1", "5": "2"}, "answers.5"),
    ({"6": "2", "7": "none"}, "answers.7"),
    ({"6": "2", "7": "bananas"}, "answers.7"),
    ({"18": "0"}, "answers.18"),
    ({"14": 4}, "answers.14"),
])
def test_a_bad_answer_is_named(change, field):
    answers = {**HARD_WEEK, **change}
    answers = {k: v for k, v in answers.items() if v is not None}
    _, errors = bam.check(answers)
    assert field in errors


# The API


def test_a_weekly_check_in_through_the_api_is_scored_by_the_server(client, participant):
    headers = api(client)
    body = {"id": str(uuid.uuid4()), "answers": HARD_WEEK}
    first = client.post("/api/v1/weekly-checkins", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    data = first.get_json()
    assert data["scores"] == {"use": 3, "risk": 19, "protective": 10}
    assert date.fromisoformat(data["week_of"]).weekday() == 0
    assert client.post("/api/v1/weekly-checkins", json=body, headers=headers).status_code == 200
    assert client.post("/api/v1/weekly-checkins", json={**body, "answers": GOOD_WEEK}, headers=headers).status_code == 409
    # A later one for the same week replaces it.
    later = client.post("/api/v1/weekly-checkins", json={"id": str(uuid.uuid4()), "answers": GOOD_WEEK}, headers=headers)
    assert later.status_code == 201 and later.get_json()["scores"]["protective"] == 23
    listed = client.get("/api/v1/weekly-checkins").get_json()
    assert len(listed) == 1 and listed[0]["id"] == later.get_json()["id"]


def test_scores_sent_by_the_client_are_refused(client, participant):
    body = {"id": str(uuid.uuid4()), "answers": HARD_WEEK, "scores": {"use": 0, "risk": 0, "protective": 24}}
    response = client.post("/api/v1/weekly-checkins", json=body, headers=api(client))
    assert response.status_code == 422 and "scores" in response.get_json()["errors"]


@pytest.mark.parametrize("body, field", [
    ({"answers": HARD_WEEK, "week_of": "2026-01-06"}, "week_of"),  # a Tuesday
    ({"answers": HARD_WEEK, "week_of": "2099-01-05"}, "week_of"),
    ({"answers": HARD_WEEK, "week_of": "2020-01-06"}, "week_of"),
    ({"answers": {**HARD_WEEK, "3": "nine"}}, "answers.3"),
    ({"answers": {k: v for k, v in HARD_WEEK.items() if k != "12"}}, "answers.12"),
    ({"answers": "all good"}, "answers"),
    ({"answers": {**HARD_WEEK, "2": 3}}, "answers.2"),
    ({}, "answers"),
])
def test_a_bad_weekly_check_in_is_a_422_naming_the_field(client, participant, body, field):
    response = client.post("/api/v1/weekly-checkins", json={"id": str(uuid.uuid4()), **body}, headers=api(client))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert db.session.scalar(select(func.count(WeeklyCheckin.pk))) == 0


def test_one_check_in_per_local_week_across_time_zones(participant):
    participant.timezone = "Pacific/Auckland"
    db.session.commit()
    # Sunday 20:00 UTC is already Monday 09:00 in Auckland: the new week there.
    now = datetime(2026, 2, 1, 20, tzinfo=UTC)
    checkin, _ = services.save_checkin(participant, checkin_id=uuid.uuid4(), answers=HARD_WEEK, now=now)
    assert checkin.week_of == date(2026, 2, 2)
    participant.timezone = "America/Los_Angeles"
    db.session.commit()
    other, _ = services.save_checkin(participant, checkin_id=uuid.uuid4(), answers=GOOD_WEEK, now=now)
    assert other.week_of == date(2026, 1, 26)
    assert db.session.scalar(select(func.count(WeeklyCheckin.pk))) == 2


# Pages


def test_the_weekly_page_form_keeps_what_was_answered_and_saves(client, auth, participant):
    auth.login("alex@example.org")
    page = client.get("/weekly/checkin")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    partial = {"csrf_token": token, "q1": "fair", "q2": "5"}
    response = client.post("/weekly/checkin", data=partial)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Please answer this question." in text
    assert 'value="fair" checked' in text or 'checked value="fair"' in text or ('value="fair"' in text and "checked" in text)
    form = {"csrf_token": token, **{f"q{k}": v for k, v in HARD_WEEK.items() if k != "7"}}
    assert client.post("/weekly/checkin", data=form).status_code == 303
    assert db.session.scalar(select(WeeklyCheckin.risk)) == 19
    shown = client.get("/weekly").get_data(as_text=True)
    assert "<svg" in shown and "This week" in shown


def test_the_weekly_reminder_is_planned_on_the_chosen_day_and_skipped_once_done(client, auth, participant):
    from datetime import time

    from companion.blueprints.reminders.dispatch import dispatch
    from companion.blueprints.reminders.planner import plan

    services.set_reminder(participant, 6, time(18, 0))  # Sundays at 18:00
    db.session.execute(delete(Reminder))  # planned from today; plan again from a fixed Monday
    plan(datetime(2026, 2, 2, 12, tzinfo=UTC))
    rows = db.session.scalars(select(Reminder).where(Reminder.source_kind == "weekly", Reminder.channel == "inapp")).all()
    assert [r.due_at for r in rows] == [datetime(2026, 2, 8, 23, tzinfo=UTC)]  # 18:00 EST
    services.save_checkin(participant, checkin_id=uuid.uuid4(), answers=HARD_WEEK, now=datetime(2026, 2, 5, 12, tzinfo=UTC))
    assert dispatch(datetime(2026, 2, 8, 23, 1, tzinfo=UTC)).sent == 0
    with pytest.raises(Exception):
        services.set_reminder(participant, 9, time(18, 0))


# The counselor, under consent


def test_the_weekly_scope_shows_the_check_ins_and_records_each_read(client, clinic, make_consent):
    services.save_checkin(clinic.alex, checkin_id=uuid.uuid4(), answers=HARD_WEEK)
    url = f"/api/v1/participants/{clinic.alex.id}/weekly-checkins"
    api(client, "jordan@example.org")
    consent = make_consent(clinic.alex, clinic.counselor, scopes=("goals", "medication"))
    assert client.get(url).status_code == 404
    consent.scopes = "goals,weekly"
    db.session.commit()
    shown = client.get(url)
    assert shown.status_code == 200 and shown.get_json()[0]["scores"]["risk"] == 19
    assert shown.get_json()[0]["redisclosure_notice"]
    assert db.session.scalars(select(DisclosureEntry.what)).all() == ["weekly check-ins: answers and scores"]
    consent.revoked_at = datetime.now(UTC)
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/participants/{clinic.maria.id}/weekly-checkins").status_code == 404


def test_the_caseload_flags_risk_above_protective_only_under_the_weekly_scope(client, clinic, make_consent):
    services.save_checkin(clinic.alex, checkin_id=uuid.uuid4(), answers=HARD_WEEK)
    services.save_checkin(clinic.maria, checkin_id=uuid.uuid4(), answers=HARD_WEEK)
    make_consent(clinic.alex, clinic.counselor, scopes=("goals", "weekly"))
    make_consent(clinic.maria, clinic.counselor, scopes=("goals",))
    api(client, "jordan@example.org")
    rows = {r["name"]: r for r in client.get("/api/v1/caseload").get_json()}
    assert "bam_risk_above_protective" in rows["Alex"]["flags"]
    assert "bam_risk_above_protective" not in rows["Maria"]["flags"]


def test_participant_page_shows_weekly_scores_under_the_scope(client, auth, clinic, make_consent):
    services.save_checkin(clinic.alex, checkin_id=uuid.uuid4(), answers=HARD_WEEK)
    make_consent(clinic.alex, clinic.counselor, scopes=("goals", "weekly"))
    auth.login("jordan@example.org")
    page = client.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    assert "Weekly check-ins (BAM)" in page and "<svg" in page


# Export, deletion, demo


def test_weekly_check_ins_are_exported_as_fhir_questionnaire_responses_and_observations(client, participant):
    from fhir.resources.R4B.bundle import Bundle

    services.save_checkin(participant, checkin_id=uuid.uuid4(), answers=HARD_WEEK)
    api(client)
    assert client.get("/api/v1/export").get_json()["weekly_checkins"][0]["scores"]["risk"] == 19
    document = client.get("/api/v1/export/fhir").get_json()
    bundle = Bundle.model_validate(document)
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds.count("QuestionnaireResponse") == 1
    scores = [e["resource"] for e in document["entry"] if e["resource"].get("derivedFrom")]
    assert sorted(o["valueInteger"] for o in scores) == [3, 10, 19]


def test_deleting_the_account_removes_weekly_check_ins(client, participant):
    services.save_checkin(participant, checkin_id=uuid.uuid4(), answers=HARD_WEEK)
    headers = api(client)
    assert client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers).status_code == 204
    assert db.session.scalar(select(func.count(WeeklyCheckin.pk))) == 0


def test_the_demo_gives_weekly_check_ins_once(app):
    from companion.demo import seed_demo

    seed_demo()
    count = db.session.scalar(select(func.count(WeeklyCheckin.pk)))
    seed_demo()
    assert count == 15 and db.session.scalar(select(func.count(WeeklyCheckin.pk))) == count
