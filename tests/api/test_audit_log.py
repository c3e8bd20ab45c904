"""The audit log over the API: filters and cursor pages as on the audit page,
for those who may read it; without access to clinical data, the names of the
changed fields only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories
from tumorboard.audit import services as audit
from tumorboard.db import today
from tumorboard.extensions import db


def _entries():
    coordinator = factories.make_user("coordinator")
    case = factories.make_case()
    other = factories.make_case()
    changed = audit.record(
        coordinator,
        "case.update",
        "case",
        case.id,
        f"Updated case {case.reference}: clinical_question",
        changes={"clinical_question": ["Old question", "New question"]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    listed = audit.record_list(
        coordinator,
        "case.list",
        "the case list",
        {"q": "Quennell"},
        case_ids=[case.id, other.id],
        patient_ids=[case.patient_id, other.patient_id],
    )
    audit.record(coordinator, "case.read", "case", other.id, "Viewed", case_id=other.id)
    db.session.commit()
    return coordinator, case, changed, listed


def test_the_administrator_reads_metadata_only(client, token_for):
    _user, _token, headers = token_for("admin")
    coordinator, case, changed, listed = _entries()
    response = client.get(
        f"/api/v1/audit/?actor_id={coordinator.id}&case_id={case.id}", headers=headers
    )
    assert response.status_code == 200, response.json
    by_id = {e["id"]: e for e in response.json["items"]}
    assert set(by_id) == {changed.id, listed.id}
    update = by_id[changed.id]
    assert update["changed_fields"] == ["clinical_question"]
    assert update["changes"] is None
    assert "Old question" not in str(response.json)
    shown = by_id[listed.id]["listed"]
    assert shown["cases"][0] == f"TB-{case.id:05d}"
    assert shown["query"] == {"q": "(search text not shown)"}
    assert "Quennell" not in str(response.json)


def test_filters_and_cursor_pages(client, token_for):
    _user, _token, headers = token_for("admin")
    coordinator, _case, changed, listed = _entries()
    actions = client.get(
        f"/api/v1/audit/?action=case.&actor_id={coordinator.id}&limit=2",
        headers=headers,
    ).json
    assert len(actions["items"]) == 2
    assert actions["items"][0]["id"] > actions["items"][1]["id"]
    rest = client.get(
        f"/api/v1/audit/?action=case.&actor_id={coordinator.id}"
        f"&cursor={actions['next_cursor']}",
        headers=headers,
    ).json
    assert [e["id"] for e in rest["items"]] == [changed.id]
    assert rest["next_cursor"] is None
    assert listed.id in [e["id"] for e in actions["items"]]
    tomorrow = (today() + timedelta(days=1)).isoformat()
    future = client.get(f"/api/v1/audit/?date_from={tomorrow}", headers=headers)
    assert future.json["items"] == []
    yesterday = (today() - timedelta(days=1)).isoformat()
    past = client.get(f"/api/v1/audit/?date_to={yesterday}", headers=headers)
    assert past.json["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=251", "limit"),
        ("date_from=soon", "date_from"),
        ("actor_id=x", "actor_id"),
    ],
)
def test_bad_filters_are_named(client, token_for, query, field):
    _user, _token, headers = token_for("admin")
    response = client.get(f"/api/v1/audit/?{query}", headers=headers)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == field


@pytest.mark.parametrize("role", ["coordinator", "radiologist"])
def test_only_audit_readers_read_the_log(client, token_for, role):
    _user, _token, headers = token_for(role)
    assert client.get("/api/v1/audit/", headers=headers).status_code == 403
