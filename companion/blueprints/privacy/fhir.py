"""All of a participant's data as a FHIR R4 Bundle of type collection."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from companion.models import User

# Substance use treatment information, restricted: every resource is labelled so that a receiving
# system knows it is 42 CFR Part 2 data.
SECURITY = [
    {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SUD", "display": "substance use disorder information sensitivity"},
    {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R", "display": "restricted"},
]
LIFECYCLE = {"active": "active", "done": "completed", "archived": "on-hold"}
ACHIEVEMENT = {"active": ("in-progress", "In Progress"), "done": ("achieved", "Achieved"), "archived": ("not-attainable", "Not Attainable")}
BASE = "urn:uuid:"


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _ref(namespace: str, key) -> str:
    return BASE + str(uuid.uuid5(uuid.NAMESPACE_URL, f"companion:{namespace}:{key}"))


def bundle(user: User, data: dict) -> dict:
    """A FHIR R4 ``collection`` Bundle of the Patient, Goals, Observations, Consents and AuditEvents."""
    patient_url = _ref("patient", user.ledger_ref)
    entries = [{"fullUrl": patient_url, "resource": {
        "resourceType": "Patient", "meta": {"security": SECURITY},
        "name": [{"text": user.name}], "telecom": [{"system": "email", "value": user.email}],
    }}]
    subject = {"reference": patient_url}
    for goal in data["goals"]:
        code, display = ACHIEVEMENT[goal["status"]]
        resource = {
            "resourceType": "Goal", "meta": {"security": SECURITY},
            "lifecycleStatus": LIFECYCLE[goal["status"]],
            "achievementStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                                              "code": code, "display": display}]},
            "category": [{"text": goal["category"]}],
            "description": {"text": goal["title"]},
            "subject": subject,
            "startDate": goal["created_at"].date().isoformat(),
            "note": [{"text": f"Why it matters: {goal['why']}"}] if goal["why"] else [],
        }
        if goal["target_date"]:
            resource["target"] = [{"dueDate": goal["target_date"].isoformat()}]
        resource["note"] += [{"text": f"Step {s['position'] + 1}: {s['title']}" + (" (done)" if s["done"] else "")}
                             for s in goal["steps"]]
        if not resource["note"]:
            del resource["note"]
        entries.append({"fullUrl": _ref("goal", goal["id"]), "resource": resource})
    for key, observation in observations(data):
        entries.append({"fullUrl": _ref("observation", key),
                        "resource": {"resourceType": "Observation", "meta": {"security": SECURITY}, "status": "final",
                                     "subject": subject, **observation}})
    for key, statement in medication_statements(data):
        entries.append({"fullUrl": _ref("medication", key),
                        "resource": {"resourceType": "MedicationStatement", "meta": {"security": SECURITY},
                                     "subject": subject, **statement}})
    for checkin in data.get("weekly_checkins", []):
        response_url = _ref("weekly", checkin["id"])
        entries.append({"fullUrl": response_url, "resource": weekly_response(checkin, subject)})
        for scale, text, maximum in BAM_SCALES:
            entries.append({"fullUrl": _ref("weekly-score", f"{checkin['id']}:{scale}"), "resource": {
                "resourceType": "Observation", "meta": {"security": SECURITY}, "status": "final", "subject": subject,
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                          "code": "survey", "display": "Survey"}]}],
                "code": {"text": f"Brief Addiction Monitor {text} score (0-{maximum}), past 7 days"},
                "effectiveDateTime": checkin["week_of"].isoformat(),
                "valueInteger": checkin["scores"][scale],
                "derivedFrom": [{"reference": response_url}],
            }})
    for consent in data["consents"]:
        resource = {
            "resourceType": "Consent", "meta": {"security": SECURITY},
            "status": "inactive" if consent["revoked_at"] or consent["expires_on"] < datetime.now(UTC).date() else "active",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}],
            "patient": subject,
            "dateTime": _instant(consent["signed_at"]),
            "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
            "provision": {
                "type": "permit",
                "period": {"start": _instant(consent["signed_at"]), "end": consent["expires_on"].isoformat()},
                "actor": [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]},
                           "reference": {"display": f"Counselor {consent['counselor_id']}"}}],
                "purpose": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "TREAT",
                             "display": consent["purpose"][:200]}],
                "class": [{"system": "urn:companion:scope", "code": scope} for scope in consent["scopes"]],
            },
        }
        entries.append({"fullUrl": _ref("consent", consent["id"]), "resource": resource})
    for index, disclosure in enumerate(data["disclosures"]):
        resource = {
            "resourceType": "AuditEvent", "meta": {"security": SECURITY},
            "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110106", "display": "Export"}
            if disclosure["action"] == "export" else
            {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"},
            "action": "R",
            "recorded": _instant(disclosure["at"]),
            "agent": [{"who": {"display": disclosure["actor"]}, "requestor": True}],
            "source": {"observer": {"display": "Companion"}},
            "entity": [{"what": subject, "description": disclosure["what"]}],
        }
        entries.append({"fullUrl": _ref("audit", f"{user.ledger_ref}:{index}"), "resource": resource})
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "meta": {"security": SECURITY}, "type": "collection",
            "timestamp": _instant(datetime.now(UTC)), "entry": entries}


def observations(data: dict):
    """Journal entries and check-ins as Observation bodies, each with a stable key."""
    for e in data.get("log_entries", []):
        body = {"code": {"text": f"{e['kind'].capitalize()} intensity (0-10)"},
                "effectiveDateTime": _instant(e["occurred_at"])}
        if e["intensity"] is not None:
            body["valueInteger"] = e["intensity"]
        if e["note"]:
            body["note"] = [{"text": e["note"]}]
        yield f"log:{e['id']}", body
    for c in data.get("checkins", []):
        components = [{"code": {"text": "Mood (1-5)"}, "valueInteger": c["mood"]},
                      {"code": {"text": "Craving (0-10)"}, "valueInteger": c["craving"]},
                      {"code": {"text": "Used today"}, "valueBoolean": c["used"]}]
        if c["sleep_hours"] is not None:
            components.append({"code": {"text": "Hours slept"}, "valueQuantity": {
                "value": c["sleep_hours"], "unit": "h", "system": "http://unitsofmeasure.org", "code": "h"}})
        yield f"checkin:{c['id']}", {"code": {"text": "Daily check-in"}, "effectiveDateTime": c["date"].isoformat(),
                                     "component": components}


DAYS_OF_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def medication_statements(data: dict):
    """Each medication as a MedicationStatement body, with its schedule as a Timing and its doses counted."""
    doses: dict[int, dict[str, int]] = {}
    for dose in data.get("doses", []):
        counts = doses.setdefault(dose["medication_id"], {})
        counts[dose["status"]] = counts.get(dose["status"], 0) + 1
    today = datetime.now(UTC).date()
    for m in data.get("medications", []):
        schedule = m["schedule"]
        repeat = {"timeOfDay": [f"{t}:00" for t in schedule["times"]]}
        if schedule["every_days"]:
            repeat.update(frequency=1, period=schedule["every_days"], periodUnit="d")
        elif schedule["weekdays"] is not None:
            repeat["dayOfWeek"] = [DAYS_OF_WEEK[d] for d in schedule["weekdays"]]
        ended = m["end_date"] is not None and m["end_date"] < today
        period = {"start": m["start_date"].isoformat()}
        if m["end_date"] is not None:
            period["end"] = m["end_date"].isoformat()
        text = m["dose"] or m["name"]
        body = {"status": "completed" if ended else "active" if m["active"] else "on-hold",
                "medicationCodeableConcept": {"text": m["name"]},
                "effectivePeriod": period,
                "dateAsserted": _instant(m["created_at"]),
                "dosage": [{"text": text + (" (dosed at a clinic)" if m["clinic_dosed"] else ""),
                            "timing": {"repeat": repeat}}]}
        counts = doses.get(m["id"])
        if counts:
            body["note"] = [{"text": "Doses recorded: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))}]
        yield m["id"], body


BAM_SCALES = (("use", "Use", 12), ("risk", "Risk", 24), ("protective", "Protective", 24))


def weekly_response(checkin: dict, subject: dict) -> dict:
    """A weekly check-in as a completed QuestionnaireResponse, one item per BAM question with its answer code."""
    from companion.blueprints.weekly.bam import ITEMS

    items = []
    for item in ITEMS:
        code = checkin["answers"].get(str(item.number))
        if code is None:
            continue
        entry = {"linkId": str(item.number), "text": str(item.text)}
        entry["answer"] = ([{"valueInteger": int(code)}] if code.isdigit() else
                           [{"valueString": code}])
        items.append(entry)
    return {"resourceType": "QuestionnaireResponse", "meta": {"security": SECURITY}, "status": "completed",
            "subject": subject, "authored": _instant(checkin["updated_at"]),
            "item": items}
