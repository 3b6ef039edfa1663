"""The journal's API: /logs, /checkins, /insights and /skills."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.blueprints.journal import rollup
from companion.extensions import db
from companion.models import CheckIn, LogEntry

NEW_YORK = ZoneInfo("America/New_York")


class Api:
    """A signed-in API client that sends the CSRF header."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def post(self, path, body):
        return self.client.post("/api/v1" + path, json=body, headers={"X-CSRFToken": self.token})

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, query_string=params)

    def delete(self, path):
        return self.client.delete("/api/v1" + path, headers={"X-CSRFToken": self.token})


@pytest.fixture
def api(client, auth, participant):
    return Api(client, auth.api_login("alex@example.org"))


def craving(**changes) -> dict:
    body = {"id": str(uuid.uuid4()), "kind": "craving", "occurred_at": datetime.now(NEW_YORK).isoformat(),
            "intensity": 6}
    body.update(changes)
    return body


def count(model) -> int:
    return db.session.query(model).count()


def test_post_log_creates_the_entry_with_201(api):
    body = craving(triggers=["stress", "people"], halt=["tired"], emotion="anxious", skill="urge-surfing",
                   helped=4, outcome="passed", note="after work")
    response = api.post("/logs", body)
    assert response.status_code == 201
    entry = response.get_json()
    assert entry["id"] == body["id"] and entry["kind"] == "craving" and entry["intensity"] == 6
    assert entry["triggers"] == ["people", "stress"] and entry["halt"] == ["tired"]
    assert entry["skill"] == "urge-surfing" and entry["helped"] == 4 and entry["outcome"] == "passed"
    assert entry["note"] == "after work" and entry["emotion"] == "anxious"


