"""The support API: meetings, saved meetings, the safety plan and the aftercare plan."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path

import pytest
from sqlalchemy import select

from companion.blueprints.support import feeds, services
from companion.extensions import db
from companion.models import Meeting, SafetyPlan, SavedMeeting

FEED = Path(__file__).parent / "data" / "sussex-aa.json"


@pytest.fixture
def program(make_program):
    return make_program(slug="riverside")


@pytest.fixture
def sussex(program):
    services.import_meetings(feeds.read_file(str(FEED)), program)
    return program


@pytest.fixture
def token(auth, make_user, program):
    make_user(email="alex@example.org", name="Alex", program=program)
    return auth.api_login("alex@example.org")


def last_call() -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.slug == "last-call"))


MEETING_GUIDE_FIELDS = {"name", "slug", "day", "time", "end_time", "types", "location", "formatted_address",
                        "conference_url", "notes"}


@pytest.mark.parametrize("limit", [100, 7])
def test_paging_through_the_real_feed_gives_every_meeting_exactly_once(client, token, sussex, limit):
    listed = json.loads(FEED.read_text())
    url, pages, seen = f"/api/v1/meetings?limit={limit}", 0, []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        assert 0 < len(page) <= limit
        seen += [m["slug"] for m in page]
        cursor = response.headers.get("X-Next-Cursor")
        link = response.headers.get("Link")
        if cursor:
            assert link.startswith("</api/v1/meetings?") and link.endswith('>; rel="next"') and cursor in link
            url = link[1:link.index(">")]
        else:
            assert link is None
            url = None
        pages += 1
    assert sorted(seen) == sorted(m["slug"] for m in listed)  # all 123, each once
    assert pages == -(-len(listed) // limit)


def test_the_next_page_keeps_the_filters_and_a_bad_cursor_is_a_422(client, token, sussex):
    first = client.get("/api/v1/meetings?day=1&limit=2")
    link = first.headers["Link"]
    assert "day=1" in link
    second = client.get(link[1:link.index(">")])
    assert second.status_code == 200 and all(m["day"] == 1 for m in second.get_json())
    assert not {m["slug"] for m in first.get_json()} & {m["slug"] for m in second.get_json()}
    for cursor in ["nonsense", "e30", "%00", "eyJvIjogLTEsICJ0IjogIngifQ"]:
        response = client.get(f"/api/v1/meetings?cursor={cursor}")
        assert response.status_code == 422 and "cursor" in response.get_json()["errors"], cursor


def test_meetings_need_sign_in(client):
    for path in ["/api/v1/meetings", "/api/v1/safety-plan", "/api/v1/aftercare", "/api/v1/saved-meetings"]:
        response = client.get(path)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_meetings_carry_the_meeting_guide_fields(client, token, sussex):
    response = client.get("/api/v1/meetings?limit=500")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body) == 123
    assert all(MEETING_GUIDE_FIELDS <= set(m) for m in body)
    found = next(m for m in body if m["slug"] == "last-call")
    assert (found["day"], found["time"], found["end_time"]) == (0, "23:00", "00:00")
    assert found["types"] == ["B", "O"] and found["type_names"] == ["Big Book", "Open"]
    start = datetime.fromisoformat(found["next_start"])
    assert start.utcoffset() == start.astimezone(ZoneInfo("America/New_York")).utcoffset()  # my time zone


@pytest.mark.parametrize("query, check", [
    ("day=0", lambda m: m["day"] == 0 or (isinstance(m["day"], list) and 0 in m["day"])),
    ("type=W", lambda m: "W" in m["types"]),
    ("online=true", lambda m: m["online"] and m["conference_url"]),
    ("online=false", lambda m: m["in_person"]),
    ("q=rehoboth", lambda m: "rehoboth" in json.dumps(m).lower()),
    ("type=online", lambda m: m["online"]),
    ("type=ONL", lambda m: m["online"]),
    ("type=in_person", lambda m: m["in_person"]),
])
def test_meetings_are_filtered(client, token, sussex, query, check):
    body = client.get(f"/api/v1/meetings?limit=500&{query}").get_json()
    assert body and all(check(m) for m in body)
    assert len(body) < 123


def test_a_meeting_on_several_days_has_a_list_of_days(client, token, program, tmp_path):
    feed = tmp_path / "days.json"
    feed.write_text(json.dumps([{"name": "Weeknights", "slug": 7, "day": [1, 2, 3, 4, 5], "time": "19:00",
                                 "address": "1 Main St", "city": "Lewes", "state": "DE"}]))
    services.import_meetings(feeds.read_file(str(feed)), program)
    body = client.get("/api/v1/meetings?day=3").get_json()
    assert [(m["slug"], m["day"], m["end_time"], m["formatted_address"]) for m in body] == \
        [("7", [1, 2, 3, 4, 5], "20:00", "1 Main St, Lewes, DE")]


def test_empty_parameters_mean_no_filter(client, token, sussex):
    response = client.get("/api/v1/meetings?day=&type=&q=&online=&limit=500")
    assert response.status_code == 200 and len(response.get_json()) == 123


def test_the_day_and_online_filters_combine(client, token, sussex):
    body = client.get("/api/v1/meetings?day=1&online=true&limit=500").get_json()
    expected = db.session.scalars(select(Meeting).where(Meeting.online.is_(True))).all()
    assert len(body) == sum(1 for m in expected if 1 in m.days)


def test_distance_from_a_place(client, token, sussex):
    body = client.get("/api/v1/meetings?near=Lewes&limit=5").get_json()
    distances = [m["distance_miles"] for m in body]
    assert distances == sorted(distances) and distances[0] is not None


@pytest.mark.parametrize("query", ["day=7", "day=x", "online=perhaps", "limit=0", "limit=100000",
                                   "time_of_day=teatime", "type=" + "T" * 31])
def test_a_bad_query_is_a_422_problem(client, token, sussex, query):
    response = client.get(f"/api/v1/meetings?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["q=%00", "q=%25%25", "q=_", "type=%25", "near=%00", "near=91,181",
                                   "q=%27;DROP TABLE meeting;--", "type=|O|", "q=" + "%F0%9F%98%80" * 50])
def test_odd_search_text_never_errors(client, token, sussex, query):
    response = client.get(f"/api/v1/meetings?{query}")
    assert response.status_code == 200


def test_another_programs_meetings_are_not_listed(client, auth, make_user, make_program, sussex):
    make_user(email="other@example.org", program=make_program(slug="elsewhere"))
    auth.api_login("other@example.org")
    assert client.get("/api/v1/meetings").get_json() == []


# ---- saved meetings ---------------------------------------------------------------------------------

def test_save_a_meeting_with_a_reminder_and_list_it(client, token, sussex):
    response = client.post("/api/v1/saved-meetings", json={"meeting_id": last_call().id, "remind": True},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201
    saved = response.get_json()
    assert saved["remind"] is True and saved["meeting"]["slug"] == "last-call" and saved["meeting"]["saved"]
    again = client.post("/api/v1/saved-meetings", json={"meeting_id": last_call().id}, headers={"X-CSRFToken": token})
    assert again.status_code == 200 and again.get_json()["id"] == saved["id"] and again.get_json()["remind"] is False
    listed = client.get("/api/v1/saved-meetings").get_json()
    assert [s["id"] for s in listed] == [saved["id"]]


def test_saving_needs_the_csrf_header(client, token, sussex):
    assert client.post("/api/v1/saved-meetings", json={"meeting_id": last_call().id}).status_code == 403


@pytest.mark.parametrize("body", [{}, {"meeting_id": "x"}, {"meeting_id": 0}, {"meeting_id": 1, "extra": 1},
                                  {"meeting_id": 1, "remind": "often"}, [], None])
def test_bad_save_bodies_are_422(client, token, sussex, body):
    response = client.post("/api/v1/saved-meetings", data=json.dumps(body), content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 422


def test_saving_an_unknown_or_another_programs_meeting_is_404(client, auth, make_user, make_program, sussex):
    make_user(email="other@example.org", program=make_program(slug="elsewhere"))
    token = auth.api_login("other@example.org")
    for meeting_id in [last_call().id, 999_999]:
        response = client.post("/api/v1/saved-meetings", json={"meeting_id": meeting_id}, headers={"X-CSRFToken": token})
        assert response.status_code == 404


def test_another_persons_saved_meeting_is_404_for_every_write(client, auth, make_user, program, sussex):
    owner = make_user(email="owner@example.org", program=program)
    saved_id = services.save_meeting(owner, last_call().id, remind=True).id
    make_user(email="other@example.org", program=program)
    token = auth.api_login("other@example.org")
    headers = {"X-CSRFToken": token}
    assert client.patch(f"/api/v1/saved-meetings/{saved_id}", json={"remind": False}, headers=headers).status_code == 404
    assert client.delete(f"/api/v1/saved-meetings/{saved_id}", headers=headers).status_code == 404
    assert client.get("/api/v1/saved-meetings").get_json() == []
    db.session.expire_all()
    assert db.session.get(SavedMeeting, saved_id).remind is True


def test_change_the_reminder_and_forget_a_saved_meeting(client, token, sussex):
    headers = {"X-CSRFToken": token}
    saved = client.post("/api/v1/saved-meetings", json={"meeting_id": last_call().id}, headers=headers).get_json()
    patched = client.patch(f"/api/v1/saved-meetings/{saved['id']}", json={"remind": True}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["remind"] is True
    assert client.delete(f"/api/v1/saved-meetings/{saved['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/saved-meetings").get_json() == []


# ---- the safety plan --------------------------------------------------------------------------------

SAFETY_KEYS = {"warning_signs", "coping_strategies", "distractions", "people", "professionals", "environment"}


def test_before_saving_the_safety_plan_is_empty_but_for_the_crisis_lines(client, token):
    response = client.get("/api/v1/safety-plan")
    assert response.status_code == 200
    body = response.get_json()
    assert SAFETY_KEYS <= set(body) and body["updated_at"] is None
    assert all(body[key] == [] for key in SAFETY_KEYS - {"professionals"})
    phones = [line["phone"] for line in body["professionals"]]
    assert "988" in phones and "1-800-662-4357" in phones and "741741" in phones and "911" in phones
    assert db.session.scalar(select(SafetyPlan)) is None


def test_put_the_safety_plan_and_read_it_back(client, token):
    plan = {"warning_signs": ["Not sleeping"], "coping_strategies": ["Walk"], "distractions": [{"name": "Library"}],
            "people": [{"name": "Mom", "phone": "555-0100"}], "professionals": [{"name": "988", "phone": "988"}],
            "environment": ["Pills to my sister"], "reasons": ["My kids"]}
    response = client.put("/api/v1/safety-plan", json=plan, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["people"] == [{"name": "Mom", "phone": "555-0100"}]
    assert body["distractions"] == [{"name": "Library", "phone": None}]
    assert datetime.fromisoformat(body["updated_at"]).tzinfo is not None
    again = client.get("/api/v1/safety-plan").get_json()
    assert again == body
    # What was read can be sent back as it is.
    assert client.put("/api/v1/safety-plan", json=again, headers={"X-CSRFToken": token}).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"warning_signs": "not a list"}, "warning_signs"),
    ({"warning_signs": ["x" * 501]}, "warning_signs.0"),
    ({"warning_signs": [f"s{i}" for i in range(21)]}, "warning_signs"),
    ({"people": [{"phone": "555"}]}, "people.0.name"),
    ({"people": [{"name": "Mom", "phone": "not a phone"}]}, "people"),
    ({"people": [{"name": "Mom", "email": "x"}]}, "people.0.email"),
    ({"warning_signs": ["a\u0000b"]}, "warning_signs.0"),
    ({"mood": "bad"}, "mood"),
])
def test_a_bad_safety_plan_is_a_422_naming_the_field(client, token, body, field):
    response = client.put("/api/v1/safety-plan", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()
    assert db.session.scalar(select(SafetyPlan)) is None


def test_each_person_sees_only_their_own_safety_plan(client, auth, token, make_user, program):
    client.put("/api/v1/safety-plan", json={"warning_signs": ["Alex's sign"]}, headers={"X-CSRFToken": token})
    make_user(email="other@example.org", program=program)
    auth.api_login("other@example.org")
    assert client.get("/api/v1/safety-plan").get_json()["warning_signs"] == []


# ---- the aftercare plan -----------------------------------------------------------------------------

def test_aftercare_is_empty_until_a_plan_exists(client, token):
    response = client.get("/api/v1/aftercare")
    assert response.status_code == 200
    assert response.get_json() == {"follow_up": "", "meetings": "", "sponsor": {"name": "", "phone": ""},
                                   "contacts": [], "steps": [], "updated_at": None, "updated_by": None}


def test_put_my_aftercare_plan(client, token):
    plan = {"follow_up": "Therapy Tuesdays", "meetings": "Monday open meeting",
            "sponsor": {"name": "Pat", "phone": "555-0101"}, "contacts": [{"name": "Brother", "phone": "555-0102"}],
            "steps": ["Book the appointment"]}
    response = client.put("/api/v1/aftercare", json=plan, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["sponsor"] == {"name": "Pat", "phone": "555-0101"} and body["updated_by"]["name"] == "Alex"
    assert client.get("/api/v1/aftercare").get_json() == body
    assert client.put("/api/v1/aftercare", json=body, headers={"X-CSRFToken": token}).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"follow_up": "x" * 4001}, "follow_up"), ({"steps": "one"}, "steps"), ({"sponsor": {"phone": "abc"}}, "sponsor_phone"),
    ({"meetings": "a\u0000b"}, "meetings"), ({"owner": 3}, "owner"),
])
def test_a_bad_aftercare_plan_is_a_422(client, token, body, field):
    response = client.put("/api/v1/aftercare", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_the_openapi_document_lists_the_support_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"get"} <= set(document["paths"]["/api/v1/meetings"])
    assert {"get", "put"} <= set(document["paths"]["/api/v1/safety-plan"])
    assert "get" in document["paths"]["/api/v1/aftercare"]
    names = {p["name"] for p in document["paths"]["/api/v1/meetings"]["get"]["parameters"]}
    assert {"day", "type", "q", "online"} <= names
