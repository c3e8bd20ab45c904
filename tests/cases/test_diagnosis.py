"""Working and confirmed diagnosis, precise location and the case's one-line
summary (services and model)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import case_form_data
from tests.reviews.factories import make_review
from tumorboard.audit.models import AuditEntry
from tumorboard.cases import services
from tumorboard.cases.models import Case
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db


def _data(**overrides) -> dict:
    data = case_form_data(**overrides)
    for key in ("referral_date", "unplanned_excision_date"):
        data[key] = date.fromisoformat(data[key]) if data[key] else None
    data["lead_clinician_id"] = data["lead_clinician_id"] or None
    return data


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


def test_working_diagnosis_and_location_are_stored_and_topography_derived(
    coordinator, make_patient
):
    case = services.create_case(
        coordinator,
        make_patient(),
        _data(working_diagnosis="conventional_osteosarcoma"),
    )
    assert case.working_diagnosis == "conventional_osteosarcoma"
    assert (case.bone, case.bone_end, case.bone_segment) == (
        "femur",
        "distal",
        "metaphysis",
    )
    # Reference §1.3: the femur is a long bone of the lower limb, C40.2.
    assert case.site_code == "C40.2"
    assert case.summary_label == (
        "Osteosarcoma (suspected) · distal femur, metaphysis, left"
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.create")
    ).one()
    assert entry.changes["bone"] == [None, "femur"]
    assert entry.changes["working_diagnosis"] == [None, "conventional_osteosarcoma"]


@pytest.mark.parametrize(
    ("overrides", "site_code", "location"),
    [
        (
            {"bone": "pelvis", "pelvic_zones": ["II", "I"], "bone_end": "",
             "bone_segment": "", "laterality": "right"},
            "C41.4",
            "pelvis, zones I+II, right",
        ),
        (
            {"bone": "vertebra", "vertebral_level": "T11", "bone_end": "",
             "bone_segment": "", "laterality": "midline"},
            "C41.2",
            "vertebra T11",
        ),
        (
            {"bone": "sacrum", "bone_end": None, "bone_segment": None,
             "laterality": "midline"},
            "C41.4",
            "sacrum",
        ),
        (
            {"bone": "humerus", "bone_end": "", "bone_segment": "diaphysis",
             "laterality": "right"},
            "C40.0",
            "humerus, diaphysis, right",
        ),
        (
            {"bone": "mandible", "bone_end": "", "bone_segment": ""},
            "C41.1",
            "mandible, left",
        ),
    ],
)  # fmt: skip
def test_each_kind_of_location_derives_its_topography(
    coordinator, make_patient, overrides, site_code, location
):
    case = services.create_case(coordinator, make_patient(), _data(**overrides))
    assert case.site_code == site_code
    assert case.location_label == location


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"working_diagnosis": "9180/3"}, "working_diagnosis",
         "not a WHO 2020 bone tumour in the catalogue"),
        ({"working_diagnosis": "conventional_osteosarcoma",
          "case_type": "skeletal_metastasis", "known_primary": "breast"},
         "working_diagnosis", "described by its known primary"),
        ({"bone": "rib", "bone_end": "distal"}, "bone_segment", "long bones only"),
        ({"bone": "femur", "pelvic_zones": ["II"]}, "pelvic_zones", "pelvis only"),
        ({"bone": "femur", "vertebral_level": "L1"}, "vertebral_level",
         "vertebra only"),
        ({"bone": "vertebra", "bone_end": "", "bone_segment": "",
          "vertebral_level": "L6", "laterality": "midline"},
         "vertebral_level", "not a vertebral level"),
        ({"laterality": "midline"}, "laterality", "paired bone"),
    ],
)  # fmt: skip
def test_bad_diagnosis_or_location_is_refused_with_the_field(
    coordinator, make_patient, overrides, field, message
):
    with pytest.raises(InvalidInput, match=message) as error:
        services.create_case(coordinator, make_patient(), _data(**overrides))
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_a_typed_site_code_is_ignored_the_bone_decides(coordinator, make_patient):
    case = services.create_case(
        coordinator, make_patient(), _data(site_code="C41.9", bone="tibia")
    )
    assert case.site_code == "C40.2"


def test_completing_a_topography_only_case_audits_the_location(coordinator, make_case):
    case = make_case(site_code="C41.4", laterality="midline")
    assert case.bone is None and case.location_to_complete
    assert case.location_label == "Pelvic bones, sacrum, coccyx and associated joints"
    services.update_case(
        coordinator,
        case,
        _data(bone="sacrum", bone_end="", bone_segment="", laterality="midline"),
        case.version,
    )
    assert not case.location_to_complete
    assert case.site_code == "C41.4"
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.update")
    ).one()
    assert entry.changes["bone"] == [None, "sacrum"]
    assert "bone" in entry.summary and "Sacrum" not in entry.summary


def test_editing_to_another_bone_clears_details_that_no_longer_fit(
    coordinator, make_case
):
    case = make_case()
    services.update_case(
        coordinator,
        case,
        _data(bone="vertebra", bone_end="", bone_segment="", vertebral_level="L3",
              laterality="midline"),
        case.version,
    )  # fmt: skip
    assert (case.bone_end, case.bone_segment, case.vertebral_level) == (
        None,
        None,
        "L3",
    )
    assert case.site_code == "C41.2"


def test_topography_only_case_falls_back_to_the_topography_label(make_case):
    case = make_case(site_code="C40.2", laterality="right")
    assert case.summary_label == (
        "Primary bone tumour (no working diagnosis) · Long bones of lower limb and "
        "associated joints, right"
    )
    assert "C40.2" not in case.summary_label


def test_metastasis_is_named_by_its_primary(make_case):
    case = make_case(
        case_type="skeletal_metastasis",
        known_primary="kidney",
        bone="humerus",
        bone_segment="diaphysis",
    )
    assert case.summary_label == (
        "Metastasis from kidney (renal) · humerus, diaphysis, left"
    )


# Confirmed diagnosis, read from the pathology review ------------------------------


def test_pathology_review_confirms_the_diagnosis(make_case):
    case = make_case(working_diagnosis="ewing_sarcoma")
    assert case.diagnosis_label == "Ewing sarcoma (suspected)"
    version = case.version
    make_review(case, "pathology", who_entity="conventional_osteosarcoma")
    assert case.confirmed_diagnosis == "conventional_osteosarcoma"
    assert case.diagnosis_label == "Osteosarcoma (confirmed)"
    # The copy does not make a coordinator's open intake form stale.
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh.confirmed_diagnosis == "conventional_osteosarcoma"
    assert fresh.version == version
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.diagnosis")
    ).one()
    assert entry.changes == {"confirmed_diagnosis": [None, "conventional_osteosarcoma"]}
    assert entry.summary == (
        f"{case.reference}: confirmed diagnosis taken from pathology review revision 1"
    )


def test_a_new_pathology_revision_replaces_the_confirmed_diagnosis(make_case):
    case = make_case()
    make_review(case, "pathology", who_entity="conventional_osteosarcoma")
    make_review(case, "pathology", who_entity="ewing_sarcoma", grade=None)
    assert db.session.get(Case, case.id).diagnosis_label == "Ewing sarcoma (confirmed)"


def test_a_non_diagnostic_specimen_leaves_the_working_diagnosis_suspected(make_case):
    case = make_case(working_diagnosis="conventional_osteosarcoma")
    make_review(case, "pathology", who_entity="non_diagnostic", grade=None)
    assert case.confirmed_diagnosis is None
    assert case.diagnosis_label == "Osteosarcoma (suspected)"
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "case.diagnosis"
            )
        )
        == 0
    )


def test_a_metastasis_confirmed_by_pathology(make_case):
    case = make_case(case_type="skeletal_metastasis", known_primary="breast")
    make_review(
        case,
        "pathology",
        who_entity="metastasis",
        grade=None,
        primary_histology="Invasive ductal carcinoma",
    )
    assert case.diagnosis_label == "Metastasis from breast (confirmed)"


def test_the_summary_costs_no_query(make_case, count_queries):
    case = make_case(working_diagnosis="enchondroma")
    with count_queries() as counter:
        label = case.summary_label
    assert counter.count == 0
    assert label == "Enchondroma (suspected) · distal femur, metaphysis, left"
