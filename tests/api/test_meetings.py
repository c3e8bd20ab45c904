"""Meetings, agendas and board decisions over the API (read)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.api.conftest import demo_user
from tumorboard import demo
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Meeting
from tumorboard.recommendations.models import Recommendation


def test_meetings_and_an_agenda(client, token_for):
    demo.load()
    _user, _token, headers = token_for(
        "coordinator", user=demo_user("coordinator@example.org")
    )
    meeting_id = db.session.scalar(
        sa.select(AgendaItem.meeting_id).order_by(AgendaItem.id.desc())
    )
    db.session.commit()
    upcoming = client.get("/api/v1/meetings/?limit=3", headers=headers)
    assert upcoming.status_code == 200
    assert 0 < len(upcoming.json["items"]) <= 3
    past = client.get("/api/v1/meetings/?upcoming=false", headers=headers).json
    assert past["items"][0]["starts_at"] >= past["items"][-1]["starts_at"]
    agenda = client.get(f"/api/v1/meetings/{meeting_id}", headers=headers)
    assert agenda.status_code == 200
    meeting = db.session.get(Meeting, meeting_id)
    assert agenda.headers["ETag"] == f'"meeting-{meeting_id}-v{meeting.version}"'
    positions = [i["position"] for i in agenda.json["items"]]
    assert positions == sorted(positions) and positions
    assert "agenda.read" in set(db.session.scalars(sa.select(AuditEntry.action)))


def test_an_unknown_meeting_is_404(client, token_for):
    _user, _token, headers = token_for("coordinator")
    assert client.get("/api/v1/meetings/777777", headers=headers).status_code == 404


def test_the_administrator_sees_no_agenda(client, token_for):
    _user, _token, headers = token_for("admin")
    assert client.get("/api/v1/meetings/", headers=headers).status_code == 403


def test_the_board_decisions_of_a_case(client, token_for):
    demo.load()
    _user, _token, headers = token_for(
        "medical_oncologist", user=demo_user("medonc@example.org")
    )
    rec = db.session.scalar(sa.select(Recommendation).order_by(Recommendation.id))
    db.session.commit()
    response = client.get(
        f"/api/v1/cases/{rec.case_id}/recommendations", headers=headers
    )
    assert response.status_code == 200
    ids = [r["id"] for r in response.json["items"]]
    assert rec.id in ids
    assert response.json["items"][0]["state"] in ("draft", "signed", "superseded")
