"""Recording, reading, amending a recommendation and its implementation over
the API: the recommendation services' checks and audit entries, If-Match on
the item or the revision."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.recommendations.models import Recommendation, RecommendationState


def _actions():
    return list(db.session.scalars(sa.select(AuditEntry.action)))


def _body(**overrides):
    body = {
        "conference_type": "pre_therapeutic",
        "intent": "curative",
        "types": [
            {"code": "neoadjuvant_chemotherapy"},
            {"code": "surgery", "detail": "limb_salvage"},
        ],
        "free_text": "MAP chemotherapy, then limb-salvage resection.",
        "rationale": "High-grade osteosarcoma without metastases.",
        "start_by": (today() + timedelta(days=14)).isoformat(),
    }
    body.update(overrides)
    return body


def _if_match(record) -> dict:
    kind = type(record).__name__.lower()
    return {"If-Match": f'"{kind}-{record.id}-v{record.version}"'}


def test_a_draft_is_recorded_for_a_discussed_item(client, token_for):
    setup = rf.discussed_item()
    _user, _token, headers = token_for("coordinator")
    url = f"/api/v1/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"
    assert client.post(url, json=_body(), headers=headers).status_code == 428
    response = client.post(
        url, json=_body(), headers={**headers, **_if_match(setup.item)}
    )
    assert response.status_code == 201, response.json
    assert response.json["state"] == "draft"
    assert response.json["revision"] == 1
    assert response.headers["ETag"] == f'"recommendation-{response.json["id"]}-v1"'
    assert "recommendation.create" in _actions()
    twice = client.post(url, json=_body(), headers={**headers, **_if_match(setup.item)})
    assert twice.status_code == 409


def test_the_forms_rules_name_the_fields(client, token_for):
    setup = rf.discussed_item()
    _user, _token, headers = token_for("coordinator")
    url = f"/api/v1/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"
    body = _body(
        types=[{"code": "clinical_trial", "nct": "12345"}],
        consensus=False,
        start_by=(today() - timedelta(days=30)).isoformat(),
    )
    response = client.post(url, json=body, headers={**headers, **_if_match(setup.item)})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json["errors"]}
    assert {"trial_nct", "dissent", "start_by"} <= fields
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 0


def test_a_listed_item_of_a_meeting_not_started_takes_no_draft(client, token_for):
    setup = rf.discussed_item(item_status="listed", status="published")
    _user, _token, headers = token_for("coordinator")
    url = f"/api/v1/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"
    response = client.post(
        url, json=_body(), headers={**headers, **_if_match(setup.item)}
    )
    assert response.status_code == 422


def test_an_unpublished_agenda_hides_its_items_from_clinicians(client, token_for):
    setup = rf.discussed_item(status="planned")
    _user, _token, headers = token_for("radiologist")
    url = f"/api/v1/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"
    response = client.post(
        url, json=_body(), headers={**headers, **_if_match(setup.item)}
    )
    assert response.status_code == 404


def test_one_revision_is_an_audited_read(client, token_for):
    rec = rf.signed_recommendation()
    _user, _token, headers = token_for("radiologist")
    db.session.commit()
    response = client.get(f"/api/v1/recommendations/{rec.id}", headers=headers)
    assert response.status_code == 200
    assert response.json["state"] == "signed"
    assert response.headers["ETag"] == _if_match(rec)["If-Match"]
    assert "recommendation.read" in _actions()
    _user, _token, admin = token_for("admin")
    assert client.get(
        f"/api/v1/recommendations/{rec.id}", headers=admin
    ).status_code == (403)
    assert client.get(
        "/api/v1/recommendations/999999", headers=headers
    ).status_code == (404)


def test_amending_a_signed_revision_starts_a_new_draft(client, token_for):
    rec = rf.signed_recommendation()
    _user, _token, headers = token_for("medical_oncologist")
    db.session.commit()
    url = f"/api/v1/recommendations/{rec.id}/amendments"
    body = _body(intent="palliative", amendment_reason="Metastases on restaging.")
    without_reason = client.post(
        url, json=_body(intent="palliative"), headers={**headers, **_if_match(rec)}
    )
    assert without_reason.status_code == 422
    assert without_reason.json["errors"][0]["field"] == "amendment_reason"
    stale = client.post(
        url, json=body, headers={**headers, "If-Match": f'"recommendation-{rec.id}-v0"'}
    )
    assert stale.status_code == 412
    response = client.post(url, json=body, headers={**headers, **_if_match(rec)})
    assert response.status_code == 201, response.json
    assert response.json["revision"] == 2
    assert response.json["supersedes_id"] == rec.id
    assert response.json["amendment_reason"] == "Metastases on restaging."
    assert db.session.get(Recommendation, rec.id).state == RecommendationState.SIGNED
    assert "recommendation.amend" in _actions()


def test_implementation_is_recorded_by_the_coordinator(client, token_for):
    rec = rf.signed_recommendation()
    _user, _token, headers = token_for("coordinator")
    db.session.commit()
    url = f"/api/v1/recommendations/{rec.id}/implementation"
    deviated = {"implementation_status": "deviated", "implementation_date": None}
    no_date = client.put(url, json=deviated, headers={**headers, **_if_match(rec)})
    assert no_date.status_code == 422
    assert no_date.json["errors"][0]["field"] == "implementation_date"
    body = {
        "implementation_status": "deviated",
        "implementation_date": today().isoformat(),
        "deviation_reason": "patient_wish",
        "patient_wish": "yes",
    }
    assert client.put(url, json=body, headers=headers).status_code == 428
    response = client.put(url, json=body, headers={**headers, **_if_match(rec)})
    assert response.status_code == 200, response.json
    assert response.json["implementation_status"] == "deviated"
    assert response.json["deviation_reason"] == "patient_wish"
    assert "recommendation.implementation" in _actions()


def test_only_the_lead_clinician_among_clinicians_records_implementation(
    client, token_for
):
    rec = rf.signed_recommendation()
    _user, _token, headers = token_for("radiologist")
    db.session.commit()
    response = client.put(
        f"/api/v1/recommendations/{rec.id}/implementation",
        json={"implementation_status": "in_progress"},
        headers={**headers, **_if_match(rec)},
    )
    assert response.status_code == 403
