"""Action items over the API: the lists of a case and of a recommendation
(audited reads), a new action with the form's checks, and changes of status,
owner and due date with If-Match."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.recommendations import services
from tumorboard.recommendations.models import ActionItem, ActionStatus


def _actions():
    return list(db.session.scalars(sa.select(AuditEntry.action)))


def _due(days=7) -> str:
    return (today() + timedelta(days=days)).isoformat()


def _action(rec, owner):
    coordinator = factories.make_user("coordinator")
    action = services.create_action(
        coordinator,
        rec,
        {"description": "Book the MRI", "owner_id": owner.id, "due_date": today()},
    )
    db.session.commit()
    return action


def test_an_action_is_added_to_the_signed_revision(client, token_for):
    rec = rf.signed_recommendation()
    owner = factories.make_user("nurse_specialist")
    _user, _token, headers = token_for("coordinator")
    url = f"/api/v1/recommendations/{rec.id}/actions"
    body = {"description": "Book the MRI", "owner_id": owner.id, "due_date": _due()}
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["owner_id"] == owner.id
    assert response.json["status"] == "open"
    assert "action.create" in _actions()
    admin = factories.make_user("admin")
    db.session.commit()
    refused = client.post(url, json={**body, "owner_id": admin.id}, headers=headers)
    assert refused.status_code == 422
    assert refused.json["errors"][0]["field"] == "owner_id"
    late = client.post(url, json={**body, "due_date": _due(-400)}, headers=headers)
    assert late.json["errors"][0]["field"] == "due_date"


def test_the_lists_of_a_recommendation_and_a_case(client, token_for):
    rec = rf.signed_recommendation()
    owner = factories.make_user("nurse_specialist")
    action = _action(rec, owner)
    _user, _token, headers = token_for("radiologist")
    by_rec = client.get(f"/api/v1/recommendations/{rec.id}/actions", headers=headers)
    assert by_rec.status_code == 200
    assert [a["id"] for a in by_rec.json["items"]] == [action.id]
    by_case = client.get(f"/api/v1/cases/{rec.case_id}/actions", headers=headers)
    assert [a["id"] for a in by_case.json["items"]] == [action.id]
    assert {"recommendation.read", "case.read"} <= set(_actions())
    assert client.get("/api/v1/cases/999999/actions", headers=headers).status_code == (
        404
    )


def test_the_coordinator_reassigns_closes_and_reopens(client, token_for):
    rec = rf.signed_recommendation()
    owner = factories.make_user("nurse_specialist")
    other = factories.make_user("medical_oncologist")
    action = _action(rec, owner)
    _user, _token, headers = token_for("coordinator")
    url = f"/api/v1/actions/{action.id}"
    first = f'"actionitem-{action.id}-v1"'
    assert client.patch(url, json={"status": "done"}, headers=headers).status_code == (
        428
    )
    moved = client.patch(
        url,
        json={"owner_id": other.id, "due_date": _due(10)},
        headers={**headers, "If-Match": first},
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["owner_id"] == other.id
    assert moved.json["due_date"] == _due(10)
    assert "action.update" in _actions()
    stale = client.patch(
        url, json={"status": "done"}, headers={**headers, "If-Match": first}
    )
    assert stale.status_code == 412
    done = client.patch(
        url,
        json={"status": "done"},
        headers={**headers, "If-Match": moved.headers["ETag"]},
    )
    assert done.status_code == 200, done.json
    assert db.session.get(ActionItem, action.id).status == ActionStatus.DONE
    assert "action.status" in _actions()
    closed = client.patch(
        url,
        json={"due_date": _due(3)},
        headers={**headers, "If-Match": done.headers["ETag"]},
    )
    assert closed.status_code == 422
    reopened = client.patch(
        url,
        json={"status": "open", "due_date": _due(3)},
        headers={**headers, "If-Match": done.headers["ETag"]},
    )
    assert reopened.status_code == 200, reopened.json
    assert reopened.json["status"] == "open"
    assert reopened.json["due_date"] == _due(3)


def test_the_owner_closes_and_others_may_not(client, token_for):
    rec = rf.signed_recommendation()
    owner = factories.make_user("nurse_specialist")
    action = _action(rec, owner)
    _user, _token, headers = token_for("radiologist")
    response = client.patch(
        f"/api/v1/actions/{action.id}",
        json={"status": "cancelled"},
        headers={**headers, "If-Match": f'"actionitem-{action.id}-v1"'},
    )
    assert response.status_code == 403
    assert db.session.get(ActionItem, action.id).status == ActionStatus.OPEN
    empty = client.patch(
        f"/api/v1/actions/{action.id}",
        json={},
        headers={**headers, "If-Match": f'"actionitem-{action.id}-v1"'},
    )
    assert empty.status_code == 422
    _user, _token, own = token_for(user=owner)
    done = client.patch(
        f"/api/v1/actions/{action.id}",
        json={"status": "done"},
        headers={**own, "If-Match": f'"actionitem-{action.id}-v1"'},
    )
    assert done.status_code == 200, done.json
