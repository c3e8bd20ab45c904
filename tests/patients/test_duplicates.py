"""Probable duplicates at registration and on correction."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.patients import services
from tumorboard.patients.duplicates import (
    ProbableDuplicate,
    mrn_key,
    name_key,
    similar_names,
)
from tumorboard.patients.models import Patient

BORN = date(1984, 2, 29)
NEW = {
    "mrn": "MRN-500",
    "given_name": "Anna Lena",
    "family_name": "Muller",
    "birth_date": BORN,
    "sex": "female",
}


def form(**overrides) -> dict:
    """POST data of the registration form."""
    data = {**NEW, "birth_date": NEW["birth_date"].isoformat(), **overrides}
    return {k: v for k, v in data.items() if v is not None}


def test_name_and_mrn_keys():
    assert name_key("Anna-Lena", "Müller") == name_key("Muller", "anna lena")
    assert similar_names(name_key("Anna", "Müller"), name_key("Anna-Lena", "Müller"))
    assert not similar_names(name_key("Anna", "Müller"), name_key("Anna", "Meyer"))
    assert not similar_names(name_key("Anna", ""), name_key("Anna", "Lena"))
    assert mrn_key("demo-100 009") == mrn_key("DEMO100009") == "DEMO100009"


def test_same_birth_date_and_similar_name_is_a_probable_duplicate(
    make_user, make_patient
):
    coordinator = make_user("coordinator")
    existing = make_patient(
        given_name="Anna-Lena", family_name="Müller", birth_date=BORN
    )
    make_patient(
        given_name="Anna-Lena", family_name="Müller", birth_date=date(1990, 1, 1)
    )
    with pytest.raises(ProbableDuplicate) as refused:
        services.create_patient(coordinator, NEW)
    assert refused.value.duplicates == [existing]
    assert refused.value.field == "different_patient"
    assert "already registered" in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 2


def test_mrn_equal_without_dashes_is_a_probable_duplicate(make_user, make_patient):
    coordinator = make_user("coordinator")
    existing = make_patient(mrn="DEMO-100009", family_name="Other")
    with pytest.raises(ProbableDuplicate) as refused:
        services.create_patient(coordinator, {**NEW, "mrn": "DEMO100009"})
    assert refused.value.duplicates == [existing]


def test_an_mrn_equal_but_for_case_stays_a_hard_refusal(make_user, make_patient):
    coordinator = make_user("coordinator")
    make_patient(mrn="DEMO-100009")
    with pytest.raises(services.DuplicateMRN):
        services.create_patient(
            coordinator, {**NEW, "mrn": " demo-100009 "}, confirmed_different=True
        )


def test_confirmed_registration_is_audited_with_ids_only(make_user, make_patient):
    coordinator = make_user("coordinator")
    existing = make_patient(
        given_name="Anna-Lena", family_name="Müller", birth_date=BORN
    )
    patient = services.create_patient(coordinator, NEW, confirmed_different=True)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "patient.create",
            AuditEntry.entity_id == str(patient.id),
        )
    ).one()
    assert entry.summary == (
        f"Registered patient {patient.reference}, confirmed as a different patient "
        f"from {existing.reference}"
    )
    assert "Muller" not in entry.summary and "Müller" not in entry.summary
    assert entry.changes["confirmed_different_from"] == [None, [existing.id]]


def test_registration_without_duplicates_needs_no_confirmation(make_user, make_patient):
    coordinator = make_user("coordinator")
    make_patient(given_name="Anna", family_name="Meyer", birth_date=BORN)
    patient = services.create_patient(coordinator, NEW)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_id == str(patient.id))
    ).one()
    assert entry.summary == f"Registered patient {patient.reference}"
    assert "confirmed_different_from" not in entry.changes


def test_a_correction_into_a_probable_duplicate_needs_confirmation(
    make_user, make_patient
):
    coordinator = make_user("coordinator")
    existing = make_patient(
        given_name="Anna-Lena", family_name="Müller", birth_date=BORN
    )
    patient = make_patient(
        given_name="Anna Lena", family_name="Mueller", birth_date=BORN
    )
    data = {**NEW, "mrn": patient.mrn}
    with pytest.raises(ProbableDuplicate) as refused:
        services.update_patient(coordinator, patient, data, patient.version)
    assert refused.value.duplicates == [existing]
    db.session.refresh(patient)
    assert patient.family_name == "Mueller"
    services.update_patient(
        coordinator, patient, data, patient.version, confirmed_different=True
    )
    assert patient.family_name == "Muller"
    # Only a change to the name, birth date or MRN asks again.
    services.update_patient(
        coordinator, patient, {**data, "sex": "other"}, patient.version
    )
    assert patient.sex == "other"


def test_the_form_warns_lists_and_needs_the_tick(client, login_as, make_patient):
    login_as("coordinator")
    existing = make_patient(
        mrn="DEMO-100009", given_name="Anna-Lena", family_name="Müller", birth_date=BORN
    )
    db.session.commit()
    response = client.post("/patients/new", data=form())
    assert response.status_code == 400
    page = response.text
    assert "This may be a patient who is already registered." in page
    assert existing.reference in page and "DEMO-100009" in page
    assert "MÜLLER, Anna-Lena" in page
    assert f'href="/patients/{existing.id}"' in page
    assert "This is a different patient" in page
    assert 'value="Anna Lena"' in page  # what was typed is kept
    # Saving again without the tick is refused again.
    again = client.post("/patients/new", data=form())
    assert again.status_code == 400
    assert "This may be a patient who is already registered." in again.text
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 1
    confirmed = client.post("/patients/new", data=form(different_patient="y"))
    assert confirmed.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 2


def test_the_form_warns_about_an_mrn_without_dashes(client, login_as, make_patient):
    login_as("coordinator")
    existing = make_patient(mrn="DEMO-100009", family_name="Someone")
    db.session.commit()
    response = client.post("/patients/new", data=form(mrn="DEMO100009"))
    assert response.status_code == 400
    assert existing.reference in response.text


def test_the_edit_form_warns_too(client, login_as, make_patient):
    login_as("coordinator")
    existing = make_patient(
        given_name="Anna-Lena", family_name="Müller", birth_date=BORN
    )
    patient = make_patient(birth_date=BORN)
    db.session.commit()
    data = form(mrn=patient.mrn, version=str(patient.version))
    response = client.post(f"/patients/{patient.id}/edit", data=data)
    assert response.status_code == 400
    assert existing.reference in response.text
    assert "This is a different patient" in response.text
    saved = client.post(
        f"/patients/{patient.id}/edit", data={**data, "different_patient": "y"}
    )
    assert saved.status_code == 302
    db.session.refresh(patient)
    assert patient.family_name == "Muller"
