"""Goals and steps through the JSON API, as the Contract shapes them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from companion.extensions import db
from companion.models import Goal, GoalStep, StepEvent

FUTURE = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def api(client, auth, participant):
    """A client signed in through the API, sending the CSRF header."""
    token = auth.api_login("alex@example.org")

    class Api:
        def __getattr__(self, method):
            def call(url, **kwargs):
                headers = kwargs.pop("headers", {}) | {"X-CSRFToken": token}
                return getattr(client, method)(f"/api/v1{url}", headers=headers, **kwargs)
            return call

    return Api()


def test_create_and_read_a_goal_with_steps(api):
    response = api.post("/goals", json={"title": "Build a sleep routine", "why": "Less tired", "category": "health",
                                        "target_date": FUTURE, "shared": True,
                                        "steps": [{"title": "Pick a bedtime"}, {"title": "Phone away", "due_date": FUTURE}]})
    assert response.status_code == 201
    goal = response.get_json()
    assert set(goal) >= {"id", "title", "why", "category", "target_date", "status", "shared", "progress", "steps"}
    assert goal["status"] == "active" and goal["shared"] is True and goal["progress"] == 0
    assert [(s["title"], s["position"], s["done"], s["done_at"], s["due_date"]) for s in goal["steps"]] == [
        ("Pick a bedtime", 0, False, None, None), ("Phone away", 1, False, None, FUTURE)]
    assert api.get(f"/goals/{goal['id']}").get_json() == goal
    assert api.get("/goals").get_json() == [goal]


def test_progress_is_steps_done_over_steps(api):
    goal = api.post("/goals", json={"title": "Three steps", "steps": [{"title": "a"}, {"title": "b"}, {"title": "c"}]}).get_json()
    step = goal["steps"][0]
    response = api.patch(f"/steps/{step['id']}", json={"done": True})
    assert response.status_code == 200 and response.get_json()["done"] is True
    assert response.get_json()["done_at"].endswith("+00:00")
    assert api.get(f"/goals/{goal['id']}").get_json()["progress"] == 33


def test_patch_changes_only_what_is_sent(api):
    goal = api.post("/goals", json={"title": "Old", "why": "Keep me"}).get_json()
    response = api.patch(f"/goals/{goal['id']}", json={"title": "New", "status": "done"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "New" and body["why"] == "Keep me" and body["status"] == "done"


def test_filter_goals_by_status(api):
    api.post("/goals", json={"title": "Active one"})
    done = api.post("/goals", json={"title": "Done one"}).get_json()
    api.patch(f"/goals/{done['id']}", json={"status": "done"})
    assert [g["title"] for g in api.get("/goals?status=done").get_json()] == ["Done one"]
    assert api.get("/goals?status=nonsense").status_code == 422


def test_add_a_step_at_a_position_and_move_one(api):
    goal = api.post("/goals", json={"title": "G", "steps": [{"title": "a"}, {"title": "b"}, {"title": "c"}]}).get_json()
    inserted = api.post(f"/goals/{goal['id']}/steps", json={"title": "first", "position": 0})
    assert inserted.status_code == 201 and inserted.get_json()["position"] == 0
    c = goal["steps"][2]["id"]
    moved = api.patch(f"/steps/{c}", json={"position": 1})
    assert moved.get_json()["position"] == 1
    titles = [(s["title"], s["position"]) for s in api.get(f"/goals/{goal['id']}").get_json()["steps"]]
    assert titles == [("first", 0), ("c", 1), ("a", 2), ("b", 3)]


def test_put_order_with_exactly_the_goals_steps(api):
    goal = api.post("/goals", json={"title": "G", "steps": [{"title": "a"}, {"title": "b"}, {"title": "c"}]}).get_json()
    a, b, c = (s["id"] for s in goal["steps"])
    response = api.put(f"/goals/{goal['id']}/order", json={"step_ids": [c, a, b]})
    assert response.status_code == 200
    assert [(s["id"], s["position"]) for s in response.get_json()["steps"]] == [(c, 0), (a, 1), (b, 2)]


@pytest.mark.parametrize("order", ["missing", "extra", "duplicate", "foreign", "empty"])
def test_put_order_with_other_ids_is_422(api, make_user, make_goal, order):
    goal = api.post("/goals", json={"title": "G", "steps": [{"title": "a"}, {"title": "b"}]}).get_json()
    a, b = (s["id"] for s in goal["steps"])
    foreign = make_goal(make_user(email="o@example.org")).steps[0].id
    ids = {"missing": [a], "extra": [a, b, 99999], "duplicate": [a, a, b], "foreign": [a, foreign], "empty": []}[order]
    response = api.put(f"/goals/{goal['id']}/order", json={"step_ids": ids})
    assert response.status_code == 422 and "step_ids" in response.get_json()["errors"]


def test_delete_a_step_and_a_goal(api):
    goal = api.post("/goals", json={"title": "G", "steps": [{"title": "a"}, {"title": "b"}]}).get_json()
    assert api.delete(f"/steps/{goal['steps'][0]['id']}").status_code == 204
    assert [(s["title"], s["position"]) for s in api.get(f"/goals/{goal['id']}").get_json()["steps"]] == [("b", 0)]
    assert api.delete(f"/goals/{goal['id']}").status_code == 204
    assert api.get(f"/goals/{goal['id']}").status_code == 404


def test_a_replayed_step_completion_is_applied_once(api):
    goal = api.post("/goals", json={"title": "G", "steps": [{"title": "a"}]}).get_json()
    step = goal["steps"][0]["id"]
    first = api.patch(f"/steps/{step}", json={"done": True, "client_id": "c0ffee00-0000-4000-8000-000000000001"})
    api.patch(f"/steps/{step}", json={"done": False})
    replay = api.patch(f"/steps/{step}", json={"done": True, "client_id": "c0ffee00-0000-4000-8000-000000000001"})
    assert first.status_code == replay.status_code == 200
    assert replay.get_json()["done"] is False  # the later untick stands; the replay changed nothing
    assert db.session.scalar(db.select(db.func.count(StepEvent.id))) == 2


@pytest.mark.parametrize("body, field", [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "t" * 201}, "title"),
    ({"title": 5}, "title"),
    ({"title": "ok", "why": "w" * 2001}, "why"),
    ({"title": "ok", "category": "party"}, "category"),
    ({"title": "ok", "status": "done"}, "status"),
    ({"title": "ok", "target_date": "2020-01-01"}, "target_date"),
    ({"title": "ok", "target_date": "31/12/2030"}, "target_date"),
    ({"title": "ok", "target_date": 1893456000}, "target_date"),
    ({"title": "ok", "shared": "yes"}, "shared"),
    ({"title": "ok", "steps": "a, b"}, "steps"),
    ({"title": "ok", "steps": [{"title": ""}]}, "steps.0.title"),
    ({"title": "ok", "steps": [{"title": "x", "done": True}]}, "steps.0.done"),
    ({"title": "ok", "colour": "blue"}, "colour"),
    ({"title": "a \x00 b"}, "title"),
    ({"title": "ok", "template": "no-such-template"}, "template"),
])
def test_bad_goal_bodies_are_422_with_errors_per_field(api, body, field):
    response = api.post("/goals", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(Goal.id))) == 0


@pytest.mark.parametrize("body, field", [
    ({"title": None}, "title"),
    ({"status": None}, "status"),
    ({"status": "finished"}, "status"),
    ({"shared": None}, "shared"),
    ({"category": None}, "category"),
    ({"target_date": "2019-05-05"}, "target_date"),
    ({"id": 5}, "id"),
    ({"progress": 100}, "progress"),
])
def test_bad_goal_patches_are_422(api, body, field):
    goal = api.post("/goals", json={"title": "G"}).get_json()
    response = api.patch(f"/goals/{goal['id']}", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


@pytest.mark.parametrize("body, field", [
    ({"position": 5}, "position"),
    ({"position": -1}, "position"),
    ({"position": "1"}, "position"),
    ({"position": None}, "position"),
    ({"done": "true"}, "done"),
    ({"done": None}, "done"),
    ({"title": ""}, "title"),
    ({"due_date": "tomorrow"}, "due_date"),
    ({"client_id": ""}, "client_id"),
    ({"goal_id": 1}, "goal_id"),
])
def test_bad_step_patches_are_422(api, body, field):
    goal = api.post("/goals", json={"title": "G", "steps": [{"title": "a"}, {"title": "b"}]}).get_json()
    response = api.patch(f"/steps/{goal['steps'][0]['id']}", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_adding_a_step_at_a_bad_position_is_422(api):
    goal = api.post("/goals", json={"title": "G"}).get_json()
    response = api.post(f"/goals/{goal['id']}/steps", json={"title": "x", "position": 3})
    assert response.status_code == 422 and "position" in response.get_json()["errors"]


@pytest.mark.parametrize("method, url, body", [
    ("get", "/goals/{goal}", None),
    ("patch", "/goals/{goal}", {"title": "Mine now"}),
    ("delete", "/goals/{goal}", None),
    ("post", "/goals/{goal}/steps", {"title": "sneaky"}),
    ("put", "/goals/{goal}/order", {"step_ids": []}),
    ("patch", "/steps/{step}", {"done": True}),
    ("delete", "/steps/{step}", None),
])
def test_another_persons_goal_or_step_is_404_for_every_call(api, make_user, make_goal, method, url, body):
    other = make_goal(make_user(email="other@example.org"))
    response = getattr(api, method)(url.format(goal=other.id, step=other.steps[0].id), json=body)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert "other" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Goal, other.id).title == "Go to every group this week"
    assert len(db.session.get(Goal, other.id).steps) == 2
    assert not db.session.get(GoalStep, other.steps[0].id).done


def test_someone_elses_goals_never_appear_in_my_list(api, make_user, make_goal):
    make_goal(make_user(email="other@example.org"))
    assert api.get("/goals").get_json() == []


def test_goal_calls_need_signing_in_and_the_csrf_header(client, participant, auth):
    assert client.get("/api/v1/goals").status_code == 401
    auth.api_login("alex@example.org")
    assert client.post("/api/v1/goals", json={"title": "x"}).status_code == 403


def test_goals_list_query_count_is_flat(api, participant, make_goal, count_queries):
    make_goal(participant)
    with count_queries() as few:
        api.get("/goals")
    for n in range(10):
        make_goal(participant, steps=[f"s{i}" for i in range(6)])
    with count_queries() as many:
        api.get("/goals")
    assert many.count == few.count


def test_goal_enums_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    goal = document["components"]["schemas"]["GoalOut"]["properties"]
    assert set(goal["status"]["enum"]) == {"active", "done", "archived"}
    assert "work_school" in goal["category"]["enum"]
    assert "/api/v1/goals/{goal_id}/order" in document["paths"]
