"""The journal's pages: the quick craving log, details, check-in, days sober, skills and insights."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.blueprints.journal import services
from companion.extensions import db
from companion.models import CheckIn, CustomSkill, LogEntry, SoberStreak
from tests.conftest import csrf_from

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def signed_in(client, auth, participant):
    auth.login("alex@example.org")
    return participant


def token(client) -> str:
    """The session's CSRF token (the same on every form)."""
    return csrf_from(client.get("/log/craving").get_data(as_text=True))


def post(client, path, data):
    return client.post(path, data={"csrf_token": token(client), **data})


def add_entry(user, **fields) -> LogEntry:
    entry, _ = services.log_entry(user, entry_id=fields.pop("entry_id", uuid.uuid4()),
                                  kind=fields.pop("kind", "craving"), intensity=fields.pop("intensity", 5), **fields)
    return entry


def local_today() -> date:
    return datetime.now(NEW_YORK).date()


# Logging a craving


def test_journal_pages_need_sign_in(client):
    for path in ["/journal", "/log/craving", "/journal/checkin", "/journal/insights", "/journal/skills",
                 "/journal/sober"]:
        response = client.get(path)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"], path


def test_the_quick_craving_form_has_intensity_a_client_id_and_one_button(client, signed_in):
    html = client.get("/log/craving").get_data(as_text=True)
    assert len(re.findall(r'name="intensity"', html)) == 11
    assert re.search(r'<input[^>]*name="client_id"[^>]*type="hidden"|<input[^>]*type="hidden"[^>]*name="client_id"', html)
    assert html.count('type="submit"') == 1


