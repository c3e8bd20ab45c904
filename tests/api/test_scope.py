"""A token has its owner's access scope: cases and patients outside it are
404s and never listed; a running break-glass grant opens the case."""

from __future__ import annotations

from tests import factories
from tests.meetings.factories import make_board
from tumorboard.extensions import db


def _elsewhere():
    board = make_board(members=[])
    patient = factories.make_patient(family_name="Farsight", mrn="API-SCOPE-1")
    return factories.make_case(patient, board_id=board.id)


def test_outside_the_scope_is_a_404_and_never_listed(client, token_for):
    user, _token, headers = token_for("medical_oncologist")
    mine = factories.make_case()
    other = _elsewhere()
    db.session.commit()
    listed = client.get("/api/v1/cases/?limit=250", headers=headers).json["items"]
    assert [c["id"] for c in listed] == [mine.id]
    for path in (
        f"/api/v1/cases/{other.id}",
        f"/api/v1/cases/{other.id}/fhir",
        f"/api/v1/cases/{other.id}/recommendations",
        f"/api/v1/cases/{other.id}/reviews",
        f"/api/v1/cases/{other.id}/staging",
        f"/api/v1/patients/{other.patient_id}",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert "Farsight" not in response.get_data(as_text=True)
    found = client.get("/api/v1/patients/?q=Farsight", headers=headers).json
    assert found["items"] == []

    factories.make_grant(user, other)
    db.session.commit()
    assert client.get(f"/api/v1/cases/{other.id}", headers=headers).status_code == 200
    listed = client.get("/api/v1/cases/?limit=250", headers=headers).json["items"]
    assert {c["id"] for c in listed} == {mine.id, other.id}


def test_a_new_case_goes_to_the_callers_board(client, token_for):
    _user, _token, headers = token_for("coordinator")
    patient = factories.make_patient()
    db.session.commit()
    data = {k: v for k, v in factories.case_form_data().items() if v != ""}
    data.pop("board_id")
    data.update(patient_id=patient.id, bone_end="distal", lead_clinician_id=None)
    created = client.post("/api/v1/cases/", json=data, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["board_id"] == factories.default_board().id
    make_board()  # the coordinator now sits on two boards: the board is asked
    db.session.commit()
    again = client.post("/api/v1/cases/", json=data, headers=headers)
    assert again.status_code == 422
    assert [e["field"] for e in again.json["errors"]] == ["board_id"]
