"""Clinical status, performance status and staging over the API: the
performance service's rules, If-Match on the current assessment, the staging
the case page derives, and the audit entries the pages write."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests import factories
from tests.reviews import factories as review_factories
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import CaseStatus
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.performance.models import PerformanceStatus

PROBLEM = "application/problem+json"


def _actions():
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action))]


def _record(client, headers, case, etag=None, **body):
    body = {"assessed_on": today().isoformat(), "source": "clinic", **body}
    if etag:
        headers = {**headers, "If-Match": etag}
    return client.post(
        f"/api/v1/cases/{case.id}/performance-status", json=body, headers=headers
    )


def test_clinical_status_names_diagnosis_location_and_assessments(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case(working_diagnosis="conventional_osteosarcoma")
    review_factories.make_performance(case)
    db.session.commit()
    response = client.get(f"/api/v1/cases/{case.id}/clinical-status", headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["working_diagnosis"] == "conventional_osteosarcoma"
    assert body["diagnosis"] == case.diagnosis_label
    assert body["diagnosis_confirmed"] is False
    assert body["location"] == case.location_label
    current = body["performance_status"]["current"]
    assert (current["ecog"], current["karnofsky"], current["number"]) == (1, 80, 1)
    assert body["performance_status"]["scale"] == "ecog"
    assert response.headers["ETag"] == f'"performance-status-{case.id}-n1"'
    assert "case.read" in _actions()


def test_recording_needs_if_match_of_the_current_assessment(client, token_for):
    _user, _token, headers = token_for("medical_oncologist")
    case = factories.make_case()
    db.session.commit()
    url = f"/api/v1/cases/{case.id}/clinical-status"
    etag = client.get(url, headers=headers).headers["ETag"]
    assert etag == f'"performance-status-{case.id}-n0"'
    assert _record(client, headers, case, ecog=1).status_code == 428
    done = _record(client, headers, case, etag, ecog=1, karnofsky=90)
    assert done.status_code == 201, done.json
    assert done.json["number"] == 1
    assert done.headers["ETag"] == f'"performance-status-{case.id}-n1"'
    stale = _record(client, headers, case, etag, ecog=2)
    assert stale.status_code == 412
    assert stale.headers["ETag"] == f'"performance-status-{case.id}-n1"'
    assert _actions().count("performance_status.recorded") == 1


def test_disagreeing_values_need_the_confirmation(client, token_for):
    _user, _token, headers = token_for("palliative_care")
    case = factories.make_case()
    db.session.commit()
    etag = f'"performance-status-{case.id}-n0"'
    refused = _record(client, headers, case, etag, ecog=0, karnofsky=50)
    assert refused.status_code == 422
    assert refused.mimetype == PROBLEM
    assert refused.json["errors"][0]["field"] == "confirm_disagreement"
    assert db.session.scalar(sa.select(sa.func.count(PerformanceStatus.id))) == 0
    confirmed = _record(
        client, headers, case, etag, ecog=0, karnofsky=50, confirm_disagreement=True
    )
    assert confirmed.status_code == 201, confirmed.json
    assert confirmed.json["disagreement_confirmed"] is True


def test_the_scale_follows_the_age_on_the_day(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    child = factories.make_patient(birth_date=date(today().year - 10, 1, 1))
    case = factories.make_case(patient=child)
    db.session.commit()
    etag = f'"performance-status-{case.id}-n0"'
    refused = _record(client, headers, case, etag, ecog=1)
    assert refused.status_code == 422
    assert refused.json["errors"][0]["field"] == "ecog"
    status = client.get(f"/api/v1/cases/{case.id}/clinical-status", headers=headers)
    assert status.json["performance_status"]["scale"] == "lansky"
    assert _record(client, headers, case, etag, lansky=80).status_code == 201


def test_bad_input_is_named(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    case = factories.make_case()
    db.session.commit()
    etag = f'"performance-status-{case.id}-n0"'
    response = _record(client, headers, case, etag, ecog=1, source="corridor")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "source"
    future = _record(client, headers, case, etag, ecog=1, assessed_on="2999-01-01")
    assert future.status_code == 422
    assert future.json["errors"][0]["field"] == "assessed_on"


def test_who_may_record(client, token_for):
    case = factories.make_case()
    closed = factories.make_case(status=CaseStatus.CLOSED)
    db.session.commit()
    _user, _token, coordinator = token_for("coordinator")
    assert _record(client, coordinator, case, ecog=1).status_code == 403
    _user, _token, nurse = token_for("nurse_specialist")
    assert _record(client, nurse, closed, ecog=1).status_code == 403
    assert _record(client, nurse, case, ecog=1).status_code == 428
    missing = client.post(
        "/api/v1/cases/999999/performance-status",
        json={"assessed_on": today().isoformat(), "source": "clinic"},
        headers=nurse,
    )
    assert missing.status_code == 404


def test_staging_is_the_case_pages(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    review_factories.make_review(case, "radiology")
    review_factories.make_review(case, "pathology")
    review_factories.make_review(case, "orthopaedic_oncology")
    db.session.commit()
    response = client.get(f"/api/v1/cases/{case.id}/staging", headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["applies"] is True
    # 92 mm, no skip lesions, N0, M0, G3 in the appendicular skeleton.
    assert (body["t"], body["n"], body["m"], body["grade"]) == ("T2", "N0", "M0", "G3")
    assert body["stage_group"] == "IIB"
    assert body["enneking"] == "IIB"
    assert body["ajcc_missing"] == []
    assert "case.read" in _actions()


def test_staging_lists_what_is_missing(client, token_for):
    _user, _token, headers = token_for("pathologist")
    case = factories.make_case()
    db.session.commit()
    body = client.get(f"/api/v1/cases/{case.id}/staging", headers=headers).json
    assert body["stage_group"] is None
    assert "T, N and M (no radiology review)" in body["ajcc_missing"]
    _user, _token, admin = token_for("admin")
    refused = client.get(f"/api/v1/cases/{case.id}/staging", headers=admin)
    assert refused.status_code == 403
