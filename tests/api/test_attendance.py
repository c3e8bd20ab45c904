"""Attendance over the API: every meeting reader sees it with the quorum as
the meeting page computes it; the coordinator or the chair records it, with
If-Match on the meeting."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.meetings.factories import make_board, make_meeting
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.meetings.models import Attendance

REQUIRED = ["orthopaedic_oncology", "radiology"]


def _setup(**meeting_fields):
    surgeon = factories.make_user("orthopedic_oncologist")
    radiologist = factories.make_user("radiologist")
    board = make_board(members=[surgeon, radiologist], required_disciplines=REQUIRED)
    meeting = make_meeting(board, status="published", **meeting_fields)
    db.session.commit()
    return meeting, surgeon, radiologist


def _record(client, headers, meeting, present, etag=None):
    return client.put(
        f"/api/v1/meetings/{meeting.id}/attendance",
        json={"present": present},
        headers={**headers, "If-Match": etag or f'"meeting-{meeting.id}-v1"'},
    )


def test_the_coordinator_records_who_is_present(client, token_for):
    _user, _token, headers = token_for("coordinator")
    meeting, surgeon, radiologist = _setup()
    read = client.get(f"/api/v1/meetings/{meeting.id}/attendance", headers=headers)
    assert read.status_code == 200, read.json
    assert read.json["quorum"] == {
        "is_quorate": False,
        "required": REQUIRED,
        "present": [],
        "missing": REQUIRED,
    }
    assert {m["id"] for m in read.json["members"]} == {surgeon.id, radiologist.id}
    assert read.json["may_record"] is True
    response = _record(client, headers, meeting, [surgeon.id], read.headers["ETag"])
    assert response.status_code == 200, response.json
    assert response.json["quorum"]["missing"] == ["radiology"]
    assert [a["user_id"] for a in response.json["attendance"] if a["present"]] == [
        surgeon.id
    ]
    assert "attendance.record" in set(db.session.scalars(sa.select(AuditEntry.action)))
    stale = _record(client, headers, meeting, [surgeon.id, radiologist.id])
    assert stale.status_code == 412
    quorate = _record(
        client, headers, meeting, [surgeon.id, radiologist.id], stale.headers["ETag"]
    )
    assert quorate.json["quorum"]["is_quorate"] is True


def test_attendance_needs_if_match_and_members(client, token_for):
    _user, _token, headers = token_for("coordinator")
    meeting, _surgeon, _radiologist = _setup()
    stranger = factories.make_user("pathologist")
    db.session.commit()
    url = f"/api/v1/meetings/{meeting.id}/attendance"
    assert client.put(url, json={"present": []}, headers=headers).status_code == 428
    refused = _record(client, headers, meeting, [stranger.id])
    assert refused.status_code == 422
    assert "guest" in refused.json["detail"]
    bad = _record(client, headers, meeting, ["me"])
    assert bad.status_code == 422
    assert bad.json["errors"][0]["field"] == "present.0"


def test_a_guest_is_added_for_a_discipline(client, token_for):
    _user, _token, headers = token_for("coordinator")
    meeting, _surgeon, _radiologist = _setup()
    url = f"/api/v1/meetings/{meeting.id}/attendance/guests"
    body = {"guest_name": "Dr Visiting", "discipline": "radiology"}
    etag = {"If-Match": f'"meeting-{meeting.id}-v1"'}
    added = client.post(url, json=body, headers={**headers, **etag})
    assert added.status_code == 201, added.json
    assert added.json["quorum"]["present"] == ["radiology"]
    guest = next(a for a in added.json["attendance"] if a["is_guest"])
    assert guest["name"] == "Dr Visiting"
    twice = client.post(
        url, json=body, headers={**headers, "If-Match": added.headers["ETag"]}
    )
    assert twice.status_code == 409
    assert twice.json["errors"][0]["field"] == "guest_name"


def test_only_the_chair_among_clinicians_records(client, token_for):
    chair = factories.make_user("medical_oncologist")
    meeting, surgeon, _radiologist = _setup(chair_id=chair.id)
    _user, _token, other = token_for("medical_oncologist")
    _user, _token, own = token_for(user=chair)
    read = client.get(f"/api/v1/meetings/{meeting.id}/attendance", headers=other)
    assert read.status_code == 200
    assert read.json["may_record"] is False
    assert _record(client, other, meeting, [surgeon.id]).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    assert _record(client, own, meeting, [surgeon.id]).status_code == 200


def test_a_planned_meeting_takes_no_attendance(client, token_for):
    _user, _token, headers = token_for("coordinator")
    meeting, surgeon, _radiologist = _setup()
    meeting.status = "planned"
    db.session.commit()
    etag = f'"meeting-{meeting.id}-v{meeting.version}"'
    response = _record(client, headers, meeting, [surgeon.id], etag)
    assert response.status_code == 422
    assert "published" in response.json["detail"]


def test_an_unknown_meeting_is_404(client, token_for):
    _user, _token, headers = token_for("coordinator")
    response = client.get("/api/v1/meetings/777777/attendance", headers=headers)
    assert response.status_code == 404
