"""Saving reviews: validation per discipline, computed scores, revisions,
stale edits and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.reviews.factories import (
    make_performance,
    make_review,
    orthopaedic_data,
    palliative_data,
    pathology_data,
    radiology_data,
)
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.disciplines import Discipline
from tumorboard.db import today
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.reviews import services
from tumorboard.reviews.models import DisciplineReview, ReviewRevision

RAD, PATH, ORTHO, PALL = (
    Discipline.RADIOLOGY,
    Discipline.PATHOLOGY,
    Discipline.ORTHOPAEDIC_ONCOLOGY,
    Discipline.PALLIATIVE_CARE,
)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _refused(actor, case, discipline, data, match, field=None, base=0):
    """Assert the save is refused with ``match`` on ``field`` and nothing is stored."""
    before = (_count(DisciplineReview), _count(ReviewRevision), _count(AuditEntry))
    with pytest.raises(InvalidInput, match=match) as info:
        services.save_review(actor, case, discipline, data, base)
    if field is not None:
        assert info.value.field == field
    after = (_count(DisciplineReview), _count(ReviewRevision), _count(AuditEntry))
    assert after == before
    return info.value


# Radiology ------------------------------------------------------------------------


def test_radiology_review_stores_inputs_and_computed_scores(make_case, radiologist):
    case = make_case()
    revision = services.save_review(radiologist, case, RAD, radiology_data(), 0)
    assert revision.number == 1
    assert revision.data["studies"][0]["modality"] == "mri"
    assert revision.data["size_ml_mm"] == 48.5
    # Reference §7.2: modified grade IIIB, 81 % malignant.
    assert revision.scores["lodwick_madewell"]["category"] == "IIIB"
    assert "81 % malignant" in revision.scores["lodwick_madewell"]["interpretation"]
    assert revision.scores["size"]["total"] == 92


def test_sins_is_computed_for_a_spinal_lesion(make_case, radiologist):
    # Reference §5: T11 junctional 3 + mechanical pain 3 + lytic 2 +
    # de novo deformity 2 + < 50 % collapse 2 + unilateral 1 = 13, unstable.
    case = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="prostate"
    )
    revision = services.save_review(
        radiologist,
        case,
        RAD,
        radiology_data(
            sins_level="T11",
            sins_pain="mechanical",
            sins_lesion="lytic",
            sins_alignment="deformity",
            sins_collapse="under_50",
            sins_posterolateral="unilateral",
        ),
        0,
    )
    sins = revision.scores["sins"]
    assert sins["total"] == 13 and sins["category"] == "unstable"
    assert sins["interpretation"].startswith("SINS 13/18: unstable")


def test_partial_sins_names_the_missing_input(make_case, radiologist):
    case = make_case(site_code="C41.2")
    _refused(
        radiologist,
        case,
        RAD,
        radiology_data(sins_level="L3", sins_pain="none"),
        "SINS \\(spinal lesions\\): also give bone lesion",
        "sins_lesion",
    )


@pytest.mark.parametrize(
    ("overrides", "match", "field"),
    [
        ({"size_cc_mm": 0}, "Craniocaudal must be between 1 and 2000 mm", "size_cc_mm"),
        ({"size_ap_mm": 2500}, "between 1 and 2000 mm", "size_ap_mm"),
        ({"size_ml_mm": "wide"}, "Mediolateral must be a number", "size_ml_mm"),
        ({"size_ml_mm": None}, "Lesion size: also give mediolateral", "size_ml_mm"),
        ({"matrix": "plasma"}, "Matrix: 'plasma' is not one of", "matrix"),
        ({"studies": []}, "add at least 1 row", "studies-0-modality"),
        (
            {"studies": [{"modality": "ct", "date": "2999-01-01", "reference": ""}]},
            "Study date is in the future",
            "studies-0-date",
        ),
        (
            {"studies": [{"modality": "ct", "date": None, "reference": "x"}]},
            "row 1: study date is required",
            "studies-0-date",
        ),
        (
            {
                "studies": [
                    {
                        "modality": "ct",
                        "date": "2024-01-02",
                        "reference": "javascript:x",
                    }
                ]
            },
            "must start with https:// or http://",
            "studies-0-reference",
        ),
        (
            {"bone_rads_system": "ssr_2022", "bone_rads_category": "bone_rads_0"},
            "Bone-RADS0 is not a category of SSR",
            "bone_rads_category",
        ),
        ({"bone_rads_system": "acr_2023"}, "both the Bone-RADS system", None),
        ({"t_category": "T2"}, "for spine and pelvis sites only", "t_category"),
        ({"differential": ""}, "Radiological differential diagnosis is required", None),
        ({"unknown": 1}, "Unknown review field 'unknown'", "unknown"),
        ({"sins_level": "T11"}, "SINS is scored for spinal lesions only", "sins_level"),
    ],
)
def test_bad_radiology_input_is_refused(
    make_case, radiologist, overrides, match, field
):
    _refused(radiologist, make_case(), RAD, radiology_data(**overrides), match, field)


def test_segment_t_category_is_checked_against_the_site(make_case, radiologist):
    # Reference §2.1b: the spine has no T1a.
    case = make_case(site_code="C41.2")
    _refused(
        radiologist,
        case,
        RAD,
        radiology_data(t_category="T1a"),
        "T1a is not a T category for this site",
        "t_category",
    )
    revision = services.save_review(
        radiologist, case, RAD, radiology_data(t_category="T4a"), 0
    )
    assert revision.data["t_category"] == "T4a"


# Pathology ------------------------------------------------------------------------


def test_pathology_review_derives_code_behaviour_and_huvos(make_case, pathologist):
    case = make_case()
    revision = services.save_review(
        pathologist,
        case,
        PATH,
        pathology_data(
            specimen="resection",
            margin="wide",
            closest_margin_mm=4,
            necrosis_percent=92.5,
        ),
        0,
    )
    # Reference §1.2: conventional osteosarcoma 9180/3, malignant.
    assert revision.data["icdo_code"] == "9180/3"
    assert "9180/3, malignant" in revision.scores["who"]["interpretation"]
    # Reference §6: 90–99 % necrosis is Huvos III, a good responder.
    assert revision.scores["huvos"]["category"] == "III"
    assert "good responder" in revision.scores["huvos"]["interpretation"]
    assert revision.scores["margin"]["interpretation"] == ("Wide margin, closest 4 mm.")


def test_typed_icdo_code_is_normalised_and_must_match_the_entity(
    make_case, pathologist
):
    case = make_case()
    revision = services.save_review(
        pathologist, case, PATH, pathology_data(icdo_code="91803"), 0
    )
    assert revision.data["icdo_code"] == "9180/3"


@pytest.mark.parametrize(
    ("overrides", "match", "field"),
    [
        (
            {"who_entity": "osteosarcomaa"},
            "'osteosarcomaa' is not one of",
            "who_entity",
        ),
        (
            {"icdo_code": "9999/3"},
            "9999/3 is not a catalogued bone tumour",
            "icdo_code",
        ),
        ({"icdo_code": "91X0/3"}, "is not an ICD-O-3 morphology code", "icdo_code"),
        ({"icdo_code": "9364/3"}, "9364/3 belongs to Ewing sarcoma", "icdo_code"),
        (
            {"specimen": "resection", "margin": "wide", "necrosis_percent": 101},
            "Tumour necrosis must be between 0 and 100 %",
            "necrosis_percent",
        ),
        ({"necrosis_percent": 50}, "excision and resection specimens only", None),
        ({"specimen": "resection"}, "Record the Enneking margin", "margin"),
        ({"reference_status": "concordant"}, "result of the reference review", None),
        ({"biopsy_date": "1970-01-01"}, "before the patient's date of birth", None),
        ({"primary_histology": "Adenocarcinoma"}, "for metastases only", None),
        ({"who_entity": None}, "WHO 2020 diagnosis is required", "who_entity"),
        (
            {"ancillary": [{"method": "ihc", "marker": "", "result": "positive"}]},
            "row 1: marker or test is required",
            "ancillary-0-marker",
        ),
    ],
)
def test_bad_pathology_input_is_refused(
    make_case, pathologist, overrides, match, field
):
    _refused(pathologist, make_case(), PATH, pathology_data(**overrides), match, field)


# Orthopaedic oncology ---------------------------------------------------------------


def test_mirels_is_computed_for_a_long_bone_metastasis(make_case, surgeon):
    # Reference §4: lower limb 2 + functional 3 + lytic 3 + > 2/3 3 = 11 → fixation.
    case = make_case(case_type="skeletal_metastasis", known_primary="breast")
    revision = services.save_review(
        surgeon,
        case,
        ORTHO,
        orthopaedic_data(
            compartment=None,
            mirels_site="lower_limb",
            mirels_pain="functional",
            mirels_lesion="lytic",
            mirels_size="gt_two_thirds",
            mirels_size_definition="diameter",
        ),
        0,
    )
    mirels = revision.scores["mirels"]
    assert mirels["total"] == 11 and mirels["category"] == "high"
    assert "prophylactic fixation" in mirels["interpretation"]
    assert "fraction of bone diameter" in mirels["interpretation"]


@pytest.mark.parametrize(
    ("overrides", "match", "field"),
    [
        (
            {"mirels_site": "lower_limb"},
            "Mirels is scored for metastases of the long bones only",
            "mirels_site",
        ),
        # A compartment and a benign activity grade exclude each other.
        ({"benign_activity": "active"}, "not both", "benign_activity"),
    ],
)
def test_bad_orthopaedic_input_is_refused(make_case, surgeon, overrides, match, field):
    _refused(surgeon, make_case(), ORTHO, orthopaedic_data(**overrides), match, field)


def test_msts_total_and_range(make_case, surgeon):
    # Reference §9.3: six categories 0–5, total of 30.
    case = make_case()
    scores_in = dict(
        msts_limb="lower_limb",
        msts_pain=5,
        msts_function=4,
        msts_emotional_acceptance=5,
        msts_4=3,
        msts_5=4,
        msts_6=3,
    )
    _refused(
        surgeon,
        case,
        ORTHO,
        orthopaedic_data(**{**scores_in, "msts_6": 6}),
        "Gait \\(lower\\) / lifting ability \\(upper\\) must be between 0 and 5",
        "msts_6",
    )
    revision = services.save_review(
        surgeon, case, ORTHO, orthopaedic_data(**scores_in), 0
    )
    assert revision.scores["msts"]["total"] == 24
    assert revision.scores["msts"]["interpretation"] == "MSTS lower limb 24/30 (80 %)."


# Palliative care --------------------------------------------------------------------


def test_palliative_scores_show_levels_and_interpretations(make_case, palliative):
    case = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="breast"
    )
    make_performance(case, ecog=1, karnofsky=80, assessed_on=today())
    revision = services.save_review(
        palliative,
        case,
        PALL,
        palliative_data(
            pps=60,
            tokuhashi_extraspinal=1,
            tokuhashi_vertebral=1,
            tokuhashi_visceral="none",
            tokuhashi_palsy="none",
        ),
        0,
    )
    assert "ecog" not in revision.scores and "karnofsky" not in revision.scores
    # PPS: levels only, no PPSv2 descriptors (reference licensing notes).
    assert "descriptors not shown" in revision.scores["pps"]["interpretation"]
    # Reference §9.1: KPS 80 → 2, 1 extraspinal → 1, 1 vertebra → 2, no visceral
    # → 2, breast → 5, no palsy → 2 = 14, ≥ 1 year.
    assert revision.scores["tokuhashi"]["total"] == 14
    # The score says which performance status it used.
    assert (
        "Used Karnofsky 80 assessed" in revision.scores["tokuhashi"]["interpretation"]
    )


def test_tokuhashi_needs_a_karnofsky_on_the_case(make_case, palliative):
    case = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="breast"
    )
    make_performance(case, ecog=1)
    data = palliative_data(
        tokuhashi_extraspinal=1,
        tokuhashi_vertebral=1,
        tokuhashi_visceral="none",
        tokuhashi_palsy="none",
    )
    _refused(palliative, case, PALL, data, "needs a Karnofsky score", "tokuhashi_palsy")


@pytest.mark.parametrize(
    ("overrides", "match", "field"),
    [
        ({"karnofsky": 80}, "Unknown review field 'karnofsky'", None),
        ({"pain_score": 11}, "Pain score \\(0–10\\) must be between 0 and 10", None),
        ({"pain_score": 3.5}, "must be a whole number", "pain_score"),
        ({"consulted": None}, "who was consulted", "consulted"),
        (
            {"tokuhashi_palsy": "none"},
            "Tokuhashi score is for skeletal metastases",
            None,
        ),
    ],
)
def test_bad_palliative_input_is_refused(
    make_case, palliative, overrides, match, field
):
    _refused(palliative, make_case(), PALL, palliative_data(**overrides), match, field)


# Access -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "discipline"),
    [
        ("pathologist", RAD),
        ("radiologist", PATH),
        ("coordinator", ORTHO),
        ("medical_oncologist", PALL),
        ("admin", RAD),
    ],
)
def test_a_review_by_the_wrong_discipline_is_refused(
    make_case, make_user, role, discipline
):
    case = make_case()
    data = {
        RAD: radiology_data,
        PATH: pathology_data,
        ORTHO: orthopaedic_data,
        PALL: palliative_data,
    }
    with pytest.raises(AccessDenied, match="Only .* writes the"):
        services.save_review(make_user(role), case, discipline, data[discipline](), 0)
    assert _count(DisciplineReview) == 0


def test_a_closed_case_cannot_be_reviewed(make_case, radiologist):
    case = make_case(status="withdrawn")
    with pytest.raises(AccessDenied):
        services.save_review(radiologist, case, RAD, radiology_data(), 0)


def test_an_unknown_discipline_is_refused(make_case, radiologist):
    with pytest.raises(InvalidInput, match="'nursing' is not one of the reviewing"):
        services.save_review(radiologist, make_case(), "nursing", {}, 0)


# Revisions, conflicts and audit ------------------------------------------------


def test_every_save_is_a_new_revision_with_its_changes(make_case, radiologist):
    case = make_case()
    make_review(case, RAD, author=radiologist)
    second = make_review(case, RAD, author=radiologist, size_cc_mm=95, matrix="mixed")
    assert second.number == 2
    assert second.changes == {
        "Lesion size · Craniocaudal": ["92 mm", "95 mm"],
        "Characterisation · Matrix": ["Osteoid", "Mixed"],
    }
    review = services.get_review(case, RAD)
    assert review.current_number == 2
    numbers = [r.number for r in services.revisions(review)]
    assert numbers == [2, 1]
    first = db.session.scalar(
        sa.select(ReviewRevision).where(ReviewRevision.number == 1)
    )
    assert first.data["size_cc_mm"] == 92  # history is kept, not overwritten


def test_saving_the_same_values_again_is_refused(make_case, radiologist):
    case = make_case()
    make_review(case, RAD, author=radiologist)
    with pytest.raises(InvalidInput, match="Nothing changed since revision 1"):
        services.save_review(radiologist, case, RAD, radiology_data(), 1)


def test_a_stale_revision_is_refused_and_names_the_newer_one(make_case, make_user):
    case = make_case()
    first, second = make_user("radiologist"), make_user("radiologist")
    make_review(case, RAD, author=first)
    # Both opened revision 1; the second author saves first.
    services.save_review(second, case, RAD, radiology_data(matrix="mixed"), 1)
    with pytest.raises(Conflict, match="changed since you opened it") as info:
        services.save_review(first, case, RAD, radiology_data(matrix="chondroid"), 1)
    assert f"revision 2 by {second.name}" in info.value.message
    assert services.get_review(case, RAD).current_revision.data["matrix"] == "mixed"


def test_a_new_review_when_one_exists_is_a_conflict(make_case, radiologist):
    case = make_case()
    make_review(case, RAD, author=radiologist)
    with pytest.raises(Conflict):
        services.save_review(radiologist, case, RAD, radiology_data(matrix="mixed"), 0)


def test_create_change_and_read_are_audited(make_case, radiologist, make_user):
    case = make_case()
    make_review(case, RAD, author=radiologist)
    make_review(case, RAD, author=radiologist, matrix="mixed")
    review = services.get_review(case, RAD)
    reader = make_user("medical_oncologist")
    services.record_review_read(reader, case, review, "revision 2")
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == [
        "review.create",
        "review.update",
        "review.read",
    ]
    assert all(e.case_id == case.id for e in entries)
    assert entries[1].changes == {"Characterisation · Matrix": ["Osteoid", "Mixed"]}
    assert entries[2].actor_id == reader.id


def test_admin_cannot_read_a_review(make_case, radiologist, make_user):
    case = make_case()
    make_review(case, RAD, author=radiologist)
    with pytest.raises(AccessDenied):
        services.record_review_read(
            make_user("admin"), case, services.get_review(case, RAD), "revision 1"
        )


def test_review_dates_cannot_be_in_the_future(make_case, pathologist):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    _refused(
        pathologist,
        make_case(),
        PATH,
        pathology_data(biopsy_date=tomorrow),
        "Biopsy / specimen date is in the future",
        "biopsy_date",
    )
