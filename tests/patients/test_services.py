"""Patient registration, search and correction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.db import today
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.patients import services
from tumorboard.patients.models import Patient

VALID = {
    "mrn": " mrn-001 ",
    "given_name": "Ines",
    "family_name": "Varga",
    "birth_date": date(1990, 3, 4),
    "sex": "female",
}


def test_create_patient_normalises_and_audits(make_user):
    coordinator = make_user("coordinator")
    patient = services.create_patient(coordinator, VALID)
    assert patient.mrn == "MRN-001"
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "patient.create")
    ).one()
    assert entry.patient_id == patient.id
    assert entry.changes["birth_date"] == [None, "1990-03-04"]


def test_duplicate_mrn_names_the_existing_patient(make_user, make_patient):
    coordinator = make_user("coordinator")
    existing = make_patient(mrn="MRN-001")
    with pytest.raises(services.DuplicateMRN) as error:
        services.create_patient(coordinator, VALID)
    assert error.value.existing == existing
    assert error.value.field == "mrn"
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 1


def test_future_birth_date_is_refused(make_user):
    coordinator = make_user("coordinator")
    with pytest.raises(InvalidInput, match="future"):
        services.create_patient(
            coordinator, {**VALID, "birth_date": today() + timedelta(days=1)}
        )


def test_clinicians_cannot_register_patients(make_user):
    from tumorboard.errors import AccessDenied

    with pytest.raises(AccessDenied):
        services.create_patient(make_user("radiologist"), VALID)


def test_search_matches_mrn_prefix_and_name_parts(make_patient):
    varga = make_patient(mrn="MRN-777", family_name="Varga", given_name="Ines")
    make_patient(mrn="X-1", family_name="Other", given_name="Person")
    assert services.search_patients("mrn-7") == [varga]
    assert services.search_patients("VARG") == [varga]
    assert services.search_patients("ines varga") == [varga]
    assert services.search_patients("ines other") == []
    assert services.search_patients("   ") == []


def test_update_patient_refuses_stale_version_and_keeps_record(make_user, make_patient):
    coordinator = make_user("coordinator")
    patient = make_patient(family_name="Before")
    with pytest.raises(Conflict):
        services.update_patient(
            coordinator, patient, {**VALID, "mrn": patient.mrn}, patient.version + 1
        )
    assert patient.family_name == "Before"


def test_update_patient_refuses_birth_date_after_a_referral(
    make_user, make_patient, make_case
):
    coordinator = make_user("coordinator")
    patient = make_patient()
    make_case(patient, referral_date=date(2020, 1, 1))
    with pytest.raises(InvalidInput, match="referred before this birth date"):
        services.update_patient(
            coordinator,
            patient,
            {**VALID, "mrn": patient.mrn, "birth_date": date(2021, 1, 1)},
            patient.version,
        )


def test_update_patient_records_changed_fields_only(make_user, make_patient):
    coordinator = make_user("coordinator")
    patient = make_patient(
        mrn="MRN-001",
        given_name="Ines",
        family_name="Varga",
        birth_date=date(1990, 3, 4),
        sex="female",
    )
    services.update_patient(
        coordinator, patient, {**VALID, "family_name": "Varga-Kiss"}, patient.version
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "patient.update")
    ).one()
    assert entry.changes == {"family_name": ["Varga", "Varga-Kiss"]}


def test_the_gp_is_optional_and_stored_without_spaces(make_user):
    coordinator = make_user("coordinator")
    without = services.create_patient(coordinator, VALID)
    assert without.gp_name is None and without.gp_practice is None
    assert without.gp_label is None
    with_gp = services.create_patient(
        coordinator,
        {
            **VALID,
            "mrn": "MRN-002",
            "gp_name": "  Dr Ruth Calder ",
            "gp_practice": " Brookside Medical Practice, 4 Mill Lane, Eastfield ",
        },
        confirmed_different=True,
    )
    assert with_gp.gp_name == "Dr Ruth Calder"
    assert with_gp.gp_label == (
        "Dr Ruth Calder, Brookside Medical Practice, 4 Mill Lane, Eastfield"
    )


def test_gp_fields_longer_than_their_limit_are_refused(make_user):
    from tumorboard.patients.models import GP_PRACTICE_LIMIT
    from tumorboard.validation import NAME_LIMIT

    coordinator = make_user("coordinator")
    with pytest.raises(InvalidInput, match=f"at most {NAME_LIMIT}") as error:
        services.create_patient(
            coordinator, {**VALID, "gp_name": "x" * (NAME_LIMIT + 1)}
        )
    assert error.value.field == "gp_name"
    with pytest.raises(InvalidInput, match=f"at most {GP_PRACTICE_LIMIT}") as error:
        services.create_patient(
            coordinator, {**VALID, "gp_practice": "x" * (GP_PRACTICE_LIMIT + 1)}
        )
    assert error.value.field == "gp_practice"


def test_recording_the_gp_later_is_audited(make_user, make_patient):
    coordinator = make_user("coordinator")
    patient = make_patient(
        mrn="MRN-001",
        given_name="Ines",
        family_name="Varga",
        birth_date=date(1990, 3, 4),
        sex="female",
    )
    services.update_patient(
        coordinator,
        patient,
        {**VALID, "gp_name": "Dr Kwame Asante", "gp_practice": ""},
        patient.version,
    )
    assert patient.gp_name == "Dr Kwame Asante" and patient.gp_practice is None
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "patient.update")
    ).one()
    assert entry.changes == {"gp_name": [None, "Dr Kwame Asante"]}
