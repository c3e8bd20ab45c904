"""The coordinator's import page and the registry extract."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from tests import factories
from tests.api.test_fhir_import import referral
from tumorboard import demo
from tumorboard.api import registry
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.patients.models import Patient


def _upload(client, payload: bytes):
    return client.post(
        "/cases/import",
        data={
            "board_id": str(factories.default_board().id),
            "file": (io.BytesIO(payload), "referral.json"),
        },
        content_type="multipart/form-data",
    )


def test_the_coordinator_imports_a_referral_file(client, login_as):
    login_as("coordinator")
    response = _upload(client, json.dumps(referral()).encode())
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert response.headers["Location"] == f"/cases/{case.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Imported {case.reference}" in page
    assert "from a FHIR referral" in page  # on the timeline


def test_a_bad_file_lists_each_problem_and_stores_nothing(client, login_as):
    login_as("coordinator")
    bundle = referral(type="searchset")
    bundle["entry"] = bundle["entry"][:1]
    response = _upload(client, json.dumps(bundle).encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nothing was stored" in page
    assert "Bundle.type" in page and "exactly one Condition" in page
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 0


def test_a_service_refusal_on_the_page_stores_nothing(client, login_as):
    login_as("coordinator")
    bundle = referral()
    bundle["entry"][2]["resource"]["authoredOn"] = "1980-01-01"
    response = _upload(client, json.dumps(bundle).encode())
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 0


def test_a_file_that_is_not_json(client, login_as):
    login_as("coordinator")
    response = _upload(client, b"\x89PNG not json")
    assert response.status_code == 422
    assert "not JSON" in response.get_data(as_text=True)


def test_clinicians_cannot_import(client, login_as):
    login_as("radiologist")
    assert client.get("/cases/import").status_code == 403


def test_the_registry_extract_has_the_documented_columns_and_no_free_text(
    client, login_as
):
    demo.load()
    db.session.commit()
    # The demo coordinator sits on both demo boards: every demo case is theirs.
    factories.sign_in(client, "coordinator@example.org", demo.DEMO_PASSWORD)
    response = client.get("/registry/extract.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0].keys()) == registry.COLUMNS
    assert len(rows) == db.session.scalar(sa.select(sa.func.count(Case.id)))
    questions = set(db.session.scalars(sa.select(Case.clinical_question)))
    names = set(db.session.scalars(sa.select(Patient.family_name)))
    text = response.get_data(as_text=True)
    assert not any(q in text for q in questions)
    assert not any(f",{n}," in text for n in names)
    assert any(r["recommendation_types"] for r in rows)
    assert any(r["first_discussion_date"] for r in rows)
    assert "case.list" in set(db.session.scalars(sa.select(AuditEntry.action)))


def test_only_the_coordinator_downloads_the_extract(client, login_as):
    factories.make_case()
    login_as("orthopedic_oncologist")
    assert client.get("/registry/extract.csv").status_code == 403


def test_the_board_must_be_chosen(client, login_as):
    login_as("coordinator")
    factories.make_user("coordinator")  # a second board for the coordinator:
    from tests.meetings.factories import make_board

    make_board()
    db.session.commit()
    response = client.post(
        "/cases/import",
        data={"file": (io.BytesIO(json.dumps(referral()).encode()), "referral.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Choose the board the case is referred to." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 0
