"""PATCH of a case's intake over the API: the fields sent change, the others
are kept, the whole intake is checked as on the form, If-Match required."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case
from tumorboard.extensions import db


def test_some_fields_change_and_the_rest_is_kept(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    db.session.commit()
    before = client.get(f"/api/v1/cases/{case.id}", headers=headers).json
    url = f"/api/v1/cases/{case.id}"
    body = {"clinical_question": "Is limb salvage possible?", "urgency": "routine"}
    assert client.patch(url, json=body, headers=headers).status_code == 428
    response = client.patch(
        url, json=body, headers={**headers, "If-Match": f'"case-{case.id}-v1"'}
    )
    assert response.status_code == 200, response.json
    assert response.headers["ETag"] == f'"case-{case.id}-v2"'
    after = response.json
    assert after["clinical_question"] == "Is limb salvage possible?"
    assert after["urgency"] == "routine"
    for key in ("bone", "laterality", "presentation", "referral_date", "site_code"):
        assert after[key] == before[key]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "case.update")
    )
    assert set(entry.changes) == {"clinical_question", "urgency"}
    stale = client.patch(
        url, json=body, headers={**headers, "If-Match": f'"case-{case.id}-v1"'}
    )
    assert stale.status_code == 412


def test_the_intake_rules_name_the_field(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    db.session.commit()
    url = f"/api/v1/cases/{case.id}"
    etag = {"If-Match": f'"case-{case.id}-v1"'}
    early = client.patch(
        url, json={"referral_date": "1900-01-01"}, headers={**headers, **etag}
    )
    assert early.status_code == 422
    assert early.json["errors"][0]["field"] == "referral_date"
    empty = client.patch(url, json={"presentation": None}, headers={**headers, **etag})
    assert empty.status_code == 422
    assert empty.json["errors"][0]["field"] == "presentation"
    unknown = client.patch(url, json={"colour": "red"}, headers={**headers, **etag})
    assert unknown.json["errors"][0]["field"] == "colour"
    assert db.session.get(Case, case.id).version == 1


def test_clinicians_do_not_edit_cases(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    response = client.patch(
        f"/api/v1/cases/{case.id}",
        json={"urgency": "routine"},
        headers={**headers, "If-Match": f'"case-{case.id}-v1"'},
    )
    assert response.status_code == 403
