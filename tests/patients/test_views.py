"""Patient search, registration and record over HTTP."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.patients.models import Patient

FORM = {
    "mrn": "MRN-500",
    "family_name": "Quist",
    "given_name": "Aino",
    "birth_date": "1988-07-09",
    "sex": "female",
}


def test_search_lists_matches_and_offers_registration(client, login_as, make_patient):
    login_as("coordinator")
    make_patient(mrn="MRN-123", family_name="Lindgren")
    db.session.commit()
    page = client.get("/patients/?q=lindg").text
    assert "LINDGREN" in page and "MRN-123" in page
    page = client.get("/patients/?q=MRN-999").text
    assert "No patient matches" in page
    assert "/patients/new?q=MRN-999" in page


def test_registration_prefills_mrn_from_the_search(client, login_as):
    login_as("coordinator")
    page = client.get("/patients/new?q=mrn-999").text
    assert 'value="MRN-999"' in page


def test_register_patient_then_go_to_case_form(client, login_as):
    login_as("coordinator")
    response = client.post("/patients/new", data=FORM)
    assert response.status_code == 302
    patient = db.session.scalar(sa.select(Patient).where(Patient.mrn == "MRN-500"))
    assert response.headers["Location"] == f"/cases/new/{patient.id}"


def test_duplicate_mrn_links_to_existing_patient(client, login_as, make_patient):
    login_as("coordinator")
    existing = make_patient(mrn="MRN-500")
    db.session.commit()
    response = client.post("/patients/new", data={**FORM, "mrn": "mrn-500"})
    assert response.status_code == 400
    assert "MRN MRN-500 is already registered" in response.text
    assert f'href="/patients/{existing.id}"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 1


def test_bad_input_gets_specific_messages_and_keeps_values(client, login_as):
    login_as("coordinator")
    response = client.post(
        "/patients/new",
        data={
            "mrn": "bad mrn!",
            "family_name": "x" * 101,
            "given_name": "",
            "birth_date": "2999-01-01",
            "sex": "dragon",
        },
    )
    assert response.status_code == 400
    text = response.text
    assert "Use letters, digits and hyphens only." in text
    assert "At most 100 characters." in text
    assert "Enter the given name." in text
    assert "This date is in the future." in text
    assert "Not a valid choice" in text
    assert 'value="bad mrn!"' in text
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 0


def test_invalid_date_text_is_refused(client, login_as):
    login_as("coordinator")
    response = client.post("/patients/new", data={**FORM, "birth_date": "31/02/1990"})
    assert response.status_code == 400
    assert "Enter a valid date of birth" in response.text


def test_patient_record_is_audited_as_read(client, login_as, make_case):
    user = login_as("pathologist")
    case = make_case()
    db.session.commit()
    page = client.get(f"/patients/{case.patient_id}").text
    assert case.reference in page
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "patient.read")
    ).one()
    assert entry.actor_id == user.id and entry.patient_id == case.patient_id


def test_edit_patient_with_stale_version_keeps_input(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient(mrn="MRN-500", family_name="Quist")
    db.session.commit()
    response = client.post(
        f"/patients/{patient.id}/edit",
        data={**FORM, "family_name": "Typed", "version": patient.version + 1},
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.text
    assert 'value="Typed"' in response.text
    db.session.refresh(patient)
    assert patient.family_name == "Quist"


def test_edit_patient_saves(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient(mrn="MRN-500", family_name="Quist")
    db.session.commit()
    response = client.post(
        f"/patients/{patient.id}/edit",
        data={**FORM, "family_name": "Quist-Berg", "version": patient.version},
    )
    assert response.status_code == 302
    db.session.refresh(patient)
    assert patient.family_name == "Quist-Berg"


def test_unknown_patient_is_404(client, login_as):
    login_as("coordinator")
    assert client.get("/patients/424242").status_code == 404


def test_error_on_a_hidden_field_is_shown_at_the_top(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    response = client.post(
        f"/patients/{patient.id}/edit", data={**FORM, "version": "not-a-number"}
    )
    assert response.status_code == 400
    assert "The form was incomplete (Not a valid integer value.)" in response.text


def test_the_gp_is_recorded_with_the_patient_and_shown_on_the_record(client, login_as):
    login_as("coordinator")
    form = client.get("/patients/new").text
    assert "General practitioner (optional)" in form
    response = client.post(
        "/patients/new",
        data={
            **FORM,
            "gp_name": "Dr Ruth Calder",
            "gp_practice": "Brookside Medical Practice, 4 Mill Lane, Eastfield",
        },
    )
    assert response.status_code == 302
    patient = db.session.scalar(sa.select(Patient).where(Patient.mrn == "MRN-500"))
    assert patient.gp_name == "Dr Ruth Calder"
    page = client.get(f"/patients/{patient.id}").text
    assert "Dr Ruth Calder" in page
    assert "Brookside Medical Practice, 4 Mill Lane, Eastfield" in page
    edit = client.get(f"/patients/{patient.id}/edit").text
    assert 'value="Dr Ruth Calder"' in edit


def test_a_patient_without_a_gp_says_so(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    assert "No GP recorded." in client.get(f"/patients/{patient.id}").text


def test_too_long_gp_fields_are_refused_with_the_input_kept(client, login_as):
    login_as("coordinator")
    response = client.post(
        "/patients/new",
        data={**FORM, "gp_name": "G" * 121, "gp_practice": "P" * 301},
    )
    assert response.status_code == 400
    assert "At most 120 characters." in response.text
    assert "At most 300 characters." in response.text
    assert 'value="' + "G" * 121 + '"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 0
