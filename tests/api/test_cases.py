"""Cases and patients over the API: the same services, rules and audit as
the web pages; cursor pages, ETag/If-Match, problem details."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db

PROBLEM = "application/problem+json"


def _actions():
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action))]


def test_cases_come_in_cursor_pages(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    cases = [factories.make_case() for _ in range(5)]
    db.session.commit()
    first = client.get("/api/v1/cases/?limit=2", headers=headers)
    assert first.status_code == 200
    assert [c["id"] for c in first.json["items"]] == [cases[4].id, cases[3].id]
    cursor = first.json["next_cursor"]
    second = client.get(f"/api/v1/cases/?limit=2&cursor={cursor}", headers=headers)
    assert [c["id"] for c in second.json["items"]] == [cases[2].id, cases[1].id]
    last = client.get(
        f"/api/v1/cases/?limit=2&cursor={second.json['next_cursor']}", headers=headers
    )
    assert [c["id"] for c in last.json["items"]] == [cases[0].id]
    assert last.json["next_cursor"] is None
    assert _actions().count("case.list") == 3


@pytest.mark.parametrize("query", ["limit=251", "limit=0", "cursor=nonsense"])
def test_a_page_holds_at_most_250_and_a_bad_cursor_is_named(client, token_for, query):
    _user, _token, headers = token_for("coordinator")
    response = client.get(f"/api/v1/cases/?{query}", headers=headers)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["errors"][0]["field"] == query.split("=")[0]


def test_filters_are_the_worklists(client, token_for):
    _user, _token, headers = token_for("coordinator")
    factories.make_case(status=CaseStatus.WORKUP)
    referred = factories.make_case()
    db.session.commit()
    response = client.get("/api/v1/cases/?status=referred", headers=headers)
    assert [c["id"] for c in response.json["items"]] == [referred.id]


def test_one_case_with_its_etag_is_an_audited_read(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    response = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert response.status_code == 200
    assert response.json["reference"] == case.reference
    assert response.headers["ETag"] == f'"case-{case.id}-v1"'
    assert "case.read" in _actions()


def test_a_missing_case_is_a_404_problem(client, token_for):
    _user, _token, headers = token_for("radiologist")
    response = client.get("/api/v1/cases/999999", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["status"] == 404


def test_an_unknown_address_under_the_api_is_a_problem(client, token_for):
    _user, _token, headers = token_for("radiologist")
    response = client.get("/api/v1/nothing-here", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


def _transition(client, headers, case, **extra):
    return client.post(
        f"/api/v1/cases/{case.id}/transitions",
        json={"target": "workup", **extra},
        headers=headers,
    )


def test_a_status_move_needs_if_match(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    db.session.commit()
    missing = _transition(client, headers, case)
    assert missing.status_code == 428
    stale = _transition(client, {**headers, "If-Match": f'"case-{case.id}-v0"'}, case)
    assert stale.status_code == 412
    assert stale.headers["ETag"] == f'"case-{case.id}-v1"'
    moved = _transition(client, {**headers, "If-Match": f'"case-{case.id}-v1"'}, case)
    assert moved.status_code == 200, moved.json
    assert moved.json["status"] == "workup"
    assert moved.headers["ETag"] == f'"case-{case.id}-v2"'
    assert db.session.get(Case, case.id).status == CaseStatus.WORKUP


def test_a_move_the_workflow_refuses_is_422_with_the_reason(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    db.session.commit()
    response = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        json={"target": "closed"},
        headers={**headers, "If-Match": f'"case-{case.id}-v1"'},
    )
    assert response.status_code == 422
    assert response.json["detail"]


def test_unknown_fields_are_refused_and_named(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    db.session.commit()
    response = _transition(
        client, {**headers, "If-Match": f'"case-{case.id}-v1"'}, case, colour="red"
    )
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"field": "colour", "message": "Unknown field.", "location": "json"}
    ]
    assert "colour" in response.json["detail"]


def test_malformed_json_and_wrong_content_type(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    db.session.commit()
    url = f"/api/v1/cases/{case.id}/transitions"
    headers = {**headers, "If-Match": f'"case-{case.id}-v1"'}
    broken = client.post(
        url, data="{not json", headers=headers, content_type="application/json"
    )
    assert broken.status_code == 400
    assert broken.mimetype == PROBLEM
    form = client.post(url, data={"target": "workup"}, headers=headers)
    assert form.status_code == 415
    assert form.mimetype == PROBLEM


def test_registering_a_case_calls_the_intake_service(client, token_for):
    _user, _token, headers = token_for("coordinator")
    patient = factories.make_patient()
    db.session.commit()
    data = factories.case_form_data()
    body = {k: v for k, v in data.items() if v != ""}
    body["patient_id"] = patient.id
    response = client.post("/api/v1/cases/", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "referred"
    assert response.json["site_code"] == "C40.2"
    assert "case.create" in _actions()


def test_intake_refusals_name_the_field(client, token_for):
    _user, _token, headers = token_for("coordinator")
    patient = factories.make_patient()
    db.session.commit()
    body = {k: v for k, v in factories.case_form_data().items() if v != ""}
    body.update(patient_id=patient.id, referral_date="1900-01-01")
    response = client.post("/api/v1/cases/", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "referral_date"
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_a_clinician_cannot_register_cases(client, token_for):
    _user, _token, headers = token_for("radiologist")
    response = client.post("/api/v1/cases/", json={}, headers=headers)
    assert response.status_code == 403


def test_editing_a_case_needs_the_current_etag(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    db.session.commit()
    body = {k: v for k, v in factories.case_form_data().items() if v != ""}
    body["clinical_question"] = "Is limb salvage possible?"
    url = f"/api/v1/cases/{case.id}"
    assert client.put(url, json=body, headers=headers).status_code == 428
    done = client.put(
        url, json=body, headers={**headers, "If-Match": f'"case-{case.id}-v1"'}
    )
    assert done.status_code == 200, done.json
    assert done.json["clinical_question"] == "Is limb salvage possible?"
    again = client.put(
        url, json=body, headers={**headers, "If-Match": f'"case-{case.id}-v1"'}
    )
    assert again.status_code == 412


def test_patients_search_and_record(client, token_for):
    _user, _token, headers = token_for("coordinator")
    patient = factories.make_patient(family_name="Quennell")
    db.session.commit()
    found = client.get("/api/v1/patients/?q=Quennell", headers=headers)
    assert [p["id"] for p in found.json["items"]] == [patient.id]
    one = client.get(f"/api/v1/patients/{patient.id}", headers=headers)
    assert one.json["mrn"] == patient.mrn
    assert one.headers["ETag"] == f'"patient-{patient.id}-v1"'
    assert {"patient.list", "patient.read"} <= set(_actions())
    assert client.get("/api/v1/patients/", headers=headers).json == {"items": []}


def test_a_browser_session_reads_but_changes_only_with_csrf(app, client, login_as):
    """A signed-in browser uses the API same-origin, with the CSRF token."""
    case = factories.make_case()
    db.session.commit()
    login_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.get(f"/api/v1/cases/{case.id}").status_code == 200
    refused = _transition(client, {"If-Match": f'"case-{case.id}-v1"'}, case)
    assert refused.status_code == 403
    assert "X-CSRFToken" in refused.json["detail"]
    assert "access.csrf_refused" in _actions()
