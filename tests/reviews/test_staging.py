"""The staging panel derives AJCC 8th bone and Enneking from the reviews
(reference §2 and §3) and lists what is missing instead of guessing."""

from __future__ import annotations

from tests.reviews.factories import make_review
from tumorboard.extensions import db
from tumorboard.reviews import services, staging


def _derive(case):
    reviews = services.case_reviews(case.id)
    return staging.derive(
        case, {d.value: r.current_revision.data for d, r in reviews.items()}
    )


def test_nothing_reviewed_lists_the_missing_inputs(make_case):
    result = _derive(make_case())
    assert result.stage_group is None and result.enneking is None
    assert "T, N and M (no radiology review)" in result.ajcc_missing
    assert "histological grade (no pathology review)" in result.ajcc_missing
    assert "diagnosis (no pathology review)" in result.enneking_missing


def test_high_grade_femur_over_8_cm_is_iib(make_case):
    # §2.1a: 92 mm > 8 cm → T2; §2.5: T2 N0 M0 G3 → IIB.
    # §3.1: high grade, extracompartmental, no metastasis → Enneking IIB.
    case = make_case()
    for discipline in ("radiology", "pathology", "orthopaedic_oncology"):
        make_review(case, discipline)
    result = _derive(case)
    assert (result.t, result.n, result.m, result.grade) == ("T2", "N0", "M0", "G3")
    assert result.stage_group == "IIB"
    assert result.enneking == "IIB"
    assert result.ajcc_missing == [] and result.enneking_missing == []


def test_exactly_8_cm_is_t1_and_lung_metastases_are_iva(make_case):
    # §2.1a: exactly 8.0 cm → T1; §2.5: M1a → IVA; §3.1 metastasis → III.
    case = make_case()
    make_review(case, "radiology", size_cc_mm=80, chest_ct="lung_metastases")
    make_review(case, "pathology")
    make_review(case, "orthopaedic_oncology")
    result = _derive(case)
    assert result.t == "T1" and result.m == "M1a"
    assert result.stage_group == "IVA"
    assert result.enneking == "III"


def test_skip_lesion_is_t3_and_bone_metastasis_is_m1b(make_case):
    case = make_case()
    make_review(case, "radiology", skip_lesions="yes", bone_scan_pet="bone_metastases")
    make_review(case, "pathology", grade="G1")
    result = _derive(case)
    assert result.t == "T3" and result.m == "M1b" and result.stage_group == "IVB"


def test_spine_has_no_stage_group(make_case):
    # §2.5: no AJCC stage groups for spine and pelvis.
    case = make_case(site_code="C41.2")
    make_review(case, "radiology", t_category="T2")
    make_review(case, "pathology")
    result = _derive(case)
    assert result.t == "T2"
    assert result.stage_group is None
    assert result.stage_note == "No AJCC stage group is defined for spine and pelvis."


def test_missing_staging_studies_are_named(make_case):
    case = make_case()
    make_review(case, "radiology", chest_ct="not_done", regional_nodes=None)
    make_review(case, "pathology", grade="GX")
    result = _derive(case)
    assert result.stage_group is None
    assert "chest CT result (radiology)" in result.ajcc_missing
    assert "regional lymph nodes (radiology)" in result.ajcc_missing
    assert "grade G1–G3 (pathology)" in result.enneking_missing
    assert "compartment (orthopaedic review)" in result.enneking_missing


def test_benign_tumour_gets_a_benign_enneking_stage(make_case):
    # §3.2: active benign tumour → stage 2; not AJCC-staged.
    case = make_case()
    make_review(case, "pathology", who_entity="enchondroma", grade=None)
    make_review(
        case, "orthopaedic_oncology", compartment=None, benign_activity="active"
    )
    result = _derive(case)
    assert result.enneking == "2"
    assert result.stage_group is None and result.ajcc_missing == []


def test_entity_without_a_known_behaviour_is_not_staged(make_case):
    # §1.2: the WHO 2020 behaviour of aneurysmal bone cyst is [NF].
    case = make_case()
    make_review(case, "radiology")
    make_review(case, "pathology", who_entity="aneurysmal_bone_cyst", grade=None)
    result = _derive(case)
    assert result.stage_group is None and result.enneking is None
    assert "WHO behaviour of the diagnosis" in result.enneking_missing
    assert any("not in the reference" in n for n in result.notes)


