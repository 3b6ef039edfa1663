"""The counselor-built aftercare plan: written under the participant's consent (scope goals), every read in the ledger."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from companion.blueprints.counselor import services as counselor_services
from companion.blueprints.support import services
from companion.errors import Conflict, Invalid, NotFound
from companion.extensions import db
from companion.models import AftercarePlan, DisclosureEntry
from tests.conftest import Auth, csrf_from

PLAN = {"follow_up": "Outpatient group with Jordan, Thursdays 6 pm", "meetings": "Monday open meeting",
        "sponsor_name": "Pat", "sponsor_phone": "555-0101",
        "contacts": [{"name": "My sister", "phone": "555-0123"}], "steps": ["Book the first session"]}


@pytest.fixture
def counselor(app, clinic):
    client = app.test_client()
    Auth(client).login("jordan@example.org")
    return client


@pytest.fixture
def alex(app, clinic):
    client = app.test_client()
    Auth(client).login("alex@example.org")
    return client


def plan_of(user) -> AftercarePlan | None:
    db.session.expire_all()
    return db.session.scalar(select(AftercarePlan).where(AftercarePlan.user_id == user.id))


def ledger_whats(user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(DisclosureEntry.what).where(DisclosureEntry.subject_ref == user.ledger_ref)
                                   .order_by(DisclosureEntry.seq)))


def form_post(client, url, **fields):
    """Post the form on ``url`` as the page built it (its CSRF token and version), with ``fields`` typed in."""
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "version": version_on(page)}
    data.update(fields)
    return client.post(url, data=data)


def version_on(page: str) -> str:
    """The plan version a form page carries in its hidden field."""
    match = re.search(r'<input[^>]*name="version"[^>]*value="([^"]*)"', page)
    return match.group(1) if match else ""


# ---- the service ------------------------------------------------------------------------------------

def test_who_wrote_the_plan_and_who_changed_it_last_are_both_kept(clinic):
    plan = services.save_aftercare_plan(clinic.alex, PLAN, clinic.counselor)
    written_at = plan.created_at
    services.save_aftercare_plan(clinic.alex, PLAN | {"steps": ["Book the first session", "Call Pat"]}, clinic.alex)
    plan = plan_of(clinic.alex)
    assert plan.created_by_id == clinic.counselor.id and plan.created_at == written_at
    assert plan.updated_by_id == clinic.alex.id and plan.updated_at > written_at


def test_a_save_from_a_stale_form_does_not_undo_a_change_it_never_saw(clinic):
    plan = services.save_aftercare_plan(clinic.alex, PLAN, clinic.counselor)
    seen = services.aftercare_version(plan)
    services.save_aftercare_plan(clinic.alex, PLAN | {"meetings": "Change from Alex"}, clinic.alex, expected_version=seen)
    with pytest.raises(Conflict):
        services.save_aftercare_plan(clinic.alex, PLAN | {"meetings": "Old copy from Jordan"}, clinic.counselor,
                                     expected_version=seen)
    assert plan_of(clinic.alex).meetings == "Change from Alex"


def test_a_form_built_before_any_plan_existed_does_not_overwrite_one_written_since(clinic):
    services.save_aftercare_plan(clinic.alex, PLAN, clinic.alex)
    with pytest.raises(Conflict):
        services.save_aftercare_plan(clinic.alex, {"meetings": "x"}, clinic.counselor, expected_version="")


def test_a_counselor_cannot_save_an_empty_plan_but_the_participant_may_empty_their_own(clinic):
    with pytest.raises(Invalid) as caught:
        services.save_aftercare_plan(clinic.alex, {"follow_up": "  ", "contacts": [{"name": "", "phone": ""}]}, clinic.counselor)
    assert "at least one part" in caught.value.errors["follow_up"][0]
    assert plan_of(clinic.alex) is None
    services.save_aftercare_plan(clinic.alex, PLAN, clinic.alex)
    services.save_aftercare_plan(clinic.alex, {}, clinic.alex)
    assert plan_of(clinic.alex).follow_up == ""


def test_a_sponsor_phone_needs_the_sponsors_name(clinic):
    with pytest.raises(Invalid) as caught:
        services.save_aftercare_plan(clinic.alex, {"sponsor_phone": "555-0101"}, clinic.alex)
    assert list(caught.value.errors) == ["sponsor_name"]


def test_the_counselor_service_refuses_without_consent_and_writes_nothing(clinic):
    with pytest.raises(NotFound):
        counselor_services.save_aftercare(clinic.counselor, clinic.alex.id, PLAN)
    with pytest.raises(NotFound):
        counselor_services.aftercare_plan(clinic.counselor, clinic.alex.id)
    assert plan_of(clinic.alex) is None and ledger_whats(clinic.alex) == []


# ---- the pages --------------------------------------------------------------------------------------

def test_the_participant_page_links_the_plan_only_under_the_goals_scope(counselor, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor, scopes=("checkins",))
    url = f"/caseload/{clinic.alex.id}/aftercare"
    assert url not in counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)
    assert counselor.get(url).status_code == 404
    make_consent(clinic.alex, clinic.counselor, scopes=("goals",))
    assert f'href="{url}"' in counselor.get(f"/caseload/{clinic.alex.id}").get_data(as_text=True)


def test_a_counselor_writes_the_plan_and_the_participant_sees_who_wrote_it(counselor, alex, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    url = f"/caseload/{clinic.alex.id}/aftercare"
    page = counselor.get(url).get_data(as_text=True)
    assert "Aftercare plan for Alex" in page and "42 CFR part 2" in page and "No plan yet" in page
    response = form_post(counselor, url, follow_up="Outpatient group with Jordan, Thursdays 6 pm",
                         meetings="Monday open meeting", sponsor_name="Pat", sponsor_phone="555-0101",
                         **{"contacts-0-name": "My sister", "contacts-0-phone": "555-0123"},
                         steps="Book the first session\nGet a sponsor")
    assert response.status_code == 303 and response.headers["Location"] == url
    plan = plan_of(clinic.alex)
    assert plan.updated_by_id == plan.created_by_id == clinic.counselor.id
    assert plan.contacts == [{"name": "My sister", "phone": "555-0123"}]
    assert plan.steps == ["Book the first session", "Get a sponsor"]

    mine = alex.get("/support/aftercare").get_data(as_text=True)
    local = plan.updated_at.astimezone(ZoneInfo(clinic.alex.timezone))
    assert "Outpatient group with Jordan" in mine and 'href="tel:555-0123"' in mine
    assert f"Written by Jordan (counselor) on {local.strftime('%-d %B %Y at %-I:%M %p')}." in mine
    assert alex.get("/api/v1/aftercare").get_json()["updated_by"] == {"id": clinic.counselor.id, "name": "Jordan",
                                                                        "role": "counselor"}


def test_the_participant_can_still_change_a_plan_their_counselor_wrote(counselor, alex, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    services.save_aftercare_plan(clinic.alex, PLAN, clinic.counselor)
    page = alex.get("/support/aftercare/edit").get_data(as_text=True)
    assert "Outpatient group with Jordan" in page
    response = form_post(alex, "/support/aftercare/edit", follow_up="Outpatient group, Thursdays; therapy Tuesdays",
                         sponsor_name="Pat", steps="Call Pat every evening")
    assert response.status_code == 303
    mine = alex.get("/support/aftercare").get_data(as_text=True)
    assert "Written by Jordan (counselor) on" in mine and "Last changed by you on" in mine
    assert "Call Pat every evening" in mine
    staff = counselor.get(f"/caseload/{clinic.alex.id}/aftercare").get_data(as_text=True)
    assert "Call Pat every evening" in staff and "Last changed by Alex on" in staff


def test_every_staff_read_and_change_is_in_the_ledger_and_shown_to_the_participant(counselor, alex, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor, purpose="Aftercare planning")
    url = f"/caseload/{clinic.alex.id}/aftercare"
    form_post(counselor, url, follow_up="Outpatient group")
    assert ledger_whats(clinic.alex) == ["aftercare plan", "aftercare plan, and changed it"]
    counselor.get(url)
    assert ledger_whats(clinic.alex)[-1] == "aftercare plan"
    entry = db.session.scalars(select(DisclosureEntry).order_by(DisclosureEntry.seq.desc())).first()
    assert entry.actor_name == "Jordan" and entry.action == "view" and entry.purpose == "Aftercare planning"
    audit = alex.get("/api/v1/audit").get_json()
    assert {"aftercare plan", "aftercare plan, and changed it"} <= {e["what"] for e in audit}
    assert "Looked at aftercare plan, and changed it" in alex.get("/privacy/who-saw-what").get_data(as_text=True)
    from companion.blueprints.privacy import ledger

    assert ledger.verify() == []


def test_the_participants_own_reads_are_not_disclosures(alex, clinic):
    services.save_aftercare_plan(clinic.alex, PLAN, clinic.alex)
    alex.get("/support/aftercare")
    alex.get("/api/v1/aftercare")
    assert ledger_whats(clinic.alex) == []


LONG = "x" * 4001


@pytest.mark.parametrize("fields, field_error, kept", [
    ({"follow_up": LONG}, "Field cannot be longer than 4000 characters.", LONG),
    ({"follow_up": "Group on Thursdays", "steps": "\n".join(f"Step number {i}" for i in range(21))},
     "Next steps can have at most 20 lines.", "Step number 20"),
    ({"follow_up": "Group on Thursdays", "steps": "y" * 501}, "Each line can be at most 500 characters", "y" * 501),
    ({"follow_up": "Group on Thursdays", "contacts-0-name": "", "contacts-0-phone": "555-0199"},
     "Give each phone number a name", "555-0199"),
    ({"follow_up": "Group on Thursdays", "sponsor_phone": "call me maybe"}, "can hold only digits", "call me maybe"),
    ({"meetings": "Monday open meeting", "sponsor_phone": "555-0101"}, "Give the sponsor", "Monday open meeting"),
    ({"follow_up": "   ", "steps": "\n\n"}, "Write at least one part of the plan", None),
    ({"follow_up": "Group on Thursdays", **{f"contacts-{i}-name": f"Friend {i}" for i in range(25)}},
     "At most 20 rows fit here (25 were sent)", "Group on Thursdays"),
])
def test_bad_input_gets_a_clear_form_error_and_keeps_what_was_typed(counselor, clinic, make_consent, fields, field_error, kept):
    make_consent(clinic.alex, clinic.counselor)
    url = f"/caseload/{clinic.alex.id}/aftercare"
    response = form_post(counselor, url, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert field_error in page and ('aria-invalid="true"' in page or 'class="error"' in page)
    if kept is not None:
        assert kept in page
    assert "42 CFR part 2" in page
    assert plan_of(clinic.alex) is None
    assert "aftercare plan, and changed it" not in ledger_whats(clinic.alex)


def test_a_stale_form_is_refused_with_both_versions_on_the_page_and_saves_on_the_next_try(counselor, alex, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    services.save_aftercare_plan(clinic.alex, PLAN, clinic.counselor)
    url = f"/caseload/{clinic.alex.id}/aftercare"
    page = counselor.get(url).get_data(as_text=True)
    stale = {"csrf_token": csrf_from(page), "version": version_on(page)}
    assert form_post(alex, "/support/aftercare/edit", follow_up="Follow-up from Alex").status_code == 303

    response = counselor.post(url, data=stale | {"follow_up": "Follow-up from Jordan"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Alex changed this plan while you were writing" in page
    assert "Follow-up from Jordan" in page and "Follow-up from Alex" in page
    assert plan_of(clinic.alex).follow_up == "Follow-up from Alex"

    fresh = {"csrf_token": csrf_from(page), "version": version_on(page)}
    assert counselor.post(url, data=fresh | {"follow_up": "Follow-up from Jordan"}).status_code == 303
    assert plan_of(clinic.alex).follow_up == "Follow-up from Jordan"


def test_the_participants_form_is_guarded_against_a_stale_save_too(alex, clinic):
    page = alex.get("/support/aftercare/edit").get_data(as_text=True)
    stale = {"csrf_token": csrf_from(page), "version": version_on(page)}
    services.save_aftercare_plan(clinic.alex, PLAN, clinic.counselor)
    response = alex.post("/support/aftercare/edit", data=stale | {"follow_up": "Mine"})
    assert response.status_code == 409 and "Jordan changed this plan" in response.get_data(as_text=True)
    assert "Mine" in response.get_data(as_text=True) and plan_of(clinic.alex).follow_up == PLAN["follow_up"]


# ---- who may not --------------------------------------------------------------------------------------

def _revoked(make_consent, clinic):
    make_consent(clinic.alex, clinic.counselor, revoked_at=datetime.now(UTC) - timedelta(minutes=1))


def _expired(make_consent, clinic):
    make_consent(clinic.alex, clinic.counselor, expires_on=date.today() - timedelta(days=2))


def _checkins_only(make_consent, clinic):
    make_consent(clinic.alex, clinic.counselor, scopes=("checkins", "journal", "attendance"))


def _none(make_consent, clinic):
    pass


@pytest.mark.parametrize("situation", [_none, _revoked, _expired, _checkins_only])
def test_without_a_consent_in_effect_with_the_goals_scope_everything_is_a_404(counselor, clinic, make_consent, situation):
    services.save_aftercare_plan(clinic.alex, PLAN | {"follow_up": "ALEX-SECRET follow-up"}, clinic.alex)
    situation(make_consent, clinic)
    url = f"/caseload/{clinic.alex.id}/aftercare"
    token = csrf_from(counselor.get("/settings").get_data(as_text=True))
    api_token = counselor.get("/api/v1/session").get_json()["csrf_token"]
    responses = [counselor.get(url), counselor.post(url, data={"csrf_token": token, "version": "", "follow_up": "Overwritten"}),
                 counselor.get(f"/api/v1/participants/{clinic.alex.id}/aftercare"),
                 counselor.put(f"/api/v1/participants/{clinic.alex.id}/aftercare", json={"follow_up": "Overwritten"},
                               headers={"X-CSRFToken": api_token})]
    for response in responses:
        assert response.status_code == 404, (response.request.method, response.request.path)
        assert "ALEX-SECRET" not in response.get_data(as_text=True)
    assert responses[2].mimetype == "application/problem+json"
    assert plan_of(clinic.alex).follow_up == "ALEX-SECRET follow-up"
    assert ledger_whats(clinic.alex) == []


def test_a_counselor_of_another_program_gets_a_404_even_with_a_consent_row(app, clinic, make_consent):
    services.save_aftercare_plan(clinic.alex, PLAN | {"follow_up": "ALEX-SECRET follow-up"}, clinic.alex)
    make_consent(clinic.alex, clinic.stranger)
    kim = app.test_client()
    token = Auth(kim).api_login("kim@example.org")
    url = f"/caseload/{clinic.alex.id}/aftercare"
    assert kim.get(url).status_code == 404
    assert kim.get(f"/api/v1/participants/{clinic.alex.id}/aftercare").status_code == 404
    assert kim.put(f"/api/v1/participants/{clinic.alex.id}/aftercare", json={"follow_up": "Kim's"},
                   headers={"X-CSRFToken": token}).status_code == 404
    assert plan_of(clinic.alex).follow_up == "ALEX-SECRET follow-up" and ledger_whats(clinic.alex) == []


def test_trying_the_other_participants_id_is_a_404(counselor, clinic, make_consent):
    """Jordan may plan with Alex; Maria's id in the same address shows nothing of Maria's plan."""
    make_consent(clinic.alex, clinic.counselor)
    services.save_aftercare_plan(clinic.maria, PLAN | {"follow_up": "MARIA-SECRET follow-up"}, clinic.maria)
    assert counselor.get(f"/caseload/{clinic.alex.id}/aftercare").status_code == 200
    for url in [f"/caseload/{clinic.maria.id}/aftercare", f"/api/v1/participants/{clinic.maria.id}/aftercare"]:
        response = counselor.get(url)
        assert response.status_code == 404 and "MARIA-SECRET" not in response.get_data(as_text=True)
    page = counselor.get(f"/caseload/{clinic.alex.id}/aftercare").get_data(as_text=True)
    response = counselor.post(f"/caseload/{clinic.maria.id}/aftercare",
                              data={"csrf_token": csrf_from(page), "version": "", "follow_up": "Overwritten"})
    assert response.status_code == 404
    assert plan_of(clinic.maria).follow_up == "MARIA-SECRET follow-up" and ledger_whats(clinic.maria) == []


def test_revoking_while_the_counselor_writes_stops_the_save(counselor, clinic, make_consent):
    consent = make_consent(clinic.alex, clinic.counselor)
    url = f"/caseload/{clinic.alex.id}/aftercare"
    page = counselor.get(url).get_data(as_text=True)
    consent.revoked_at = datetime.now(UTC)
    db.session.commit()
    response = counselor.post(url, data={"csrf_token": csrf_from(page), "version": version_on(page), "follow_up": "Too late"})
    assert response.status_code == 404 and plan_of(clinic.alex) is None


@pytest.mark.parametrize("who", ["alex@example.org", "maria@example.org", "sam@example.org"])
def test_participants_and_admins_have_no_counselor_aftercare_page(app, clinic, make_consent, who):
    make_consent(clinic.alex, clinic.counselor)
    client = app.test_client()
    Auth(client).login(who)
    assert client.get(f"/caseload/{clinic.alex.id}/aftercare").status_code == 404
    assert client.get(f"/api/v1/participants/{clinic.alex.id}/aftercare").status_code == 404


def test_a_switched_off_counselor_cannot_read_the_plan_through_the_service(clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    clinic.counselor.active = False
    db.session.commit()
    with pytest.raises(NotFound):
        counselor_services.aftercare_plan(clinic.counselor, clinic.alex.id)


# ---- the API ----------------------------------------------------------------------------------------

def test_a_counselor_writes_and_reads_the_plan_through_the_api(app, clinic, make_consent):
    make_consent(clinic.alex, clinic.counselor)
    client = app.test_client()
    token = Auth(client).api_login("jordan@example.org")
    url = f"/api/v1/participants/{clinic.alex.id}/aftercare"
    assert client.get(url).get_json()["updated_at"] is None
    body = {"follow_up": "Outpatient group", "sponsor": {"name": "Pat", "phone": "555-0101"},
            "contacts": [{"name": "My sister", "phone": "555-0123"}], "steps": ["Book the first session"]}
    response = client.put(url, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json()["updated_by"] == {"id": clinic.counselor.id, "name": "Jordan", "role": "counselor"}
    assert client.get(url).get_json() == response.get_json()
    assert ledger_whats(clinic.alex) == ["aftercare plan", "aftercare plan, and changed it", "aftercare plan"]
    alex = app.test_client()
    Auth(alex).api_login("alex@example.org")
    assert alex.get("/api/v1/aftercare").get_json()["follow_up"] == "Outpatient group"


@pytest.mark.parametrize("body, field", [
    ({"follow_up": "x" * 4001}, "follow_up"), ({"steps": ["s"] * 21}, "steps"), ({}, "follow_up"),
    ({"sponsor": {"phone": "555-0101"}}, "sponsor_name"), ({"owner": 1}, "owner"),
])
def test_a_bad_plan_through_the_counselor_api_is_a_422(app, clinic, make_consent, body, field):
    make_consent(clinic.alex, clinic.counselor)
    client = app.test_client()
    token = Auth(client).api_login("jordan@example.org")
    response = client.put(f"/api/v1/participants/{clinic.alex.id}/aftercare", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert plan_of(clinic.alex) is None


def test_the_openapi_document_describes_the_counselor_aftercare_calls(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/participants/{participant_id}/aftercare"])

