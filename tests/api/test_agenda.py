"""Agenda changes over the API: listing a case, reordering, deferring and
marking discussed, with the agenda services' rules and audit entries and
If-Match on the meeting or the item."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.meetings.factories import make_board, make_item, make_meeting
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, AgendaItemStatus

PROBLEM = "application/problem+json"


def _actions():
    return list(db.session.scalars(sa.select(AuditEntry.action)))


def _etag(record) -> str:
    kind = type(record).__name__.lower()
    return f'"{kind}-{record.id}-v{record.version}"'


def _add(client, headers, meeting, **body):
    return client.post(
        f"/api/v1/meetings/{meeting.id}/items",
        json=body,
        headers={**headers, "If-Match": _etag(meeting)},
    )


def test_the_coordinator_lists_a_ready_case(client, token_for):
    _user, _token, headers = token_for("coordinator")
    board = make_board(minutes_per_case=25)
    meeting = make_meeting(board)
    case = factories.make_case(status=CaseStatus.READY)
    db.session.commit()
    url = f"/api/v1/meetings/{meeting.id}/items"
    assert client.post(url, json={"case_id": case.id}, headers=headers).status_code == (
        428
    )
    stale = client.post(
        url,
        json={"case_id": case.id},
        headers={**headers, "If-Match": f'"meeting-{meeting.id}-v0"'},
    )
    assert stale.status_code == 412
    response = _add(client, headers, meeting, case_id=case.id)
    assert response.status_code == 201, response.json
    assert response.json["case_reference"] == case.reference
    assert response.json["question"] == case.clinical_question
    assert response.json["planned_minutes"] == 25
    assert db.session.get(Case, case.id).status == CaseStatus.LISTED
    assert "agenda.add" in _actions()
    # The agenda changed: the meeting's ETag moved with it.
    again = client.get(f"/api/v1/meetings/{meeting.id}", headers=headers)
    assert again.headers["ETag"] == f'"meeting-{meeting.id}-v2"'
    assert _add(client, headers, meeting, case_id=case.id).status_code == 409


def test_listing_refusals_name_the_field(client, token_for):
    _user, _token, headers = token_for("coordinator")
    meeting = make_meeting()
    referred = factories.make_case()
    ready = factories.make_case(status=CaseStatus.READY)
    db.session.commit()
    missing = _add(client, headers, meeting, case_id=999999)
    assert missing.status_code == 422
    assert missing.json["errors"][0]["field"] == "case_id"
    not_ready = _add(client, headers, meeting, case_id=referred.id)
    assert not_ready.status_code == 422
    assert "not ready" in not_ready.json["detail"]
    too_long = _add(client, headers, meeting, case_id=ready.id, planned_minutes=500)
    assert too_long.status_code == 422
    assert too_long.json["errors"][0]["field"] == "planned_minutes"
    unknown = _add(client, headers, meeting, case_id=ready.id, colour="red")
    assert unknown.json["errors"][0]["field"] == "colour"
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0


def test_clinicians_do_not_build_agendas(client, token_for):
    _user, _token, headers = token_for("radiologist")
    meeting = make_meeting()
    case = factories.make_case(status=CaseStatus.READY)
    db.session.commit()
    assert _add(client, headers, meeting, case_id=case.id).status_code == 403


def test_a_planned_agenda_is_hidden_from_clinicians(client, token_for):
    _user, _token, headers = token_for("radiologist")
    meeting = make_meeting()
    item = make_item(meeting)
    db.session.commit()
    response = client.post(
        f"/api/v1/meetings/{meeting.id}/items/{item.id}/deferral",
        json={"reason": "Imaging outstanding"},
        headers={**headers, "If-Match": _etag(item)},
    )
    assert response.status_code == 404


def test_reordering_names_every_item(client, token_for):
    _user, _token, headers = token_for("coordinator")
    meeting = make_meeting()
    first, second = make_item(meeting), make_item(meeting)
    db.session.commit()
    url = f"/api/v1/meetings/{meeting.id}/order"
    partial = client.put(
        url,
        json={"item_ids": [second.id]},
        headers={**headers, "If-Match": _etag(meeting)},
    )
    assert partial.status_code == 409
    read = _etag(meeting)
    response = client.put(
        url,
        json={"item_ids": [second.id, first.id]},
        headers={**headers, "If-Match": read},
    )
    assert response.status_code == 200, response.json
    assert [i["id"] for i in response.json["items"]] == [second.id, first.id]
    assert {"agenda.reorder", "agenda.read"} <= set(_actions())
    stale = client.put(
        url,
        json={"item_ids": [first.id, second.id]},
        headers={**headers, "If-Match": read},
    )
    assert stale.status_code == 412


def test_deferring_carries_the_case_over(client, token_for):
    _user, _token, headers = token_for("coordinator")
    board = make_board()
    meeting = make_meeting(board, status="published")
    later = make_meeting(board, days=14)
    item = make_item(meeting)
    db.session.commit()
    url = f"/api/v1/meetings/{meeting.id}/items/{item.id}/deferral"
    empty = client.post(
        url, json={"reason": ""}, headers={**headers, "If-Match": _etag(item)}
    )
    assert empty.status_code == 422
    assert empty.json["errors"][0]["field"] == "reason"
    no_match = client.post(url, json={"reason": "Imaging outstanding"}, headers=headers)
    assert no_match.status_code == 428
    read = _etag(item)
    response = client.post(
        url,
        json={"reason": "Imaging outstanding"},
        headers={**headers, "If-Match": read},
    )
    assert response.status_code == 200, response.json
    assert response.json["item"]["status"] == "deferred"
    assert response.json["carried_to_meeting_id"] == later.id
    carried = db.session.get(AgendaItem, response.json["carried_to_item_id"])
    assert carried.case_id == item.case_id
    assert {"agenda.defer", "agenda.carry_over"} <= set(_actions())
    again = client.post(
        url,
        json={"reason": "Imaging outstanding"},
        headers={**headers, "If-Match": read},
    )
    assert again.status_code == 412


def test_only_the_chair_of_the_meeting_defers_among_clinicians(client, token_for):
    _user, _token, headers = token_for("medical_oncologist")
    meeting = make_meeting(status="published")
    item = make_item(meeting)
    db.session.commit()
    response = client.post(
        f"/api/v1/meetings/{meeting.id}/items/{item.id}/deferral",
        json={"reason": "Imaging outstanding"},
        headers={**headers, "If-Match": _etag(item)},
    )
    assert response.status_code == 403
    assert db.session.get(AgendaItem, item.id).status == AgendaItemStatus.LISTED


def test_the_chair_marks_an_item_discussed(client, token_for):
    setup = rf.discussed_item(item_status=AgendaItemStatus.LISTED)
    _user, _token, headers = token_for(user=setup.chair)
    db.session.commit()
    url = f"/api/v1/meetings/{setup.meeting.id}/items/{setup.item.id}/discussed"
    needs_reason = client.post(
        url, json={}, headers={**headers, "If-Match": _etag(setup.item)}
    )
    assert needs_reason.status_code == 422
    assert needs_reason.json["errors"][0]["field"] == "reason"
    response = client.post(
        url,
        json={"reason": "Further imaging first"},
        headers={**headers, "If-Match": _etag(setup.item)},
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "discussed"
    assert db.session.get(Case, setup.case.id).status == CaseStatus.DISCUSSED
    assert "agenda.discussed" in _actions()
    assert response.headers["ETag"] == _etag(db.session.get(AgendaItem, setup.item.id))