def test_metastases_are_not_staged_as_bone_sarcoma(make_case):
    case = make_case(case_type="skeletal_metastasis", known_primary="breast")
    result = _derive(case)
    assert not result.applies
    assert "skeletal metastasis" in result.note


def test_myeloma_histology_is_outside_the_bone_schemas(make_case):
    # §1.3: the SEER bone schemas take histology 8000–9582 without lymphoma
    # and myeloma codes.
    case = make_case()
    make_review(case, "radiology")
    make_review(case, "pathology", who_entity="plasma_cell_myeloma")
    result = _derive(case)
    assert result.stage_group is None
    assert any("outside the AJCC bone schemas" in n for n in result.notes)


def test_t_category_of_another_site_is_listed_not_staged(make_case):
    # §2.1c pelvis T1a has no row in the spine table (§2.1b): after the case
    # moved from the pelvis to the vertebral column, staging must not raise.
    case = make_case(site_code="C41.4")
    make_review(case, "radiology", t_category="T1a")
    make_review(case, "pathology")
    case.site_code = "C41.2"
    result = _derive(case)
    assert result.t is None and result.stage_group is None
    assert any(
        m.startswith(staging.T_FOR_ANOTHER_SITE) and "T1a" in m
        for m in result.ajcc_missing
    )


def test_segment_t_category_is_ignored_once_the_site_is_size_staged(make_case):
    # §2.1a: a femur is staged by size; a stored pelvic T is not used.
    case = make_case(site_code="C41.4")
    make_review(case, "radiology", t_category="T3")
    make_review(case, "pathology")
    case.site_code = "C40.2"
    result = _derive(case)
    assert result.t == "T2" and result.stage_group == "IIB"
    assert any(
        "(T3) was recorded for a spine or pelvis site" in n for n in result.notes
    )


def test_sins_and_mirels_of_another_site_are_ignored_with_a_note(make_case):
    case = make_case(
        case_type="skeletal_metastasis", site_code="C41.4", known_primary="breast"
    )
    make_review(
        case,
        "radiology",
        sins_level="S3",
        sins_pain="occasional",
        sins_lesion="lytic",
        sins_alignment="normal",
        sins_collapse="none",
        sins_posterolateral="none",
    )
    case.site_code = "C41.2"
    result = _derive(case)
    assert not result.applies
    assert any("SINS in the radiology review (level S3)" in n for n in result.notes)


def test_mirels_of_a_case_no_longer_a_long_bone_metastasis_is_noted(make_case):
    # Reference §4: Mirels is for long-bone metastases only.
    case = make_case(case_type="skeletal_metastasis", known_primary="breast")
    make_review(
        case,
        "orthopaedic_oncology",
        compartment=None,
        mirels_site="lower_limb",
        mirels_pain="moderate",
        mirels_lesion="mixed",
        mirels_size="one_to_two_thirds",
        mirels_size_definition="cortex",
    )
    case.site_code = "C41.2"
    notes = _derive(case).notes
    assert any("The Mirels score in the orthopaedic review" in n for n in notes)


def test_enneking_label_describes_the_stage_without_repeating_it(make_case):
    case = make_case()
    for discipline in ("radiology", "pathology", "orthopaedic_oncology"):
        make_review(case, discipline)
    result = _derive(case)
    assert result.enneking == "IIB"
    assert result.enneking_label == "high grade, extracompartmental, no metastasis"

    benign = make_case()
    make_review(benign, "pathology", who_entity="enchondroma", grade=None)
    make_review(
        benign, "orthopaedic_oncology", compartment=None, benign_activity="active"
    )
    result = _derive(benign)
    assert (result.enneking, result.enneking_label) == ("2", "Active")


def test_staging_panel_shows_each_enneking_stage_once(client, login_as, make_case):
    case = make_case()
    for discipline in ("radiology", "pathology", "orthopaedic_oncology"):
        make_review(case, discipline)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/cases/{case.id}").text
    assert (
        '<strong class="stage">IIB</strong> <span class="muted">high grade, '
        "extracompartmental, no metastasis</span>"
    ) in page
    assert "IIB IIB" not in page
