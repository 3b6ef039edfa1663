"""Support pages and services: finding and saving meetings, the safety plan, the aftercare plan, /help."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from companion.blueprints.support import feeds, services
from companion.blueprints.support.library import FELLOWSHIPS
from companion.extensions import db
from companion.models import AftercarePlan, Meeting, SafetyPlan, SavedMeeting, User
from tests.conftest import csrf_from

FEED = Path(__file__).parent / "data" / "sussex-aa.json"


@pytest.fixture
def program(make_program):
    return make_program(slug="riverside", timezone="America/New_York")


@pytest.fixture
def sussex(program):
    """The real Sussex AA feed, imported for the program."""
    services.import_meetings(feeds.read_file(str(FEED)), program)
    return program


@pytest.fixture
def person(make_user, program):
    return make_user(email="alex@example.org", name="Alex", program=program, timezone="America/New_York")


@pytest.fixture
def signed_in(auth, person):
    auth.login("alex@example.org")
    return person


def by_slug(slug: str) -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.slug == slug))


def names(result) -> list[str]:
    return [m.name for m in result.meetings]


# A Monday evening in Delaware (23:00 UTC = 18:00 EST).
MONDAY_6PM = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)


def test_search_by_day_finds_only_that_days_meetings(sussex, person):
    result = services.search_meetings(person, services.MeetingSearch(day=0, limit=500))
    assert result.total == sum(1 for m in db.session.scalars(select(Meeting)) if 0 in m.days)
    assert all(0 in m.days for m in result.meetings)
    assert "Last Call" in names(result)


def test_search_online_and_in_person(sussex, person):
    online = services.search_meetings(person, services.MeetingSearch(online=True, limit=500))
    in_person = services.search_meetings(person, services.MeetingSearch(online=False, limit=500))
    assert online.total == 29 and all(m.online for m in online.meetings)
    assert in_person.total > 0 and all(m.in_person for m in in_person.meetings)


def test_search_by_type_code(sussex, person):
    women = services.search_meetings(person, services.MeetingSearch(type="W", limit=500))
    assert women.total == 13 and all("W" in m.types for m in women.meetings)


def test_search_by_time_of_day_handles_the_night_across_midnight(sussex, person):
    night = services.search_meetings(person, services.MeetingSearch(time_of_day="night", limit=500))
    assert night.total > 0 and all(m.time >= "21:00" or m.time < "05:00" for m in night.meetings)
    morning = services.search_meetings(person, services.MeetingSearch(time_of_day="morning", limit=500))
    assert all("05:00" <= m.time < "12:00" for m in morning.meetings)


def test_free_text_matches_every_word_in_name_place_or_address(sussex, person):
    result = services.search_meetings(person, services.MeetingSearch(q="rehoboth speaker", limit=500))
    assert "Rehoboth Beach Speaker" in names(result)
    assert all("rehoboth" in m.search_text and "speaker" in m.search_text for m in result.meetings)


def test_starting_in_the_next_two_hours(sussex, person):
    result = services.search_meetings(person, services.MeetingSearch(soon=True, limit=500), now=MONDAY_6PM)
    assert result.total > 0
    for m in result.meetings:
        assert 1 in m.days and "18:00" <= m.time <= "20:00"
    starts = [result.starts[m.id] for m in result.meetings]
    assert starts == sorted(starts)


def test_starting_soon_crosses_midnight_into_the_next_day(program, person, runner, tmp_path):
    import json

    feed = tmp_path / "late.json"
    feed.write_text(json.dumps([
        {"name": "Midnight", "slug": "midnight", "day": 2, "time": "00:30", "formatted_address": "Lewes, DE"},
        {"name": "Sunday late", "slug": "sunday", "day": 0, "time": "00:30", "formatted_address": "Lewes, DE"},
    ]))
    services.import_meetings(feeds.read_file(str(feed)), program)
    monday_2330 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 23:30 on Monday in New York
    result = services.search_meetings(person, services.MeetingSearch(soon=True), now=monday_2330)
    assert names(result) == ["Midnight"]


def test_distance_from_a_typed_town_orders_nearest_first(sussex, person):
    result = services.search_meetings(person, services.MeetingSearch(near="Lewes", limit=500))
    assert result.place_found is True
    distances = [result.distances[m.id] for m in result.meetings if m.id in result.distances]
    assert distances == sorted(distances) and distances[0] < 5


def test_distance_from_coordinates(sussex, person):
    result = services.search_meetings(person, services.MeetingSearch(near="38.7186782, -75.0780198", limit=500))
    first = result.meetings[0]
    assert result.distances[first.id] == pytest.approx(0, abs=0.01)


def test_an_unknown_place_is_said_plainly(sussex, person):
    result = services.search_meetings(person, services.MeetingSearch(near="Atlantis"))
    assert result.place_found is False and result.total == 123


def test_another_programs_meetings_are_not_seen(sussex, make_user, make_program):
    stranger = make_user(email="other@example.org", program=make_program(slug="elsewhere"))
    assert services.search_meetings(stranger, services.MeetingSearch()).total == 0
    with pytest.raises(services.NotFound):
        services.meeting_for(stranger, by_slug("last-call").id)


def test_meetings_listed_for_everyone_are_seen_by_people_without_a_program(make_user, app):
    services.import_meetings(feeds.read_file(str(FEED)), None)
    loner = make_user(email="solo@example.org", program=None)
    assert services.search_meetings(loner, services.MeetingSearch(limit=500)).total == 123


def test_next_start_is_in_the_meetings_own_zone(sussex):
    last_call = by_slug("last-call")  # Sunday 23:00 in New York
    assert services.next_start(last_call, MONDAY_6PM) == datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def test_reminder_occurrences_list_saved_meetings_with_reminders_only(sussex, person, make_user, program):
    other = make_user(email="sam@example.org", program=program)
    services.save_meeting(person, by_slug("last-call").id, remind=True)
    services.save_meeting(other, by_slug("last-call").id, remind=False)
    start = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    found = services.reminder_occurrences(start, start + timedelta(days=7))
    assert [(o.user_id, o.starts_at) for o in found] == [(person.id, datetime(2026, 11, 30, 4, 0, tzinfo=UTC))]
    assert services.reminder_occurrences(start, start + timedelta(days=7), user=other) == []


# ---- pages ------------------------------------------------------------------------------------------

def test_support_page_links_every_fellowships_official_site(client, signed_in):
    page = client.get("/support").get_data(as_text=True)
    for url in ["https://www.aa.org/", "https://na.org/", "https://smartrecovery.org/", "https://al-anon.org/",
                "https://www.nar-anon.org/", "https://recoverydharma.org/", "https://www.refugerecovery.org/",
                "https://www.celebraterecovery.com/", "https://findtreatment.gov/"]:
        assert f'href="{url}"' in page
    assert len(FELLOWSHIPS) == 9


def test_support_pages_need_sign_in(client):
    for path in ["/support", "/support/meetings", "/support/safety-plan", "/support/aftercare", "/support/saved"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_meetings_page_shows_todays_meetings_by_default(client, signed_in, sussex):
    today = services.feed_day(datetime.now(services.zone("America/New_York")))
    page = client.get("/support/meetings").get_data(as_text=True)
    expected = sum(1 for m in db.session.scalars(select(Meeting)) if today in m.days)
    assert (f"{expected} meetings" if expected != 1 else "1 meeting") in page


def test_meetings_page_filters_online_and_shows_type_names(client, signed_in, sussex):
    page = client.get("/support/meetings?day=&how=online").get_data(as_text=True)
    assert "29 meetings" in page
    assert "Online" in page and "Open" in page
    assert "ONL ·" not in page


def test_starting_soon_on_the_page_is_not_held_to_one_day(app):
    from werkzeug.datastructures import MultiDict

    from companion.blueprints.support.forms import MeetingSearchForm
    from companion.blueprints.support.routes import _search_from

    with app.test_request_context("/support/meetings"):
        search = _search_from(MeetingSearchForm(formdata=MultiDict({"day": "3", "soon": "y"})))
        plain = _search_from(MeetingSearchForm(formdata=MultiDict({"day": "3"})))
    assert (search.soon, search.day) == (True, None) and plain.day == 3


@pytest.mark.parametrize("query", [
    "day=9", "day=abc", "day=-1", "how=sideways", "type=%25", "type=___", "q=%00", "q=" + "x" * 5000,
    "time_of_day=teatime", "near=%00", "near=999,999", "soon=maybe", "q=%27%20OR%201%3D1--", "q=%5C",
    "day=1&day=2",
])
def test_odd_search_input_never_errors(client, signed_in, sussex, query):
    response = client.get(f"/support/meetings?{query}")
    assert response.status_code == 200


def test_a_meetings_page_shows_how_to_join_online(client, signed_in, sussex):
    online = db.session.scalar(select(Meeting).where(Meeting.online.is_(True)))
    page = client.get(f"/support/meetings/{online.id}").get_data(as_text=True)
    assert "Join the video meeting" in page and online.conference_url.replace("&", "&amp;") in page


def test_another_programs_meeting_page_is_404(client, make_user, make_program, auth, sussex):
    make_user(email="other@example.org", program=make_program(slug="elsewhere"))
    auth.login("other@example.org")
    assert client.get(f"/support/meetings/{by_slug('last-call').id}").status_code == 404


def save_from_page(client, meeting_id: int, remind: bool = True):
    token = csrf_from(client.get(f"/support/meetings/{meeting_id}").get_data(as_text=True))
    data = {"csrf_token": token, **({"remind": "y"} if remind else {})}
    return client.post(f"/support/meetings/{meeting_id}/save", data=data)


def test_saving_a_meeting_with_a_reminder(client, signed_in, sussex):
    meeting = by_slug("last-call")
    response = save_from_page(client, meeting.id)
    assert response.status_code == 303
    saved = db.session.scalar(select(SavedMeeting))
    assert (saved.user_id, saved.meeting_id, saved.remind) == (signed_in.id, meeting.id, True)
    assert "Last Call" in client.get("/support/saved").get_data(as_text=True)


def test_saving_twice_keeps_one_row(client, signed_in, sussex):
    meeting = by_slug("last-call")
    save_from_page(client, meeting.id)
    save_from_page(client, meeting.id, remind=False)
    rows = db.session.scalars(select(SavedMeeting)).all()
    assert len(rows) == 1 and rows[0].remind is False


def test_saving_without_a_csrf_token_is_refused(client, signed_in, sussex):
    response = client.post(f"/support/meetings/{by_slug('last-call').id}/save", data={"remind": "y"})
    assert response.status_code == 400
    assert db.session.scalar(select(SavedMeeting)) is None


def test_another_persons_saved_meeting_cannot_be_changed_or_removed(client, auth, make_user, program, sussex):
    owner = make_user(email="owner@example.org", program=program)
    saved = services.save_meeting(owner, by_slug("last-call").id, remind=True)
    make_user(email="intruder@example.org", program=program)
    auth.login("intruder@example.org")
    token = csrf_from(client.get("/support/safety-plan/edit").get_data(as_text=True))
    assert client.post(f"/support/saved/{saved.id}/reminder", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/support/saved/{saved.id}/remove", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(SavedMeeting, saved.id).remind is True


def test_turning_a_reminder_off_and_removing_a_saved_meeting(client, signed_in, sussex):
    saved_id = services.save_meeting(signed_in, by_slug("last-call").id, remind=True).id
    token = csrf_from(client.get("/support/saved").get_data(as_text=True))
    assert client.post(f"/support/saved/{saved_id}/reminder", data={"csrf_token": token, "back": "saved"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(SavedMeeting, saved_id).remind is False
    assert client.post(f"/support/saved/{saved_id}/remove", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SavedMeeting)) is None


# ---- the safety plan --------------------------------------------------------------------------------

def test_an_unsaved_safety_plan_shows_the_crisis_lines(client, signed_in):
    page = client.get("/support/safety-plan").get_data(as_text=True)
    assert 'href="tel:988"' in page and "Warning signs" in page
    assert "Write my safety plan" in page


def safety_form(client) -> dict:
    page = client.get("/support/safety-plan/edit").get_data(as_text=True)
    return {"csrf_token": csrf_from(page)}


def test_writing_a_safety_plan_through_the_form(client, signed_in):
    data = safety_form(client) | {
        "warning_signs": "Not sleeping\n\nSkipping meals", "coping_strategies": "Walk the dog",
        "people-0-name": "Mom", "people-0-phone": "555-0100", "people-1-name": "", "people-1-phone": "",
        "professionals-0-name": "988 Lifeline", "professionals-0-phone": "988",
        "environment": "Give the pills to my sister", "reasons": "My kids",
    }
    response = client.post("/support/safety-plan/edit", data=data)
    assert response.status_code == 303
    content, updated_at = services.safety_plan_for(signed_in)
    assert content["warning_signs"] == ["Not sleeping", "Skipping meals"]
    assert content["people"] == [{"name": "Mom", "phone": "555-0100"}]
    assert content["professionals"] == [{"name": "988 Lifeline", "phone": "988"}]
    assert updated_at is not None
    page = client.get("/support/safety-plan").get_data(as_text=True)
    assert 'href="tel:555-0100"' in page and "Give the pills to my sister" in page


def test_the_edit_form_is_filled_with_the_crisis_lines_first(client, signed_in):
    page = client.get("/support/safety-plan/edit").get_data(as_text=True)
    assert 'value="988"' in page and "1-800-662-4357" in page


@pytest.mark.parametrize("fields, field", [
    ({"people-0-name": "", "people-0-phone": "555-0100"}, "people"),
    ({"people-0-name": "Mom", "people-0-phone": "call me maybe"}, "people"),
    ({"warning_signs": "bad\x00sign"}, "warning_signs"),
    ({"warning_signs": "x" * 501}, "warning_signs"),
    ({"warning_signs": "\n".join(f"sign {i}" for i in range(21))}, "warning_signs"),
])
def test_a_bad_safety_plan_is_shown_again_with_422_keeping_what_was_typed(client, signed_in, fields, field):
    data = safety_form(client) | {"coping_strategies": "Breathe slowly"} | fields
    response = client.post("/support/safety-plan/edit", data=data)
    assert response.status_code == 422
    assert "Breathe slowly" in response.get_data(as_text=True)
    assert db.session.scalar(select(SafetyPlan)) is None


def test_markup_in_a_safety_plan_is_shown_as_text(client, signed_in):
    services.save_safety_plan(signed_in, {"warning_signs": ["<img src=x onerror=alert(1)>"]})
    page = client.get("/support/safety-plan").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_the_safety_plan_can_be_kept_on_the_phone(client, signed_in):
    services.save_safety_plan(signed_in, {"people": [{"name": "Mom", "phone": "555-0100"}]})
    response = client.get("/support/safety-plan/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    body = response.get_data(as_text=True)
    assert "Mom" in body and 'href="tel:988"' in body and "<script" not in body and "src=" not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_safety_plans_are_each_persons_own(client, auth, make_user, program):
    owner = make_user(email="owner@example.org", program=program)
    services.save_safety_plan(owner, {"warning_signs": ["Owner's secret sign"]})
    make_user(email="other@example.org", program=program)
    auth.login("other@example.org")
    assert "Owner's secret sign" not in client.get("/support/safety-plan").get_data(as_text=True)
    assert "Owner's secret sign" not in client.get("/support/safety-plan/download").get_data(as_text=True)


# ---- the aftercare plan -----------------------------------------------------------------------------

def test_no_aftercare_plan_yet_invites_to_start_one(client, signed_in):
    assert "Start my aftercare plan" in client.get("/support/aftercare").get_data(as_text=True)


def test_writing_my_aftercare_plan(client, signed_in):
    token = csrf_from(client.get("/support/aftercare/edit").get_data(as_text=True))
    response = client.post("/support/aftercare/edit", data={
        "csrf_token": token, "follow_up": "Weekly therapy with Dr. Lee, Tuesdays 4 pm",
        "meetings": "Monday night open meeting", "sponsor_name": "Pat", "sponsor_phone": "555-0101",
        "contacts-0-name": "Brother", "contacts-0-phone": "555-0102", "steps": "Book the first appointment\nGet a sponsor"})
    assert response.status_code == 303
    plan = db.session.scalar(select(AftercarePlan))
    assert plan.steps == ["Book the first appointment", "Get a sponsor"] and plan.updated_by_id == signed_in.id
    page = client.get("/support/aftercare").get_data(as_text=True)
    assert "Weekly therapy with Dr. Lee" in page and 'href="tel:555-0101"' in page


def test_a_counselor_can_write_the_plan_through_the_service(make_user, person, program):
    counselor = make_user(email="c@example.org", role="counselor", program=program, name="Jordan")
    plan = services.save_aftercare_plan(person, {"follow_up": "Outpatient group, Thursdays"}, counselor)
    assert plan.user_id == person.id and plan.updated_by_id == counselor.id
    assert services.aftercare_body(plan)["updated_by"] == {"id": counselor.id, "name": "Jordan", "role": "counselor"}


@pytest.mark.parametrize("data, field", [
    ({"follow_up": "x" * 4001}, "follow_up"),
    ({"sponsor_phone": "not a phone"}, "sponsor_phone"),
    ({"meetings": "a\x00b"}, "meetings"),
    ({"steps": "one"}, "steps"),
    ({"contacts": [{"phone": "555"}]}, "contacts"),
])
def test_bad_aftercare_input_is_refused_per_field(person, data, field):
    with pytest.raises(services.Invalid) as caught:
        services.save_aftercare_plan(person, data, person)
    assert field in caught.value.errors


# ---- /help ------------------------------------------------------------------------------------------

def test_help_links_the_safety_plan_for_a_signed_in_participant(client, signed_in):
    page = client.get("/help").get_data(as_text=True)
    assert 'href="/support/safety-plan"' in page


def test_help_without_sign_in_has_the_crisis_lines_but_no_plan_link(client):
    response = client.get("/help")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'href="tel:988"' in page and 'href="sms:988"' in page
    assert "/support/safety-plan" not in page


# ---- the program admin ------------------------------------------------------------------------------

@pytest.fixture
def admin(make_user, program, auth):
    user = make_user(email="admin@example.org", role="admin", program=program)
    auth.login("admin@example.org")
    return user


def test_an_admin_imports_a_feed_file_from_the_web(client, admin):
    from io import BytesIO

    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    response = client.post("/support/admin", data={
        "feed-csrf_token": token, "feed-submit": "1",
        "feed-file": (BytesIO(FEED.read_bytes()), "sussex-aa.json")}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert db.session.scalar(select(Meeting).where(Meeting.slug == "last-call")).program_id == admin.program_id


def test_an_admin_sees_each_bad_record_and_nothing_is_written(client, admin):
    from io import BytesIO

    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    response = client.post("/support/admin", data={
        "feed-csrf_token": token, "feed-submit": "1",
        "feed-file": (BytesIO(b'[{"slug": "a", "name": "<b>A</b>", "day": 8}]'), "bad.json")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'Record 0 (slug &#34;a&#34;)' in page and "Nothing was changed" in page
    assert db.session.scalar(select(Meeting)) is None


def test_an_admin_import_from_a_private_address_is_refused(client, admin):
    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    response = client.post("/support/admin", data={"feed-csrf_token": token, "feed-submit": "1",
                                                    "feed-url": "http://127.0.0.1/feed.json"})
    assert response.status_code == 422 and "private or local address" in response.get_data(as_text=True)


def test_an_admin_adds_a_local_resource_participants_see(client, admin, auth, make_user, program):
    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    response = client.post("/support/admin", data={
        "resource-csrf_token": token, "resource-submit": "1", "resource-name": "Riverside alumni group",
        "resource-description": "Thursdays at 6", "resource-url": "https://riverside.example.org/alumni",
        "resource-phone": "555-0199"})
    assert response.status_code == 303
    auth.logout()
    make_user(email="p@example.org", program=program)
    auth.login("p@example.org")
    page = client.get("/support").get_data(as_text=True)
    assert "Riverside alumni group" in page and 'href="tel:555-0199"' in page


def test_a_resource_with_a_javascript_link_is_refused(client, admin):
    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    response = client.post("/support/admin", data={
        "resource-csrf_token": token, "resource-submit": "1", "resource-name": "Bad",
        "resource-url": "javascript:alert(1)"})
    assert response.status_code == 422


def test_participants_cannot_reach_the_admin_page(client, signed_in):
    assert client.get("/support/admin").status_code == 404


# ---- the demo ---------------------------------------------------------------------------------------

def test_the_demo_gets_a_meeting_list_and_an_aftercare_plan_once(app):
    from sqlalchemy import func

    from companion.demo import seed_demo

    seed_demo()
    seed_demo()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 8
    assert db.session.scalar(select(func.count()).select_from(AftercarePlan)) == 1
    saved = db.session.scalars(select(SavedMeeting)).all()
    assert len(saved) == 1 and saved[0].remind
    alex = db.session.get(User, saved[0].user_id)
    tonight = services.search_meetings(alex, services.MeetingSearch(day=1, online=True, time_of_day="evening"))
    assert tonight.total >= 3


def post_feed_file(client, token: str, data: bytes):
    """Upload a feed file, encoded in memory (the test client would spool a large body to a temporary file)."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(MultiDict({
        "feed-csrf_token": token, "feed-submit": "1",
        "feed-file": FileStorage(BytesIO(data), filename="feed.json", content_type="application/json")}))
    return client.post("/support/admin", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_an_admin_uploads_a_feed_larger_than_an_ordinary_form(client, admin):
    import json
    from io import BytesIO

    records = [{"name": f"Meeting {i}", "slug": f"m-{i}", "day": i % 7, "time": "19:00", "notes": "n" * 300,
                "formatted_address": f"{i} Main St, Lewes, DE 19958, USA"} for i in range(3000)]
    data = json.dumps(records).encode()
    assert len(data) > 1024 * 1024
    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    response = post_feed_file(client, token, data)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 3000


def test_ten_megabytes_uploaded_are_refused_with_413(client, admin):
    from io import BytesIO

    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    response = post_feed_file(client, token, b"[" + b" " * (10 * 1024 * 1024) + b"]")
    assert response.status_code == 413
    assert db.session.scalar(select(Meeting)) is None


def test_an_admin_removes_a_meeting_list_and_a_resource(client, admin, program):
    services.import_meetings(feeds.read_file(str(FEED)), program)
    resource = services.add_resource(program, {"name": "Alumni group"})
    feed_id = db.session.scalar(select(Meeting.feed_id))
    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    assert client.post(f"/support/admin/feeds/{feed_id}/remove", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/support/admin/resources/{resource.id}/remove", data={"csrf_token": token}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    assert services.program_resources(program) == []


def test_another_programs_list_cannot_be_removed(client, admin, make_program):
    other = make_program(slug="elsewhere")
    services.import_meetings(feeds.read_file(str(FEED)), other)
    feed_id = db.session.scalar(select(Meeting.feed_id))
    token = csrf_from(client.get("/support/admin").get_data(as_text=True))
    assert client.post(f"/support/admin/feeds/{feed_id}/remove", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 123
