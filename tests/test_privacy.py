"""Consents, the disclosure ledger, export and deletion."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from companion.blueprints.privacy import ledger
from companion.extensions import db
from companion.models import Consent, DisclosureEntry, Goal, User
from tests.conftest import PASSWORD, Auth, csrf_from


def consent_form(client, **changes):
    page = client.get("/privacy/consents/new").get_data(as_text=True)
    data = {"counselor_id": "", "scopes": ["goals"], "purpose": "To support my treatment", "signature": "Alex Morgan",
            "expires_on": (date.today() + timedelta(days=60)).isoformat(), "csrf_token": csrf_from(page)}
    data.update(changes)
    return client.post("/privacy/consents/new", data=data)


def test_a_consent_names_every_element_of_a_part_2_consent(client, auth, clinic):
    auth.login("alex@example.org")
    page = client.get("/privacy/consents/new").get_data(as_text=True)
    for element in ["Alex", "Riverside IOP", "What they may see", "Who may see it", "Why (the purpose)",
                    "How to revoke", "This consent ends on", "Type your full name to sign", "Signed today"]:
        assert element in page, element
    response = consent_form(client, counselor_id=str(clinic.counselor.id), scopes=["goals", "checkins"])
    assert response.status_code == 303
    consent = db.session.scalar(db.select(Consent))
    assert consent.participant_id == clinic.alex.id and consent.counselor_id == clinic.counselor.id
    assert consent.scope_list == ["goals", "checkins"] and consent.signature == "Alex Morgan"
    assert consent.program_name == "Riverside IOP" and "revoke" in consent.revocation_statement


@pytest.mark.parametrize("language, plain, legal", [
    ("en", "the program that holds your information and shares it", "who discloses it"),
    ("es", "el programa que guarda tu información y la comparte", "quien lo divulga"),
])
def test_the_consent_names_who_discloses_in_plain_words(client, auth, clinic, language, plain, legal):
    clinic.alex.language = language
    db.session.commit()
    auth.login("alex@example.org")
    page = client.get("/privacy/consents/new").get_data(as_text=True)
    assert f"<strong>Riverside IOP</strong> ({plain})" in page and legal not in page


@pytest.mark.parametrize("changes, field", [
    ({"counselor_id": ""}, "counselor_id"),
    ({"scopes": []}, "scopes"),
    ({"scopes": ["everything"]}, "scopes"),
    ({"purpose": ""}, "purpose"),
    ({"purpose": "p" * 501}, "purpose"),
    ({"expires_on": ""}, "expires_on"),
    ({"expires_on": "2020-01-01"}, "expires_on"),
    ({"expires_on": (date.today() + timedelta(days=800)).isoformat()}, "expires_on"),
    ({"signature": ""}, "signature"),
])
def test_a_consent_without_each_element_is_refused_and_keeps_the_rest(client, auth, clinic, changes, field):
    auth.login("alex@example.org")
    changes = dict(changes)  # parameters are shared between the SQLite and PostgreSQL runs
    if field != "counselor_id":
        changes.setdefault("counselor_id", str(clinic.counselor.id))
    response = consent_form(client, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if field != "purpose":
        assert "To support my treatment" in page
    assert db.session.scalar(db.select(db.func.count(Consent.id))) == 0


def test_a_consent_cannot_name_another_programs_counselor(client, auth, clinic):
    auth.login("alex@example.org")
    response = consent_form(client, counselor_id=str(clinic.stranger.id))
    assert response.status_code == 422


def test_revoking_is_one_tap_and_another_persons_consent_is_404(client, auth, clinic, make_consent):
    mine = make_consent(clinic.alex, clinic.counselor)
    theirs = make_consent(clinic.maria, clinic.counselor)
    auth.login("alex@example.org")
    token = csrf_from(client.get("/privacy").get_data(as_text=True))
    assert client.post(f"/privacy/consents/{theirs.id}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/privacy/consents/{mine.id}/revoke", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Consent, mine.id).revoked_at is not None
    assert db.session.get(Consent, theirs.id).revoked_at is None


def api_as(client, email):
    token = Auth(client).api_login(email)
    return {"X-CSRFToken": token}


def test_consents_through_the_api(client, clinic):
    headers = api_as(client, "alex@example.org")
    assert client.get("/api/v1/counselors").get_json() == [{"id": clinic.counselor.id, "name": "Jordan"}]
    body = {"counselor_id": clinic.counselor.id, "scopes": ["goals"], "purpose": "Treatment",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(), "signature": "Alex Morgan"}
    response = client.post("/api/v1/consents", json=body, headers=headers)
    assert response.status_code == 201
    consent = response.get_json()
    assert set(consent) == {"id", "counselor_id", "scopes", "purpose", "expires_on", "signature", "signed_at", "revoked_at",
                            "medication_names"}
    assert client.get("/api/v1/consents").get_json() == [consent]
    revoked = client.delete(f"/api/v1/consents/{consent['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]


@pytest.mark.parametrize("missing", ["purpose", "expires_on", "signature", "scopes", "counselor_id"])
def test_a_consent_post_without_an_element_is_422(client, clinic, missing):
    headers = api_as(client, "alex@example.org")
    body = {"counselor_id": clinic.counselor.id, "scopes": ["goals"], "purpose": "Treatment",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(), "signature": "Alex Morgan"}
    del body[missing]
    response = client.post("/api/v1/consents", json=body, headers=headers)
    assert response.status_code == 422 and missing in response.get_json()["errors"]


@pytest.mark.parametrize("change", [{"scopes": ["all"]}, {"scopes": []}, {"expires_on": "yesterday"},
                                    {"purpose": "p" * 501}, {"counselor_id": "1"}, {"signature": "\x00\x00"}])
def test_bad_consent_bodies_are_422(client, clinic, change):
    headers = api_as(client, "alex@example.org")
    body = {"counselor_id": clinic.counselor.id, "scopes": ["goals"], "purpose": "Treatment",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(), "signature": "Alex Morgan", **change}
    assert client.post("/api/v1/consents", json=body, headers=headers).status_code == 422


def test_revoking_another_persons_consent_through_the_api_is_404(client, clinic, make_consent):
    theirs = make_consent(clinic.maria, clinic.counselor)
    headers = api_as(client, "alex@example.org")
    assert client.delete(f"/api/v1/consents/{theirs.id}", headers=headers).status_code == 404


def test_the_ledger_chains_rows_and_verify_finds_an_altered_one(app, runner, clinic, make_consent):
    consent = make_consent(clinic.alex, clinic.counselor)
    for n in range(3):
        ledger.record(clinic.counselor, [consent], "view", f"look {n}")
    assert ledger.verify() == []
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "3 rows" in result.output
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE disclosure_entry SET what = 'nothing to see' WHERE seq = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "row 2 was altered" in result.output


def test_concurrent_staff_views_all_reach_the_ledger_in_one_chain(app, clinic, make_consent):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single writer: appends cannot race there")
    from concurrent.futures import ThreadPoolExecutor

    # Only ids cross into the threads: the test's own objects belong to its session.
    consent_ids = [make_consent(person, clinic.counselor).id for person in (clinic.alex, clinic.maria)]
    counselor_id = clinic.counselor.id

    def look(n):
        with app.app_context():
            counselor = db.session.get(User, counselor_id)
            mine = [db.session.get(Consent, consent_id) for consent_id in consent_ids]
            for k in range(10):
                ledger.record(counselor, mine, "view", f"caseload {n}.{k}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(look, range(8)))
    assert db.session.scalar(db.select(db.func.count()).select_from(DisclosureEntry)) == 8 * 10 * 2
    assert ledger.verify() == []


def test_verify_finds_a_removed_row(app, runner, clinic, make_consent):
    consent = make_consent(clinic.alex, clinic.counselor)
    for n in range(3):
        ledger.record(clinic.counselor, [consent], "view", f"look {n}")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM disclosure_entry WHERE seq = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "missing" in result.output


def test_the_participant_sees_who_saw_what_and_can_download_it(client, auth, clinic, make_consent, make_goal):
    consent = make_consent(clinic.alex, clinic.counselor)
    make_goal(clinic.alex, shared=True)
    Auth(counselor := client.application.test_client()).login("jordan@example.org")
    counselor.get("/caseload")
    auth.login("alex@example.org")
    page = client.get("/privacy/who-saw-what").get_data(as_text=True)
    assert "Jordan" in page and "caseload" in page
    assert "Jordan" not in client.get("/privacy/who-saw-what?who=nobody").get_data(as_text=True)
    rows = client.get("/api/v1/audit").get_json()
    assert rows[0]["actor"] == "Jordan" and rows[0]["action"] == "view" and set(rows[0]) == {"at", "actor", "action", "what"}
    csv_text = client.get("/privacy/who-saw-what.csv").get_data(as_text=True)
    assert csv_text.startswith("when,who,role,action,what,purpose") and "Jordan" in csv_text
    assert consent.purpose in csv_text


def test_no_one_can_edit_or_delete_ledger_rows_through_the_app(app):
    for rule in app.url_map.iter_rules():
        assert "ledger" not in rule.rule or rule.methods <= {"GET", "HEAD", "OPTIONS"}


def test_export_holds_all_my_data_and_nothing_of_others(client, clinic, make_goal):
    make_goal(clinic.alex, title="My own goal")
    make_goal(clinic.maria, title="Maria's goal")
    api_as(client, "alex@example.org")
    data = client.get("/api/v1/export").get_json()
    assert data["account"]["email"] == "alex@example.org"
    assert [g["title"] for g in data["goals"]] == ["My own goal"]
    assert "Maria" not in json.dumps(data)


def test_fhir_export_is_a_valid_r4_collection_bundle(client, clinic, make_goal, make_consent):
    from fhir.resources.R4B.bundle import Bundle

    make_goal(clinic.alex, title="Sleep", steps=["a", "b"], done=1, shared=True, target_date=date.today() + timedelta(days=9))
    make_goal(clinic.alex, title="Done one", status="done")
    consent = make_consent(clinic.alex, clinic.counselor)
    ledger.record(clinic.counselor, [consent], "export", "caseload CSV")
    api_as(client, "alex@example.org")
    response = client.get("/api/v1/export/fhir")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    document = response.get_json()
    bundle = Bundle.model_validate(document)
    assert bundle.type == "collection"
    kinds = sorted(entry.resource.get_resource_type() for entry in bundle.entry)
    assert kinds == ["AuditEvent", "Consent", "Goal", "Goal", "Patient"]
    goals = [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Goal"]
    assert {g["lifecycleStatus"] for g in goals} == {"active", "completed"}
    assert any(g.get("target") for g in goals)
    assert all(e["resource"]["meta"]["security"] for e in document["entry"])


def test_the_privacy_page_offers_both_downloads(client, auth, clinic):
    auth.login("alex@example.org")
    page = client.get("/privacy").get_data(as_text=True)
    assert "/privacy/export.json" in page and "/privacy/export.fhir.json" in page
    assert client.get("/privacy/export.json").get_json()["account"]["name"] == "Alex"
    assert client.get("/privacy/export.fhir.json").get_json()["resourceType"] == "Bundle"


def user_rows(user_id: int) -> dict[str, int]:
    """How many rows of every table point at this person."""
    counts = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "user_account" for fk in column.foreign_keys) or (
                        table.name == "user_account" and column.name == "id"):
                    n = conn.execute(db.select(db.func.count()).select_from(table).where(column == user_id)).scalar()
                    if n:
                        counts[f"{table.name}.{column.name}"] = n
    return counts


def test_deleting_my_account_removes_every_row_and_ends_every_session(app, client, clinic, make_goal, make_consent):
    alex_id = clinic.alex.id
    make_goal(clinic.alex, shared=True)
    consent = make_consent(clinic.alex, clinic.counselor)
    ledger.record(clinic.counselor, [consent], "view", "caseload")
    other_device = app.test_client()
    Auth(other_device).login("alex@example.org")
    headers = api_as(client, "alex@example.org")
    assert client.delete("/api/v1/me", json={"password": "wrong password"}, headers=headers).status_code == 422
    response = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert response.status_code == 204
    assert user_rows(alex_id) == {}
    assert other_device.get("/").status_code == 302
    assert client.get("/api/v1/session").status_code == 401
    # the ledger keeps that a disclosure happened, with nothing of the person's content
    entry = db.session.scalar(db.select(DisclosureEntry))
    assert entry.what == "caseload" and "Alex" not in (entry.what + entry.actor_name + entry.purpose)
    assert ledger.verify() == []


def test_deleting_from_the_page_asks_for_the_password(client, auth, clinic):
    auth.login("alex@example.org")
    page = client.get("/privacy/delete").get_data(as_text=True)
    assert "everything in it for good" in page
    response = client.post("/privacy/delete", data={"password": "nope", "csrf_token": csrf_from(page)})
    assert response.status_code == 422 and "not your password" in response.get_data(as_text=True)
    response = client.post("/privacy/delete", data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    assert response.status_code == 303 and "storage" in response.headers["Clear-Site-Data"]
    assert db.session.scalar(db.select(User).where(User.email == "alex@example.org")) is None
    assert db.session.scalar(db.select(db.func.count(Goal.id))) == 0


def test_fhir_export_holds_check_ins_and_cravings_as_observations(client, clinic):
    import uuid as uuidlib

    from fhir.resources.R4B.bundle import Bundle

    from companion.blueprints.journal import services as journal

    journal.log_entry(clinic.alex, entry_id=uuidlib.uuid4(), kind="craving", intensity=8, note="after work")
    journal.save_checkin(clinic.alex, checkin_id=uuidlib.uuid4(), mood=3, craving=4, used=False, sleep_hours=6.5)
    api_as(client, "alex@example.org")
    data = client.get("/api/v1/export").get_json()
    assert data["log_entries"][0]["note"] == "after work" and data["checkins"][0]["mood"] == 3
    document = client.get("/api/v1/export/fhir").get_json()
    Bundle.model_validate(document)
    observations = [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert len(observations) == 2
    assert {o["code"]["text"] for o in observations} == {"Craving intensity (0-10)", "Daily check-in"}


def test_the_printable_summary_holds_my_goals_journal_and_plans_and_nothing_of_others(client, clinic, make_goal):
    from companion.blueprints.journal import services as journal
    from companion.blueprints.support import services as support
    from tests.conftest import Auth

    make_goal(clinic.alex, title="Sleep by eleven", steps=["Phone away at ten", "Dark room"], done=1)
    make_goal(clinic.maria, title="Maria's goal")
    support.save_safety_plan(clinic.alex, {"warning_signs": ["Not sleeping"], "people": [{"name": "Mom", "phone": "555-0100"}]})
    journal.set_start_date(clinic.alex, date.today() - timedelta(days=12))
    Auth(client).login("alex@example.org")
    assert 'href="/privacy/summary"' in client.get("/privacy").get_data(as_text=True)
    response = client.get("/privacy/summary")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Sleep by eleven" in page and "Phone away at ten" in page and "50% · 1 of 2 steps done" in page
    assert "Not sleeping" in page and 'href="tel:555-0100"' in page and "sms:741741?&amp;body=HOME" in page
    assert "Maria" not in page
    assert 'src="http' not in page  # nothing from a third party: the phone's own print does it
