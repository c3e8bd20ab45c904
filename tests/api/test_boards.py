"""Boards over the API: those who manage boards read them with their members
and coordinators, as on the board pages."""

from __future__ import annotations

from tests import factories
from tests.meetings.factories import make_board
from tumorboard.extensions import db


def test_boards_with_their_members_and_coordinators(client, token_for):
    _user, _token, headers = token_for("admin")
    coordinator = factories.make_user("coordinator", name="Ada Coordinator", boards=[])
    surgeon = factories.make_user("orthopedic_oncologist", name="Bo Surgeon", boards=[])
    first = make_board(members=[coordinator, surgeon])
    second = make_board(members=[])
    db.session.commit()
    listed = client.get("/api/v1/boards/?limit=1", headers=headers)
    assert listed.status_code == 200, listed.json
    assert [b["id"] for b in listed.json["items"]] == [first.id]
    board = listed.json["items"][0]
    assert {m["name"] for m in board["members"]} == {"Ada Coordinator", "Bo Surgeon"}
    assert [c["id"] for c in board["coordinators"]] == [coordinator.id]
    assert board["required_disciplines"] == first.required_disciplines
    assert "feed_token" not in board
    after = client.get(
        f"/api/v1/boards/?cursor={listed.json['next_cursor']}", headers=headers
    )
    assert [b["id"] for b in after.json["items"]] == [second.id]
    assert after.json["next_cursor"] is None
    one = client.get(f"/api/v1/boards/{first.id}", headers=headers)
    assert one.status_code == 200
    assert one.headers["ETag"] == f'"board-{first.id}-v1"'
    surgeon_row = next(m for m in one.json["members"] if m["id"] == surgeon.id)
    assert surgeon_row == {
        "id": surgeon.id,
        "name": "Bo Surgeon",
        "role": "orthopedic_oncologist",
        "discipline": "orthopaedic_oncology",
    }


def test_clinicians_do_not_manage_boards(client, token_for):
    _user, _token, headers = token_for("radiologist")
    board = make_board()
    db.session.commit()
    assert client.get("/api/v1/boards/", headers=headers).status_code == 403
    assert client.get(f"/api/v1/boards/{board.id}", headers=headers).status_code == 403


def test_an_unknown_board_is_404(client, token_for):
    _user, _token, headers = token_for("coordinator")
    response = client.get("/api/v1/boards/777777", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
