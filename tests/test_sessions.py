"""Sessions: recurrence across clock changes, changes to one occurrence, staff pages, check-in, the feed, the API."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from icalendar import Calendar

from companion.blueprints.sessions import services
from companion.errors import Invalid
from companion.extensions import db
from companion.models import Attendance, Group, ReminderSettings
from companion.models.base import utcnow
from tests.conftest import csrf_from
from tests.fixtures.sessions import alex, counselor, make_group, program, utc  # noqa: F401


def test_a_group_keeps_its_local_time_across_the_spring_clock_change(make_group):
    group = make_group(rule_text="FREQ=WEEKLY;BYDAY=MO,WE,TH", start_date=date(2026, 3, 2))
    starts = [o.starts_at for o in services.group_occurrences(group, utc(2026, 3, 2), utc(2026, 3, 13))]
    assert starts == [utc(2026, 3, 2, 23), utc(2026, 3, 4, 23), utc(2026, 3, 5, 23),
                      utc(2026, 3, 9, 22), utc(2026, 3, 11, 22), utc(2026, 3, 12, 22)]


def test_a_group_keeps_its_local_time_across_the_autumn_clock_change(make_group):
    group = make_group(rule_text="FREQ=WEEKLY;BYDAY=SA,MO", start_date=date(2026, 10, 1), start_time=time(9, 30))
    starts = [o.starts_at for o in services.group_occurrences(group, utc(2026, 10, 31), utc(2026, 11, 3))]
    assert starts == [utc(2026, 10, 31, 13, 30), utc(2026, 11, 2, 14, 30)]


def test_cancelling_one_occurrence_leaves_the_rest_of_the_series(make_group, alex):
    group = make_group([alex])
    first, second, third = services.group_occurrences(group, utc(2026, 3, 2), utc(2026, 3, 5))
    services.cancel_occurrence(group, second.key)
    agenda = services.agenda(alex, utc(2026, 3, 2), utc(2026, 3, 5))
    assert [o.key for o in agenda] == [first.key, third.key]


def test_moving_one_occurrence_shows_it_at_the_new_time_only(make_group, alex):
    group = make_group([alex])
    occurrence = services.group_occurrences(group, utc(2026, 3, 3), utc(2026, 3, 4))[0]
    services.move_occurrence(group, occurrence.key, utc(2026, 3, 3, 15))
    agenda = services.agenda(alex, utc(2026, 3, 3), utc(2026, 3, 4, 12))
    assert [(o.key, o.starts_at, o.moved) for o in agenda] == [(occurrence.key, utc(2026, 3, 3, 15), True)]
    services.restore_occurrence(group, occurrence.key)
    assert [o.starts_at for o in services.agenda(alex, utc(2026, 3, 3), utc(2026, 3, 4))] == [utc(2026, 3, 3, 23)]


@pytest.mark.parametrize("rule", ["FREQ=SOMETIMES", "FREQ=WEEKLY;BYDAY=XX", "FREQ=HOURLY", "FREQ=WEEKLY;COUNT=abc",
                                  "DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "", "F" * 600, "FREQ=DAILY\x00"])
def test_a_bad_rule_is_refused_with_a_reason(make_group, rule):
    with pytest.raises(Invalid) as error:
        make_group(rule_text=rule)
    assert "rrule" in error.value.errors


def test_a_bad_time_zone_is_refused(make_group):
    with pytest.raises(Invalid) as error:
        make_group(timezone="Mars/Olympus")
    assert "timezone" in error.value.errors


def sign_in(client, auth, user):
    auth.login(user.email)
    return client


def group_form(client, **fields) -> dict:
    token = csrf_from(client.get("/sessions/groups/new").get_data(as_text=True))
    data = {"csrf_token": token, "name": "Tuesday group", "days": ["TU", "TH"], "rrule": "", "start_date": "2026-03-03",
            "start_time": "18:00", "timezone": "America/New_York", "duration_minutes": "120", "location": "Room 2",
            "video_url": ""}
    data.update(fields)
    return data


def test_staff_create_a_weekly_group_with_the_friendly_form(client, auth, counselor):
    sign_in(client, auth, counselor)
    response = client.post("/sessions/groups/new", data=group_form(client))
    assert response.status_code == 303
    group = db.session.scalar(db.select(Group))
    assert (group.name, group.rrule, group.start_time) == ("Tuesday group", "FREQ=WEEKLY;BYDAY=TU,TH", time(18))


@pytest.mark.parametrize("fields, message", [
    ({"rrule": "FREQ=NEVER"}, "not valid RFC 5545"),
    ({"days": []}, "Choose at least one day"),
    ({"timezone": "Nowhere/Land"}, "Choose a time zone"),
    ({"name": "Group\x00"}, "cannot store"),
    ({"name": ""}, "Give the group a name"),
    ({"duration_minutes": "abc"}, "Not a valid integer"),
    ({"video_url": "javascript:alert(1)"}, "starting with https://"),
    ({"start_date": "2026-02-30"}, "Not a valid date"),
])
def test_a_bad_group_form_is_shown_again_with_a_clear_error(client, auth, counselor, fields, message):
    sign_in(client, auth, counselor)
    response = client.post("/sessions/groups/new", data=group_form(client, **fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Group)) is None


def test_participants_cannot_reach_the_staff_pages(client, auth, alex):
    sign_in(client, auth, alex)
    assert client.get("/sessions/groups/new").status_code == 403
    assert client.get("/sessions/appointments/new").status_code == 403


def test_participants_get_a_404_for_a_group_or_appointment_by_id(client, auth, alex, make_group):
    """An id names a thing whose existence is private: a 404, as for an id that is not there (roles.py's rule)."""
    group = make_group()
    sign_in(client, auth, alex)
    assert client.get(f"/sessions/groups/{group.id}").status_code == 404
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    assert client.post("/sessions/appointments/1/delete", data={"csrf_token": token}).status_code == 404
    response = client.post(f"/api/v1/groups/{group.id}/members", json={"participant_id": alex.id},
                           headers=api(client, auth, alex))
    assert response.status_code == 404


def test_staff_of_another_program_get_a_404_for_a_group(client, auth, make_group, make_user, make_program):
    group = make_group()
    other = make_user(email="other@example.org", role="counselor", program=make_program())
    sign_in(client, auth, other)
    token = csrf_from(client.get("/sessions/groups/new").get_data(as_text=True))
    assert client.get(f"/sessions/groups/{group.id}").status_code == 404
    assert client.post(f"/sessions/groups/{group.id}/delete", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/sessions/groups/{group.id}/members", data={"csrf_token": token}).status_code == 404


def test_staff_enrol_a_participant_who_then_sees_the_group(client, auth, counselor, alex, make_group):
    group = make_group()
    sign_in(client, auth, counselor)
    token = csrf_from(client.get(f"/sessions/groups/{group.id}").get_data(as_text=True))
    response = client.post(f"/sessions/groups/{group.id}/members",
                           data={"csrf_token": token, "enrol-participant_id": str(alex.id)})
    assert response.status_code == 303
    assert [m.user_id for m in db.session.get(Group, group.id).members] == [alex.id]


def test_a_participant_of_another_program_cannot_be_enrolled(client, auth, counselor, make_group, make_user,
                                                             make_program):
    group = make_group()
    stranger = make_user(email="s@example.org", program=make_program())
    sign_in(client, auth, counselor)
    token = csrf_from(client.get(f"/sessions/groups/{group.id}").get_data(as_text=True))
    response = client.post(f"/sessions/groups/{group.id}/members",
                           data={"csrf_token": token, "enrol-participant_id": str(stranger.id)})
    assert response.status_code == 422
    assert db.session.get(Group, group.id).members == []


def test_the_agenda_page_lists_the_next_sessions_with_markup_shown_as_text(client, auth, alex, make_group):
    make_group([alex], name="<b>Evening</b> group", start_date=utcnow().date() - timedelta(days=3))
    sign_in(client, auth, alex)
    html = client.get("/sessions").get_data(as_text=True)
    assert "&lt;b&gt;Evening&lt;/b&gt; group" in html and "<b>Evening" not in html


def test_a_participant_checks_in_to_a_session_happening_now(client, auth, alex, make_group):
    now = utcnow()
    group = make_group([alex], start_date=now.date() - timedelta(days=2),
                       start_time=(now - timedelta(minutes=5)).astimezone(services.zone("America/New_York")).time()
                       .replace(second=0, microsecond=0), duration_minutes=60)
    occurrence = next(o for o in services.agenda(alex, now - timedelta(hours=2), now + timedelta(hours=1))
                      if o.happening(now))
    sign_in(client, auth, alex)
    assert f"/sessions/{occurrence.key}/check-in" in client.get("/sessions").get_data(as_text=True)
    token = csrf_from(client.get("/sessions").get_data(as_text=True))
    response = client.post(f"/sessions/{occurrence.key}/check-in", data={"csrf_token": token})
    assert response.status_code == 303
    row = db.session.scalar(db.select(Attendance))
    assert (row.user_id, row.group_id, row.present) == (alex.id, group.id, True)


def test_checking_in_to_a_session_not_happening_now_is_refused(client, auth, alex, make_group):
    group = make_group([alex], start_date=date(2030, 1, 1))
    key = services.occurrence_key(group.id, utc(2030, 1, 1, 23))
    sign_in(client, auth, alex)
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    client.post(f"/sessions/{key}/check-in", data={"csrf_token": token})
    assert db.session.scalar(db.select(Attendance)) is None


def test_checking_in_to_a_group_one_is_not_in_is_a_404(client, auth, alex, make_group):
    group = make_group(start_date=date(2030, 1, 1))
    sign_in(client, auth, alex)
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    key = services.occurrence_key(group.id, utc(2030, 1, 1, 23))
    assert client.post(f"/sessions/{key}/check-in", data={"csrf_token": token}).status_code == 404
    assert client.post("/sessions/nonsense/check-in", data={"csrf_token": token}).status_code == 404


def test_staff_mark_attendance_for_their_group(client, auth, counselor, alex, make_user, program, make_group):
    sam = make_user(email="sam@example.org", name="Sam", program=program)
    group = make_group([alex, sam])
    key = services.occurrence_key(group.id, utc(2026, 3, 3, 23))
    sign_in(client, auth, counselor)
    page = client.get(f"/sessions/groups/{group.id}/sessions/{key}")
    assert page.status_code == 200
    client.post(f"/sessions/groups/{group.id}/sessions/{key}/attendance",
                data={"csrf_token": csrf_from(page.get_data(as_text=True)), "present": [str(alex.id)]})
    assert services.attendance_for(group, utc(2026, 3, 3, 23)) == {alex.id: True, sam.id: False}


def test_staff_cancel_one_session_from_its_page(client, auth, counselor, make_group):
    group = make_group()
    key = services.occurrence_key(group.id, utc(2026, 3, 3, 23))
    sign_in(client, auth, counselor)
    token = csrf_from(client.get(f"/sessions/groups/{group.id}/sessions/{key}").get_data(as_text=True))
    assert client.post(f"/sessions/groups/{group.id}/sessions/{key}/cancel", data={"csrf_token": token}).status_code == 303
    assert services.group_occurrence(db.session.get(Group, group.id), key).cancelled


def test_a_key_that_is_not_an_occurrence_is_a_404(client, auth, counselor, make_group):
    group = make_group()
    sign_in(client, auth, counselor)
    key = services.occurrence_key(group.id, utc(2026, 3, 3, 22, 1))
    assert client.get(f"/sessions/groups/{group.id}/sessions/{key}").status_code == 404


def test_staff_book_an_appointment_in_the_program_time_zone(client, auth, counselor, alex):
    sign_in(client, auth, counselor)
    token = csrf_from(client.get("/sessions/appointments/new").get_data(as_text=True))
    response = client.post("/sessions/appointments/new", data={
        "csrf_token": token, "participant_id": str(alex.id), "title": "Individual session", "date": "2026-07-01",
        "time": "10:00", "duration_minutes": "50", "location": ""})
    assert response.status_code == 303
    agenda = services.agenda(alex, utc(2026, 7, 1), utc(2026, 7, 2))
    assert [(o.title, o.starts_at) for o in agenda] == [("Individual session", utc(2026, 7, 1, 14))]


def feed_url(client) -> str:
    html = client.get("/settings/calendar").get_data(as_text=True)  # its own page since Settings was split
    return re.search(r'id="calendar-url"[^>]*value="http://localhost([^"]+)"', html).group(1)


def test_the_calendar_feed_is_valid_icalendar_with_a_vtimezone_and_discreet_titles(app, client, auth, alex, make_group):
    make_group([alex], name="Relapse prevention group", start_date=utcnow().date())
    sign_in(client, auth, alex)
    url = feed_url(client)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    events = calendar.walk("VEVENT")
    assert events and {str(e["SUMMARY"]) for e in events} == {"Companion appointment"}
    assert b"Relapse" not in response.data
    start = events[0].decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (18, 0, "America/New_York")


def test_the_calendar_feed_shows_titles_when_the_participant_opts_out_of_discretion(app, client, auth, alex, make_group):
    make_group([alex], name="Relapse prevention group", start_date=utcnow().date())
    sign_in(client, auth, alex)
    url = feed_url(client)
    db.session.get(ReminderSettings, alex.id).discreet = False
    db.session.commit()
    events = Calendar.from_ical(app.test_client().get(url).data).walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in events} == {"Relapse prevention group"}


def test_a_new_calendar_token_makes_the_old_url_a_404(app, client, auth, alex):
    sign_in(client, auth, alex)
    old = feed_url(client)
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    client.post("/settings/calendar-link", data={"csrf_token": token})
    new = feed_url(client)
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200
    assert app.test_client().get("/sessions/calendar/guess.ics").status_code == 404


def test_today_shows_the_next_session(client, auth, alex, make_group):
    make_group([alex], name="Evening group", start_date=utcnow().date() - timedelta(days=1))
    sign_in(client, auth, alex)
    html = client.get("/").get_data(as_text=True)
    assert "Your next session" in html and "Evening group" in html


# The API


def api(client, auth, user) -> dict:
    return {"X-CSRFToken": auth.api_login(user.email)}


def test_api_sessions_are_my_occurrences_with_offsets(client, auth, alex, make_group):
    make_group([alex], rule_text="FREQ=WEEKLY;BYDAY=MO,WE,TH", start_date=date(2026, 3, 2))
    api(client, auth, alex)
    body = client.get("/api/v1/sessions?from=2026-03-05&to=2026-03-09").get_json()
    assert [(s["starts_at"], s["ends_at"]) for s in body] == [
        ("2026-03-05T18:00:00-05:00", "2026-03-05T21:00:00-05:00"),
        ("2026-03-09T18:00:00-04:00", "2026-03-09T21:00:00-04:00")]
    assert set(body[0]) >= {"key", "title", "starts_at", "ends_at", "location", "video_url"}


@pytest.mark.parametrize("query", ["from=2026-13-01", "from=2026-03-09&to=2026-03-01", "from=2026-01-01&to=2028-01-01",
                                   "to=yesterday", "from=%00"])
def test_api_sessions_refuse_bad_dates(client, auth, alex, query):
    api(client, auth, alex)
    assert client.get(f"/api/v1/sessions?{query}").status_code == 422


GROUP = {"name": "Evening group", "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,TH", "dtstart": "2026-03-02T18:00",
         "timezone": "America/New_York", "duration_minutes": 180, "location": "Room 2", "video_url": ""}


def test_api_staff_create_a_group_and_enrol_a_participant(client, auth, counselor, alex):
    headers = api(client, auth, counselor)
    response = client.post("/api/v1/groups", json=GROUP, headers=headers)
    assert response.status_code == 201
    group = response.get_json()
    assert (group["dtstart"], group["rrule"], group["members"]) == ("2026-03-02T18:00", GROUP["rrule"], [])
    response = client.post(f"/api/v1/groups/{group['id']}/members", json={"participant_id": alex.id}, headers=headers)
    assert response.status_code == 201 and response.get_json()["members"] == [alex.id]


@pytest.mark.parametrize("change, field", [
    ({"rrule": "FREQ=SOMETIMES"}, "rrule"), ({"timezone": "Mars/Base"}, "timezone"), ({"name": ""}, "name"),
    ({"name": "x\x00"}, "name"), ({"name": "x" * 201}, "name"), ({"duration_minutes": "long"}, "duration_minutes"),
    ({"duration_minutes": 0}, "duration_minutes"), ({"dtstart": "2026-03-02T18:00-05:00"}, "dtstart"),
    ({"dtstart": "soon"}, "dtstart"), ({"extra": 1}, "extra"), ({"video_url": "ftp://x"}, "video_url"),
])
def test_api_bad_groups_are_422(client, auth, counselor, change, field):
    headers = api(client, auth, counselor)
    response = client.post("/api/v1/groups", json={**GROUP, **change}, headers=headers)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_api_participants_cannot_create_groups(client, auth, alex):
    assert client.post("/api/v1/groups", json=GROUP, headers=api(client, auth, alex)).status_code == 403


def test_api_another_programs_group_or_participant_is_a_404(client, auth, counselor, make_group, make_user,
                                                             make_program, alex):
    group = make_group()
    other_program = make_program()
    stranger = make_user(email="stranger@example.org", program=other_program)
    other = make_user(email="other@example.org", role="counselor", program=other_program)
    headers = api(client, auth, other)
    assert client.post(f"/api/v1/groups/{group.id}/members", json={"participant_id": stranger.id},
                       headers=headers).status_code == 404
    headers = api(client, auth, counselor)
    assert client.post(f"/api/v1/groups/{group.id}/members", json={"participant_id": stranger.id},
                       headers=headers).status_code == 404
    assert client.post("/api/v1/appointments", json={"participant_id": stranger.id, "title": "x", "duration_minutes": 50,
                                                     "starts_at": "2026-07-01T10:00:00-04:00"},
                       headers=headers).status_code == 404


def test_api_staff_book_overlapping_appointments(client, auth, counselor, alex):
    headers = api(client, auth, counselor)
    body = {"participant_id": alex.id, "starts_at": "2026-07-01T10:00:00-04:00", "duration_minutes": 50,
            "title": "Individual session"}
    assert client.post("/api/v1/appointments", json=body, headers=headers).status_code == 201
    second = client.post("/api/v1/appointments", json=body, headers=headers)
    assert second.status_code == 201
    assert second.get_json()["starts_at"] == "2026-07-01T10:00:00-04:00"


@pytest.mark.parametrize("change, field", [({"starts_at": "2026-07-01T10:00:00"}, "starts_at"),
                                           ({"title": ""}, "title"), ({"title": "a\x00"}, "title"),
                                           ({"duration_minutes": 10_000}, "duration_minutes")])
def test_api_bad_appointments_are_422(client, auth, counselor, alex, change, field):
    body = {"participant_id": alex.id, "starts_at": "2026-07-01T10:00:00-04:00", "duration_minutes": 50, "title": "x"}
    response = client.post("/api/v1/appointments", json={**body, **change}, headers=api(client, auth, counselor))
    assert response.status_code == 422 and field in response.get_json()["errors"]