def test_occurred_at_comes_back_with_its_offset(api):
    body = craving(occurred_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    returned = api.post("/logs", body).get_json()["occurred_at"]
    parsed = datetime.fromisoformat(returned)
    assert parsed.utcoffset() is not None
    assert parsed == datetime.fromisoformat(body["occurred_at"])


def test_the_same_id_and_body_again_is_200_with_no_duplicate(api):
    body = craving()
    first = api.post("/logs", body)
    again = api.post("/logs", body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    assert count(LogEntry) == 1


def test_a_replay_without_occurred_at_is_still_the_same_entry(api):
    body = craving()
    del body["occurred_at"]
    assert api.post("/logs", body).status_code == 201
    assert api.post("/logs", body).status_code == 200
    assert count(LogEntry) == 1


def test_the_same_id_with_another_body_is_409(api):
    body = craving()
    api.post("/logs", body)
    response = api.post("/logs", {**body, "intensity": 2})
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert db.session.scalar(db.select(LogEntry.intensity)) == 6


def test_client_ids_are_per_participant(api, client, auth, make_user):
    body = craving()
    api.post("/logs", body)
    make_user(email="sam@example.org")
    client.delete("/api/v1/session")
    other = Api(client, auth.api_login("sam@example.org"))
    assert other.post("/logs", body).status_code == 201
    assert count(LogEntry) == 2


def test_a_time_more_than_five_minutes_ahead_is_422(api):
    response = api.post("/logs", craving(occurred_at=(datetime.now(UTC) + timedelta(minutes=6)).isoformat()))
    assert response.status_code == 422 and "occurred_at" in response.get_json()["errors"]


def test_a_time_a_little_ahead_is_accepted(api):
    assert api.post("/logs", craving(occurred_at=(datetime.now(UTC) + timedelta(minutes=3)).isoformat())).status_code == 201


def test_a_time_up_to_seven_days_back_is_accepted(api):
    when = datetime.now(UTC) - timedelta(days=6, hours=23)
    assert api.post("/logs", craving(occurred_at=when.isoformat())).status_code == 201


def test_a_time_more_than_seven_days_back_is_422(api):
    when = datetime.now(UTC) - timedelta(days=7, minutes=5)
    assert api.post("/logs", craving(occurred_at=when.isoformat())).status_code == 422


@pytest.mark.parametrize("changes, field", [
    ({"intensity": 11}, "intensity"),
    ({"intensity": -1}, "intensity"),
    ({"intensity": "strong"}, "intensity"),
    ({"intensity": None}, "intensity"),
    ({"helped": 0, "skill": "stop"}, "helped"),
    ({"helped": 6, "skill": "stop"}, "helped"),
    ({"triggers": ["weather"]}, "triggers.0"),
    ({"triggers": "stress"}, "triggers"),
    ({"halt": ["sleepy"]}, "halt.0"),
    ({"skill": "not-a-skill"}, "skill"),
    ({"skill": "<script>alert(1)</script>"}, "skill"),
    ({"outcome": "maybe"}, "outcome"),
    ({"kind": "dream"}, "kind"),
    ({"note": "n" * 2001}, "note"),
    ({"note": "a\u0000b"}, "note"),
    ({"emotion": "sad\u0000"}, "emotion"),
    ({"emotion": "e" * 61}, "emotion"),
    ({"id": "not-a-uuid"}, "id"),
    ({"id": None}, "id"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"occurred_at": "2026-11-23T10:00:00"}, "occurred_at"),
    ({"mood": 3}, "mood"),
])
def test_bad_log_bodies_are_422_naming_the_field(api, changes, field):
    response = api.post("/logs", craving(**changes))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count(LogEntry) == 0


def test_a_missing_id_is_422(api):
    body = craving()
    del body["id"]
    response = api.post("/logs", body)
    assert response.status_code == 422 and "id" in response.get_json()["errors"]


def test_a_script_tag_in_a_note_is_kept_as_text(api):
    body = craving(note="<script>alert('hi')</script>")
    assert api.post("/logs", body).get_json()["note"] == "<script>alert('hi')</script>"


def test_a_note_of_exactly_2000_characters_is_accepted(api):
    assert api.post("/logs", craving(note="n" * 2000)).status_code == 201


def test_trigger_and_coping_entries_need_no_intensity(api):
    assert api.post("/logs", {"id": str(uuid.uuid4()), "kind": "trigger", "triggers": ["places"]}).status_code == 201
    assert api.post("/logs", {"id": str(uuid.uuid4()), "kind": "coping", "skill": "paced-breathing",
                              "helped": 5}).status_code == 201


def test_logs_need_sign_in_and_csrf(client, participant, auth):
    assert client.post("/api/v1/logs", json=craving()).status_code == 401
    auth.api_login("alex@example.org")
    assert client.post("/api/v1/logs", json=craving()).status_code == 403


def test_get_logs_lists_newest_first_and_pages_with_a_cursor(api):
    now = datetime.now(UTC)
    ids = []
    for minutes in range(5):
        body = craving(occurred_at=(now - timedelta(minutes=minutes)).isoformat(), intensity=minutes)
        ids.append(body["id"])
        api.post("/logs", body)
    first = api.get("/logs", limit=2).get_json()
    assert [e["id"] for e in first["items"]] == ids[:2]
    second = api.get("/logs", limit=2, cursor=first["next_cursor"]).get_json()
    assert [e["id"] for e in second["items"]] == ids[2:4]
    third = api.get("/logs", limit=2, cursor=second["next_cursor"]).get_json()
    assert [e["id"] for e in third["items"]] == ids[4:] and third["next_cursor"] is None


def test_get_logs_filters_by_kind_and_time(api):
    now = datetime.now(UTC)
    api.post("/logs", craving(occurred_at=(now - timedelta(days=3)).isoformat()))
    recent = craving(occurred_at=(now - timedelta(hours=1)).isoformat())
    api.post("/logs", recent)
    api.post("/logs", {"id": str(uuid.uuid4()), "kind": "trigger", "triggers": ["stress"]})
    since = (now - timedelta(days=1)).isoformat()
    items = api.get("/logs", kind="craving", since=since).get_json()["items"]
    assert [e["id"] for e in items] == [recent["id"]]
    until = (now - timedelta(days=2)).isoformat()
    assert len(api.get("/logs", until=until).get_json()["items"]) == 1


@pytest.mark.parametrize("params, field", [
    ({"kind": "dream"}, "kind"), ({"limit": 0}, "limit"), ({"limit": 1000}, "limit"), ({"limit": "x"}, "limit"),
    ({"since": "last week"}, "since"), ({"until": "2026-13-40"}, "until"), ({"cursor": "garbage"}, "cursor"),
    ({"cursor": "\u0000"}, "cursor"),
])
def test_bad_log_queries_are_422(api, params, field):
    response = api.get("/logs", **params)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_delete_log_removes_it(api):
    body = craving()
    api.post("/logs", body)
    assert api.delete(f"/logs/{body['id']}").status_code == 204
    assert count(LogEntry) == 0
    assert api.delete(f"/logs/{body['id']}").status_code == 404


def test_another_persons_entry_is_404_and_untouched(api, client, auth, make_user):
    body = craving()
    api.post("/logs", body)
    make_user(email="sam@example.org")
    client.delete("/api/v1/session")
    other = Api(client, auth.api_login("sam@example.org"))
    response = other.delete(f"/logs/{body['id']}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert other.get("/logs").get_json()["items"] == []
    assert count(LogEntry) == 1


def test_a_malformed_id_in_the_path_is_404(api):
    assert api.delete("/logs/not-a-uuid").status_code == 404


def checkin(**changes) -> dict:
    body = {"id": str(uuid.uuid4()), "mood": 4, "craving": 3, "used": False, "sleep_hours": 7.5, "note": ""}
    body.update(changes)
    return body


def test_post_checkin_creates_todays_check_in(api):
    response = api.post("/checkins", checkin())
    assert response.status_code == 201
    body = response.get_json()
    assert body["date"] == datetime.now(NEW_YORK).date().isoformat()
    assert body["mood"] == 4 and body["craving"] == 3 and body["used"] is False and body["sleep_hours"] == 7.5


def test_a_later_check_in_the_same_day_replaces_it(api):
    api.post("/checkins", checkin(mood=2))
    later = checkin(mood=5)
    assert api.post("/checkins", later).status_code == 201
    listed = api.get("/checkins").get_json()
    assert len(listed) == 1 and listed[0]["mood"] == 5 and listed[0]["id"] == later["id"]
    assert count(CheckIn) == 1


def test_checkin_replay_is_200_and_another_body_is_409(api):
    body = checkin()
    api.post("/checkins", body)
    assert api.post("/checkins", body).status_code == 200
    assert api.post("/checkins", {**body, "mood": 1}).status_code == 409
    assert count(CheckIn) == 1


def test_check_ins_for_other_dates_are_kept_apart(api):
    yesterday = (datetime.now(NEW_YORK).date() - timedelta(days=1)).isoformat()
    api.post("/checkins", checkin(date=yesterday))
    api.post("/checkins", checkin())
    assert [c["date"] for c in api.get("/checkins").get_json()][1] == yesterday


@pytest.mark.parametrize("changes, field", [
    ({"mood": 0}, "mood"), ({"mood": 6}, "mood"), ({"craving": 11}, "craving"), ({"used": "perhaps"}, "used"),
    ({"sleep_hours": 25}, "sleep_hours"), ({"sleep_hours": -1}, "sleep_hours"), ({"note": "x" * 2001}, "note"),
    ({"note": "\u0000"}, "note"), ({"date": "someday"}, "date"), ({"date": "2999-01-01"}, "date"),
    ({"id": "123"}, "id"), ({"extra": 1}, "extra"),
])
def test_bad_check_ins_are_422(api, changes, field):
    response = api.post("/checkins", checkin(**changes))
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert count(CheckIn) == 0


def test_skills_list_the_library(api):
    skills = api.get("/skills").get_json()
    assert len(skills) >= 25
    slugs = {s["slug"] for s in skills}
    assert {"tipp", "stop", "opposite-action", "urge-surfing", "self-soothe", "radical-acceptance", "dear-man",
            "play-the-tape-through", "delay-and-distract", "halt-check", "5-4-3-2-1", "paced-breathing",
            "call-my-sponsor", "go-to-a-meeting"} <= slugs
    assert {s["family"] for s in skills} == {"cbt", "dbt", "relapse_prevention", "grounding", "support"}
    assert all(3 <= len(s["steps"]) <= 6 and s["purpose"] for s in skills)


def test_insights_count_what_was_logged(api):
    now = datetime.now(NEW_YORK).replace(hour=21, minute=15, second=0, microsecond=0)
    if now > datetime.now(NEW_YORK):
        now -= timedelta(days=1)
    api.post("/logs", craving(occurred_at=now.isoformat(), triggers=["stress", "people"], skill="urge-surfing", helped=5))
    api.post("/logs", craving(occurred_at=(now - timedelta(days=1)).isoformat(), triggers=["stress"],
                              skill="call-my-sponsor", helped=3))
    api.post("/logs", craving(occurred_at=(now - timedelta(days=1, minutes=5)).isoformat(), skill="call-my-sponsor",
                              helped=5, triggers=["boredom"]))
    api.post("/logs", {"id": str(uuid.uuid4()), "kind": "trigger", "triggers": ["stress"]})
    body = api.get("/insights", days=30).get_json()
    assert body["top_triggers"][0] == {"code": "stress", "count": 3}
    assert {"code": "people", "count": 1} in body["top_triggers"]
    assert body["by_hour"][21] == 3 and sum(body["by_hour"]) == 3 and len(body["by_hour"]) == 24
    assert body["by_weekday"][now.weekday()] == 1 and sum(body["by_weekday"]) == 3
    assert body["skills"][0] == {"slug": "urge-surfing", "uses": 1, "mean_helped": 5.0}
    assert body["skills"][1] == {"slug": "call-my-sponsor", "uses": 2, "mean_helped": 4.0}
    stress = next(group for group in body["skills_by_trigger"] if group["code"] == "stress")
    assert [s["slug"] for s in stress["skills"]] == ["urge-surfing", "call-my-sponsor"]
    assert stress["skills"][1]["mean_helped"] == 3.0


def test_insights_leave_out_what_is_older_than_the_period(api, participant):
    old = datetime.now(UTC) - timedelta(days=10)
    db.session.add(LogEntry(id=uuid.uuid4(), user_id=participant.id, kind="craving", occurred_at=old,
                            local_date=old.date(), local_hour=3, intensity=5))
    rollup.rebuild(participant.id)  # written past the services (older than an entry may be logged)
    db.session.commit()
    assert sum(api.get("/insights", days=7).get_json()["by_hour"]) == 0
    assert sum(api.get("/insights", days=30).get_json()["by_hour"]) == 1


@pytest.mark.parametrize("days", ["0", "400", "week", "-7"])
def test_bad_insight_periods_are_422(api, days):
    assert api.get("/insights", days=days).status_code == 422


def test_the_journal_endpoints_are_in_the_openapi_document_with_enums(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, method in [("/api/v1/logs", "post"), ("/api/v1/logs", "get"), ("/api/v1/logs/{entry_id}", "delete"),
                         ("/api/v1/checkins", "post"), ("/api/v1/checkins", "get"), ("/api/v1/insights", "get"),
                         ("/api/v1/skills", "get")]:
        assert method in document["paths"][path]
    log_in = document["components"]["schemas"]["LogIn"]["properties"]
    assert set(log_in["kind"]["enum"]) == {"craving", "trigger", "coping"}
    trigger_enum = log_in["triggers"]["items"]["enum"]
    assert "substance_cue" in trigger_enum and "physical_pain" in trigger_enum
    assert {"409", "422"} <= set(document["paths"]["/api/v1/logs"]["post"]["responses"])


def test_a_check_in_replayed_without_a_date_matches_the_next_day(api, participant, monkeypatch):
    body = checkin()
    assert api.post("/checkins", body).status_code == 201
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr("companion.blueprints.journal.services.utcnow", lambda: tomorrow)
    assert api.post("/checkins", body).status_code == 200
    assert count(CheckIn) == 1


def test_get_logs_takes_local_dates_for_since_and_until(api):
    today = datetime.now(NEW_YORK).replace(microsecond=0)  # now: always a time of today that is not in the future
    body = craving(occurred_at=today.isoformat())
    api.post("/logs", body)
    day = today.date().isoformat()
    assert [e["id"] for e in api.get("/logs", since=day, until=day).get_json()["items"]] == [body["id"]]
    yesterday = (today.date() - timedelta(days=1)).isoformat()
    assert api.get("/logs", until=yesterday).get_json()["items"] == []
