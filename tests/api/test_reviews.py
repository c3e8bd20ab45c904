"""Discipline reviews over the API: each discipline writes its own review
with the form's rules, If-Match on revisions, reads audited."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.reviews import factories as review_factories
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import CaseStatus
from tumorboard.extensions import db
from tumorboard.reviews.models import ReviewRevision

PROBLEM = "application/problem+json"


def _actions():
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action))]


def _url(case, discipline="radiology"):
    return f"/api/v1/cases/{case.id}/reviews/{discipline}"


def test_the_list_names_every_discipline(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    pathologist = factories.make_user("pathologist")
    review_factories.make_review(case, "pathology", author=pathologist)
    db.session.commit()
    response = client.get(f"/api/v1/cases/{case.id}/reviews", headers=headers)
    assert response.status_code == 200, response.json
    items = {i["discipline"]: i for i in response.json["items"]}
    assert set(items) == {
        "radiology",
        "pathology",
        "orthopaedic_oncology",
        "palliative_care",
    }
    assert items["pathology"]["current_number"] == 1
    assert items["pathology"]["updated_by"] == pathologist.name
    assert items["radiology"]["review_id"] is None
    assert items["radiology"]["may_write"] is True
    assert items["pathology"]["may_write"] is False
    assert "case.read" in _actions()


def test_a_radiologist_writes_then_revises_with_if_match(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    data = review_factories.radiology_data()
    first = client.put(_url(case), json={"data": data}, headers=headers)
    assert first.status_code == 200, first.json
    assert first.json["current_number"] == 1
    assert first.json["revisions"][0]["scores"]["size"]["total"] == 92
    etag = first.headers["ETag"]
    revised = {**data, "size_cc_mm": 95}
    assert (
        client.put(_url(case), json={"data": revised}, headers=headers).status_code
        == 428
    )
    second = client.put(
        _url(case), json={"data": revised}, headers={**headers, "If-Match": etag}
    )
    assert second.status_code == 200, second.json
    assert second.json["current_number"] == 2
    assert second.json["revisions"][0]["changes"]
    stale = client.put(
        _url(case),
        json={"data": {**data, "size_cc_mm": 99}},
        headers={**headers, "If-Match": etag},
    )
    assert stale.status_code == 412
    assert stale.headers["ETag"] == second.headers["ETag"]
    assert _actions().count("review.create") == 1
    assert _actions().count("review.update") == 1


def test_one_review_with_every_revision_is_an_audited_read(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    review_factories.make_review(case, "radiology")
    review_factories.make_review(case, "radiology", size_cc_mm=80)
    db.session.commit()
    response = client.get(_url(case), headers=headers)
    assert response.status_code == 200, response.json
    assert [r["number"] for r in response.json["revisions"]] == [2, 1]
    assert response.json["revisions"][0]["data"]["size_cc_mm"] == 80
    assert response.headers["ETag"].startswith('"disciplinereview-')
    assert "review.read" in _actions()


def test_the_forms_rules_name_the_field(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    too_big = review_factories.radiology_data(size_cc_mm=5000)
    response = client.put(_url(case), json={"data": too_big}, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["errors"][0]["field"] == "size_cc_mm"
    unknown = client.put(_url(case), json={"data": {"colour": "red"}}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json["errors"][0]["field"] == "colour"
    wrapper = client.put(_url(case), json={"data": {}, "x": 1}, headers=headers)
    assert wrapper.status_code == 422
    assert wrapper.json["errors"][0]["field"] == "x"
    assert db.session.scalar(sa.select(sa.func.count(ReviewRevision.id))) == 0


def test_each_discipline_writes_only_its_own(client, token_for):
    case = factories.make_case()
    closed = factories.make_case(status=CaseStatus.CLOSED)
    db.session.commit()
    _user, _token, pathologist = token_for("pathologist")
    body = {"data": review_factories.radiology_data()}
    assert client.put(_url(case), json=body, headers=pathologist).status_code == 403
    _user, _token, coordinator = token_for("coordinator")
    assert client.put(_url(case), json=body, headers=coordinator).status_code == 403
    _user, _token, radiologist = token_for("radiologist")
    assert client.put(_url(closed), json=body, headers=radiologist).status_code == 403
    assert (
        client.put(_url(case, "astrology"), json=body, headers=radiologist).status_code
        == 404
    )


def test_a_missing_review_or_case_is_a_404(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    assert client.get(_url(case), headers=headers).status_code == 404
    assert (
        client.get("/api/v1/cases/999999/reviews", headers=headers).status_code == 404
    )
    first_with_if_match = client.put(
        _url(case),
        json={"data": review_factories.radiology_data()},
        headers={**headers, "If-Match": '"disciplinereview-1-v1"'},
    )
    assert first_with_if_match.status_code == 412
