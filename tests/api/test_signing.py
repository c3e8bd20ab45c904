"""Signing a recommendation over the API: the chair only, with their own
password as on the signing page, If-Match required; refusals are counted and
audited."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.extensions import db
from tumorboard.recommendations import services
from tumorboard.recommendations.models import Recommendation, RecommendationState


def _draft():
    setup = rf.discussed_item()
    coordinator = factories.make_user("coordinator")
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    db.session.commit()
    return setup, rec


def _sign(client, headers, rec, password=factories.PASSWORD, version=None):
    return client.post(
        f"/api/v1/recommendations/{rec.id}/signature",
        json={"password": password},
        headers={
            **headers,
            "If-Match": f'"recommendation-{rec.id}-v{version or rec.version}"',
        },
    )


def test_the_chair_signs_with_their_password(client, token_for):
    setup, rec = _draft()
    _user, _token, headers = token_for(user=setup.chair)
    response = _sign(client, headers, rec)
    assert response.status_code == 200, response.json
    assert response.json["state"] == "signed"
    assert response.json["signed_by_id"] == setup.chair.id
    signed = db.session.get(Recommendation, rec.id)
    assert signed.state == RecommendationState.SIGNED


def test_a_wrong_password_is_refused_counted_and_audited(client, token_for):
    setup, rec = _draft()
    _user, _token, headers = token_for(user=setup.chair)
    response = _sign(client, headers, rec, password="not my password")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert db.session.get(Recommendation, rec.id).state == RecommendationState.DRAFT
    assert db.session.get(User, setup.chair.id).step_up_failures == 1
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert "auth.step_up_failed" in actions


def test_someone_other_than_the_chair_cannot_sign(client, token_for):
    _setup, rec = _draft()
    _user, _token, headers = token_for("medical_oncologist")
    response = _sign(client, headers, rec)
    assert response.status_code == 403
    assert db.session.get(Recommendation, rec.id).state == RecommendationState.DRAFT


def test_signing_needs_the_current_version(client, token_for):
    setup, rec = _draft()
    _user, _token, headers = token_for(user=setup.chair)
    no_match = client.post(
        f"/api/v1/recommendations/{rec.id}/signature",
        json={"password": factories.PASSWORD},
        headers=headers,
    )
    assert no_match.status_code == 428
    assert _sign(client, headers, rec, version=99).status_code == 412


def test_a_missing_recommendation_is_404(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    response = client.post(
        "/api/v1/recommendations/999999/signature",
        json={"password": "x"},
        headers={**headers, "If-Match": '"recommendation-999999-v1"'},
    )
    assert response.status_code == 404
