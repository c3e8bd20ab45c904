"""Review fields a sarcoma board expects: radiology position in the bone and
intramedullary extent, ESCC (Bilsky) on vertebral lesions (reference §9.4),
SINS levels that follow the case's site (§5), the pathologist's comment."""

from __future__ import annotations

import re

import pytest

from tests.reviews.factories import make_review, pathology_data, radiology_data
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db

pytestmark = pytest.mark.usefixtures("app")


def test_long_bone_radiology_records_position_and_intramedullary_extent(make_case):
    case = make_case(site_code="C40.2")
    revision = make_review(
        case, "radiology", position_in_bone="eccentric", intramedullary_extent_mm=145
    )
    assert revision.data["position_in_bone"] == "eccentric"
    assert revision.data["intramedullary_extent_mm"] == 145


def test_intramedullary_extent_is_for_long_bones_only(make_case):
    case = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="lung"
    )
    with pytest.raises(InvalidInput, match="long bones only"):
        make_review(case, "radiology", intramedullary_extent_mm=80)


@pytest.mark.parametrize(
    ("grade", "category"),
    # §9.4: 0, 1a, 1b low grade; 1c debated; 2, 3 high grade.
    [
        ("0", "low_grade"),
        ("1b", "low_grade"),
        ("1c", "intermediate"),
        ("3", "high_grade"),
    ],
)
def test_vertebral_lesions_get_an_escc_grade(make_case, grade, category):
    case = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="lung"
    )
    revision = make_review(case, "radiology", t_category="T1", escc_grade=grade)
    assert revision.scores["escc"]["category"] == category
    assert revision.scores["escc"]["interpretation"].startswith(f"ESCC {grade}:")


def test_escc_is_refused_outside_the_vertebral_column(make_case):
    with pytest.raises(InvalidInput, match="vertebral column"):
        make_review(make_case(site_code="C40.2"), "radiology", escc_grade="2")


def test_escc_grade_outside_the_scale_is_refused(make_case):
    case = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="lung"
    )
    with pytest.raises(InvalidInput):
        make_review(case, "radiology", t_category="T1", escc_grade="4")


def _sins_options(client, case) -> list[str]:
    page = client.get(f"/cases/{case.id}/reviews/radiology/edit").text
    select = re.search(r'<select[^>]*name="sins_level".*?</select>', page, re.S)
    return re.findall(r'<option[^>]*value="([^"]+)"', select.group(0))


def test_sins_levels_follow_the_site(client, login_as, make_case):
    spine = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="lung"
    )
    pelvis = make_case(
        case_type="skeletal_metastasis", site_code="C41.4", known_primary="lung"
    )
    db.session.commit()
    login_as("radiologist")
    spinal = _sins_options(client, spine)
    assert "L5" in spinal and "T11" in spinal
    assert not [level for level in spinal if level.startswith("S")]
    assert _sins_options(client, pelvis) == ["S1", "S2", "S3", "S4", "S5"]


def test_radiology_form_shows_escc_only_on_vertebral_cases(client, login_as, make_case):
    spine = make_case(
        case_type="skeletal_metastasis", site_code="C41.2", known_primary="lung"
    )
    femur = make_case(site_code="C40.2")
    db.session.commit()
    login_as("radiologist")
    spinal = client.get(f"/cases/{spine.id}/reviews/radiology/edit").text
    assert 'name="escc_grade"' in spinal
    assert "1c — thecal sac deformed, cord abutted, not compressed" in spinal
    assert 'name="intramedullary_extent_mm"' not in spinal
    limb = client.get(f"/cases/{femur.id}/reviews/radiology/edit").text
    assert 'name="escc_grade"' not in limb
    assert 'name="intramedullary_extent_mm"' in limb


def test_pathologist_comment_is_kept_and_shown(client, login_as, make_case):
    case = make_case()
    comment = (
        "Scant material; a further core from the soft-tissue component would help."
    )
    revision = make_review(case, "pathology", comment=comment)
    assert revision.data["comment"] == comment
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/cases/{case.id}/reviews/pathology").text
    assert "Pathologist&#39;s comment" in page or "Pathologist's comment" in page
    assert "Scant material; a further core" in page


def test_pathology_comment_has_a_length_limit(make_case):
    with pytest.raises(InvalidInput):
        make_review(make_case(), "pathology", **pathology_data(comment="x" * 4001))


def test_radiology_data_without_new_fields_still_saves(make_case):
    # Reviews written before these fields existed stay valid.
    assert make_review(make_case(), "radiology", **radiology_data()).number == 1