def test_logging_a_craving_saves_it_and_offers_details(client, signed_in):
    entry_id = uuid.uuid4()
    response = post(client, "/log/craving", {"intensity": "7", "client_id": str(entry_id)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/log/{entry_id}")
    entry = db.session.scalar(db.select(LogEntry))
    assert entry.id == entry_id and entry.kind == "craving" and entry.intensity == 7
    assert "Add details" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_sending_the_craving_form_twice_saves_it_once(client, signed_in):
    data = {"intensity": "4", "client_id": str(uuid.uuid4())}
    first = post(client, "/log/craving", data)
    second = post(client, "/log/craving", data)
    assert first.status_code == second.status_code == 303
    assert db.session.query(LogEntry).count() == 1


def test_the_server_makes_a_client_id_when_none_is_sent(client, signed_in):
    assert post(client, "/log/craving", {"intensity": "0"}).status_code == 303
    assert db.session.scalar(db.select(LogEntry.intensity)) == 0


def test_a_zero_intensity_craving_is_valid(client, signed_in):
    assert post(client, "/log/craving", {"intensity": "0", "client_id": str(uuid.uuid4())}).status_code == 303


@pytest.mark.parametrize("data", [{}, {"intensity": "11"}, {"intensity": "-1"}, {"intensity": "strong"},
                                  {"intensity": "5", "client_id": "not-a-uuid"}])
def test_bad_craving_input_is_a_form_error(client, signed_in, data):
    response = post(client, "/log/craving", data)
    assert response.status_code == 422
    assert 'class="form-errors"' in response.get_data(as_text=True)
    assert db.session.query(LogEntry).count() == 0


def test_the_choice_is_kept_when_the_form_has_an_error(client, signed_in):
    html = post(client, "/log/craving", {"intensity": "6", "client_id": "bad"}).get_data(as_text=True)
    assert re.search(r'value="6"[^>]*checked|checked[^>]*value="6"', html)


def test_what_helped_last_time_shows_while_logging(client, signed_in):
    add_entry(signed_in, skill="paced-breathing", helped=5)
    add_entry(signed_in, skill="tipp", helped=1)
    html = client.get("/log/craving").get_data(as_text=True)
    assert "What helped you last time" in html and "Paced breathing" in html and "TIPP" not in html


# Details, editing and deleting


def details(**changes) -> dict:
    data = {"intensity": "6", "triggers": ["stress", "people"], "halt": ["tired"], "emotion": "anxious",
            "skill": "urge-surfing", "helped": "4", "outcome": "passed", "note": "a long day"}
    data.update(changes)
    return data


def test_details_are_added_after_saving(client, signed_in):
    entry = add_entry(signed_in)
    response = post(client, f"/log/{entry.id}", details())
    assert response.status_code == 303
    db.session.refresh(entry)
    assert entry.triggers == ["people", "stress"] and entry.halt == ["tired"] and entry.emotion == "anxious"
    assert entry.skill == "urge-surfing" and entry.helped == 4 and entry.outcome == "passed" and entry.note == "a long day"


@pytest.mark.parametrize("changes, message", [
    ({"helped": "6"}, "1 (not at all) to 5"),
    ({"helped": "0"}, "1 (not at all) to 5"),
    ({"intensity": "12"}, "0 to 10"),
    ({"triggers": ["weather"]}, "Choose triggers from the list"),
    ({"skill": "made-up"}, "Choose a skill from the list"),
    ({"outcome": "maybe"}, "Choose: the urge passed"),
    ({"note": "n" * 2001}, "2,000 characters"),
    ({"note": "before\x00after"}, "NUL"),
    ({"occurred_at": "not a date"}, "Not a valid datetime"),
])
def test_bad_details_are_form_errors_that_keep_what_was_typed(client, signed_in, changes, message):
    entry = add_entry(signed_in)
    response = post(client, f"/log/{entry.id}", details(**{"emotion": "restless", **changes}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="restless"' in html
    db.session.refresh(entry)
    assert entry.note == "" and entry.emotion == ""


def test_a_script_in_a_note_is_shown_as_text(client, signed_in):
    entry = add_entry(signed_in, note="<script>alert(1)</script>")
    html = client.get(f"/log/{entry.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_entry_can_be_deleted(client, signed_in):
    entry = add_entry(signed_in)
    response = post(client, f"/log/{entry.id}/delete", {})
    assert response.status_code == 303
    assert db.session.query(LogEntry).count() == 0


def test_another_persons_entry_is_404_for_reading_editing_and_deleting(client, signed_in, make_user):
    other = add_entry(make_user(email="sam@example.org"), note="private")
    assert client.get(f"/log/{other.id}").status_code == 404
    assert post(client, f"/log/{other.id}", details()).status_code == 404
    assert post(client, f"/log/{other.id}/delete", {}).status_code == 404
    db.session.refresh(other)
    assert other.note == "private"
    assert "private" not in client.get("/journal").get_data(as_text=True)


def test_an_unknown_or_malformed_entry_id_is_404(client, signed_in):
    assert client.get(f"/log/{uuid.uuid4()}").status_code == 404
    assert client.get("/log/not-an-id").status_code == 404


@pytest.mark.parametrize("kind", ["trigger", "coping"])
def test_trigger_and_coping_entries_are_logged_the_same_way(client, signed_in, kind):
    assert client.get(f"/log/{kind}").status_code == 200
    response = post(client, f"/log/{kind}", {**details(intensity=""), "client_id": str(uuid.uuid4()),
                                             "occurred_at": datetime.now(NEW_YORK).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303
    assert db.session.scalar(db.select(LogEntry.kind)) == kind


def test_an_entry_older_than_seven_days_is_refused(client, signed_in):
    when = (datetime.now(NEW_YORK) - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    response = post(client, "/log/trigger", {**details(), "occurred_at": when})
    assert response.status_code == 422 and "7 days" in response.get_data(as_text=True)


def test_the_journal_lists_recent_entries_newest_first(client, signed_in):
    add_entry(signed_in, occurred_at=datetime.now(UTC) - timedelta(hours=2), intensity=2)
    add_entry(signed_in, occurred_at=datetime.now(UTC) - timedelta(hours=1), intensity=9)
    html = client.get("/journal").get_data(as_text=True)
    assert html.index("9/10") < html.index("2/10")


# Today and the check-in


def test_today_offers_the_craving_button_and_the_check_in_nudge(client, signed_in):
    html = client.get("/").get_data(as_text=True)
    assert "I&#39;m having a craving" in html or "I'm having a craving" in html
    assert 'href="/log/craving"' in html
    assert "haven&#39;t checked in today" in html or "haven't checked in today" in html


def test_checking_in_saves_and_ends_the_nudge(client, signed_in):
    response = post(client, "/journal/checkin", {"mood": "4", "craving": "2", "sleep_hours": "7", "used": "no",
                                                 "note": "ok", "day": local_today().isoformat()})
    assert response.status_code == 303
    checkin = db.session.scalar(db.select(CheckIn))
    assert (checkin.mood, checkin.craving, checkin.used, checkin.sleep_hours) == (4, 2, False, 7.0)
    assert "checked in today" not in client.get("/").get_data(as_text=True).replace("haven", "")  # nudge gone
    assert "check-in is done" in client.get("/").get_data(as_text=True)


def test_a_second_check_in_the_same_day_replaces_the_first(client, signed_in):
    for mood in ("2", "5"):
        post(client, "/journal/checkin", {"mood": mood, "craving": "1", "used": "no", "day": local_today().isoformat()})
    assert [c.mood for c in db.session.scalars(db.select(CheckIn))] == [5]


@pytest.mark.parametrize("changes, message", [
    ({"mood": ""}, "Choose your mood"), ({"mood": "9"}, "mood from 1 to 5"), ({"craving": "11"}, "from 0 to 10"),
    ({"used": ""}, "Answer yes or no"), ({"sleep_hours": "30"}, "between 0 and 24"),
    ({"sleep_hours": "lots"}, "Not a valid float"), ({"day": "someday"}, "Not a valid date"),
    ({"day": "2999-01-01"}, "in the future"), ({"note": "x\x00"}, "NUL"),
])
def test_bad_check_ins_are_form_errors(client, signed_in, changes, message):
    data = {"mood": "3", "craving": "2", "used": "no", "note": "kept text", "day": local_today().isoformat(), **changes}
    response = post(client, "/journal/checkin", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    if "note" not in changes:
        assert "kept text" in html
    assert db.session.query(CheckIn).count() == 0


# Days sober


def test_setting_a_start_date_shows_the_count_on_today(client, signed_in):
    started = local_today() - timedelta(days=10)
    response = post(client, "/journal/sober", {"start-started_on": started.isoformat(), "start-submit": "1"})
    assert response.status_code == 303
    assert re.search(r"<strong>10</strong>\s*days sober", client.get("/").get_data(as_text=True))


def test_a_future_start_date_is_refused(client, signed_in):
    response = post(client, "/journal/sober", {"start-started_on": (local_today() + timedelta(days=1)).isoformat(),
                                               "start-submit": "1"})
    assert response.status_code == 422 and "future" in response.get_data(as_text=True)


def test_correcting_the_start_date_is_an_edit_not_a_slip(client, signed_in):
    for days in (10, 20):
        post(client, "/journal/sober", {"start-started_on": (local_today() - timedelta(days=days)).isoformat(),
                                        "start-submit": "1"})
    streaks = list(db.session.scalars(db.select(SoberStreak)))
    assert len(streaks) == 1 and streaks[0].started_on == local_today() - timedelta(days=20)


def test_a_slip_restarts_the_count_kindly_and_keeps_the_history(client, signed_in):
    services.set_start_date(signed_in, local_today() - timedelta(days=30))
    at = datetime.now(NEW_YORK).strftime("%Y-%m-%dT%H:%M")
    response = post(client, "/journal/sober", {"slip-at": at, "slip-submit": "1"})
    assert response.status_code == 303
    html = client.get("/journal/sober", follow_redirects=True).get_data(as_text=True)
    assert "Thank you for being honest" in html
    assert "Longest: 30 days" in html and "Average: 15.0 days" in html
    status = services.sober_status(signed_in)
    assert status.days == 0 and [item["days"] for item in status.history] == [0, 30]
    ended = db.session.scalar(db.select(SoberStreak).where(SoberStreak.ended_at.is_not(None)))
    assert ended.ended_at.astimezone(NEW_YORK).strftime("%Y-%m-%dT%H:%M") == at
    for word in ("failed", "failure", "relapsed", "clean", "dirty"):
        assert word not in html.lower()


def test_a_slip_in_the_future_is_refused(client, signed_in):
    services.set_start_date(signed_in, local_today() - timedelta(days=3))
    at = (datetime.now(NEW_YORK) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert post(client, "/journal/sober", {"slip-at": at, "slip-submit": "1"}).status_code == 422


def test_the_counter_can_be_hidden(client, signed_in):
    services.set_start_date(signed_in, local_today() - timedelta(days=5))
    post(client, "/journal/sober/visibility", {"show": "0"})
    assert "days sober" not in client.get("/").get_data(as_text=True)
    post(client, "/journal/sober/visibility", {"show": "1"})
    assert "days sober" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("days, expected", [(0, 1), (1, 7), (7, 14), (29, 30), (90, 180), (364, 365), (365, 730),
                                            (800, 1095)])
def test_milestones_are_the_usual_ones_then_yearly(days, expected):
    assert services.next_milestone(days) == expected


def test_milestones_reached_include_every_year():
    assert services.milestones_reached(800) == [1, 7, 14, 30, 60, 90, 180, 365, 730]


# Skills


def test_the_skill_library_lists_every_family(client, signed_in):
    html = client.get("/journal/skills").get_data(as_text=True)
    for name in ("TIPP", "Urge surfing", "DEAR MAN", "Play the tape through", "5-4-3-2-1 grounding", "Call my sponsor"):
        assert name in html


def test_a_skill_shows_its_steps_and_can_be_a_favourite(client, signed_in):
    html = client.get("/journal/skills/urge-surfing").get_data(as_text=True)
    assert "<ol" in html and "Add to favourites" in html
    post(client, "/journal/skills/urge-surfing/favourite", {"favourite": "1"})
    assert services.favourite_slugs(signed_in) == {"urge-surfing"}
    assert "Your favourites" in client.get("/journal/skills").get_data(as_text=True)
    post(client, "/journal/skills/urge-surfing/favourite", {"favourite": "0"})
    assert services.favourite_slugs(signed_in) == set()


def test_an_unknown_skill_is_404(client, signed_in):
    assert client.get("/journal/skills/no-such-skill").status_code == 404
    assert post(client, "/journal/skills/no-such-skill/favourite", {"favourite": "1"}).status_code == 404


def test_a_custom_skill_is_made_used_edited_and_removed(client, signed_in):
    response = post(client, "/journal/skills/new", {"name": "Walk the dog", "purpose": "Fresh air",
                                                    "steps": "Leash\nDoor\nBlock"})
    assert response.status_code == 303
    slug = db.session.scalar(db.select(CustomSkill.slug))
    assert slug == "my-walk-the-dog"
    entry = add_entry(signed_in, skill=slug, helped=5)
    post(client, f"/journal/skills/{slug}/edit", {"name": "Walk the dogs", "steps": "Leashes"})
    db.session.refresh(entry)
    assert entry.skill == "my-walk-the-dogs"
    post(client, "/journal/skills/my-walk-the-dogs/delete", {})
    assert db.session.query(CustomSkill).count() == 0
    db.session.refresh(entry)
    assert entry.skill is None and entry.intensity == 5


@pytest.mark.parametrize("data, message", [({"name": ""}, "short name"), ({"name": "x\x00"}, "NUL"),
                                           ({"name": "n" * 81}, "80 characters"),
                                           ({"name": "ok", "steps": "s" * 2001}, "2,000 characters")])
def test_bad_custom_skills_are_form_errors(client, signed_in, data, message):
    response = post(client, "/journal/skills/new", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_another_persons_custom_skill_is_404(client, signed_in, make_user):
    services.create_custom_skill(make_user(email="sam@example.org"), name="Secret thing")
    assert client.get("/journal/skills/my-secret-thing").status_code == 404
    assert client.get("/journal/skills/my-secret-thing/edit").status_code == 404
    assert post(client, "/journal/skills/my-secret-thing/delete", {}).status_code == 404
    assert db.session.query(CustomSkill).count() == 1


# Insights


def test_insights_draw_svg_charts_with_text_alternatives(client, signed_in):
    add_entry(signed_in, triggers=["stress"], skill="stop", helped=4)
    html = client.get("/journal/insights?days=7").get_data(as_text=True)
    assert html.count('<svg class="chart"') == 5
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "Stress: 1" in html and "STOP" in html


@pytest.mark.parametrize("days", ["7", "30", "90", "abc", "-1", "\x00"])
def test_the_insights_page_answers_for_any_period(client, signed_in, days):
    assert client.get("/journal/insights", query_string={"days": days}).status_code == 200


# The demo


def test_the_demo_gets_a_few_weeks_of_journal_history_once(runner, app):
    runner.invoke(args=["demo"])
    first = (db.session.query(LogEntry).count(), db.session.query(CheckIn).count(), db.session.query(SoberStreak).count())
    runner.invoke(args=["demo"])
    again = (db.session.query(LogEntry).count(), db.session.query(CheckIn).count(), db.session.query(SoberStreak).count())
    assert first == again and first[0] > 40 and first[1] > 40 and first[2] >= 3
    from companion.models import User
    alex = db.session.scalar(db.select(User).where(User.email == "alex@example.org"))
    data = services.insights(alex, 30)
    assert data["top_triggers"] and data["skills"] and sum(data["by_hour"]) > 10


def test_an_entry_older_than_seven_days_can_still_get_details(client, signed_in):
    entry = add_entry(signed_in)
    entry.occurred_at = datetime.now(UTC) - timedelta(days=20, seconds=17)
    db.session.commit()
    shown = entry.occurred_at.astimezone(NEW_YORK).strftime("%Y-%m-%dT%H:%M")
    response = post(client, f"/log/{entry.id}", details(occurred_at=shown))
    assert response.status_code == 303
    db.session.refresh(entry)
    assert entry.note == "a long day"


def test_resending_a_craving_form_with_other_answers_asks_to_check_them(client, signed_in):
    entry_id = str(uuid.uuid4())
    post(client, "/log/craving", {"intensity": "3", "client_id": entry_id})
    response = post(client, "/log/craving", {"intensity": "8", "client_id": entry_id})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "already sent" in html and entry_id not in html
    assert db.session.scalar(db.select(LogEntry.intensity)) == 3


@pytest.mark.parametrize("slug", ["%00", "my-%00x", "my-" + "x" * 200, "%3Cscript%3E"])
def test_a_skill_address_no_skill_could_have_is_404(client, signed_in, slug):
    assert client.get(f"/journal/skills/{slug}").status_code == 404
    assert client.get(f"/journal/skills/{slug}/edit").status_code == 404


def test_the_start_date_cannot_move_before_the_last_restart(client, signed_in):
    services.set_start_date(signed_in, local_today() - timedelta(days=30))
    services.record_slip(signed_in, datetime.now(UTC) - timedelta(days=5))
    response = post(client, "/journal/sober", {"start-started_on": (local_today() - timedelta(days=10)).isoformat(),
                                               "start-submit": "1"})
    assert response.status_code == 422 and "last restart" in response.get_data(as_text=True)


def test_custom_skills_named_without_latin_letters_each_get_their_own_address(signed_in):
    first = services.create_custom_skill(signed_in, name="散步")
    second = services.create_custom_skill(signed_in, name="音楽")
    assert first.slug != second.slug and first.slug.startswith("my-")
    assert services.skill_for(signed_in, second.slug).name == "音楽"


# After "I used"

def test_saying_i_used_answers_with_thanks_and_next_steps_and_resets_nothing(client, signed_in):
    from companion.blueprints.support import services as support_services

    services.set_start_date(signed_in, local_today() - timedelta(days=40))
    support_services.save_safety_plan(signed_in, {"people": [{"name": "Mom", "phone": "555-0100"}]})
    entry = add_entry(signed_in)
    response = post(client, f"/log/{entry.id}", {"intensity": "8", "outcome": "used"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/journal/after-use?at=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for being honest" in page and "Nothing has been reset" in page
    assert 'href="tel:555-0100"' in page and "Mom" in page  # the safety plan's people
    assert 'href="tel:988"' in page and 'href="/support/safety-plan"' in page
    restart = re.search(r'href="(/journal/sober\?slip_at=[^"#]+)#slip-heading"', page).group(1)
    assert services.sober_status(signed_in).days == 40  # nothing reset
    assert db.session.scalar(db.select(db.func.count(SoberStreak.id))) == 1
    local = entry.occurred_at.astimezone(NEW_YORK).strftime("%Y-%m-%dT%H:%M")
    slip = client.get(restart.replace("&amp;", "&")).get_data(as_text=True)
    assert f'value="{local}"' in slip  # the slip form, filled with the entry's time
    assert services.sober_status(signed_in).days == 40  # still: only the person's own "Start my count again" resets


def test_a_new_entry_or_check_in_that_says_used_leads_to_the_kind_screen(client, signed_in):
    response = post(client, "/log/trigger", {"outcome": "used", "triggers": "stress"})
    assert response.status_code == 303 and "/journal/after-use" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Restart my count" not in page  # no count to restart: nothing is offered that does not apply
    response = post(client, "/journal/checkin", {"day": local_today().isoformat(), "mood": "2", "craving": "7",
                                                 "used": "yes"})
    assert response.status_code == 303 and "/journal/after-use" in response.headers["Location"]
    response = post(client, "/journal/checkin", {"day": local_today().isoformat(), "mood": "3", "craving": "2",
                                                 "used": "no"})
    assert response.headers["Location"] == "/"


def test_the_kind_screen_takes_any_time_given(client, signed_in):
    for at in ("", "not-a-time", "2026-13-40T99:99"):
        assert client.get(f"/journal/after-use?at={at}").status_code == 200
    assert client.get("/journal/sober?slip_at=nonsense").status_code == 200


# Milestones

@pytest.mark.parametrize("days, label", [(1, "24 hours"), (7, "7 days"), (30, "30 days"), (180, "6 months"),
                                         (365, "1 year"), (730, "2 years")])
def test_milestones_have_the_names_people_use(app, days, label):
    with app.test_request_context():
        assert services.milestone_label(days) == label


@pytest.mark.parametrize("ago, shown", [(30, True), (31, True), (32, True), (33, False), (29, False)])
def test_a_milestone_is_recognised_on_today_for_a_few_days(client, signed_in, ago, shown):
    services.set_start_date(signed_in, local_today() - timedelta(days=ago))
    page = client.get("/").get_data(as_text=True)
    assert ("milestone-moment" in page) is shown
    if shown:
        assert "30 days" in page


def test_a_hidden_counter_shows_no_milestone(client, signed_in):
    services.set_start_date(signed_in, local_today() - timedelta(days=30))
    services.set_counter_shown(signed_in, False)
    assert "milestone-moment" not in client.get("/").get_data(as_text=True)


def test_insights_say_in_plain_sentences_what_the_entries_show(client, signed_in):
    evening = datetime.now(NEW_YORK).replace(hour=19, minute=0, second=0, microsecond=0) - timedelta(days=1)
    for hours in (0, 1, 2):
        add_entry(signed_in, occurred_at=evening.replace(hour=17 + hours), triggers=["stress"], skill="paced-breathing",
                  helped=4 + (hours == 0))
    add_entry(signed_in, occurred_at=evening.replace(hour=8), triggers=["boredom"])
    html = client.get("/journal/insights?days=7").get_data(as_text=True)
    said = html[html.index("What your entries say"):html.index("Top triggers")]
    assert "Most of your cravings come between" in said
    assert "Your most common trigger: Stress (3 times)." in said
    assert "Paced breathing helped you most: 4.3 out of 5." in said


def test_insights_say_nothing_the_numbers_do_not_support(client, signed_in):
    add_entry(signed_in)
    html = client.get("/journal/insights?days=7").get_data(as_text=True)
    assert "What your entries say" not in html and "Most of your cravings" not in html
