"""Where Mirels and SINS apply, against the bone-tumour reference
(../shared/reference/bone-tumor-reference.md).

§1.3 gives the ICD-O-3 bone sites: C40.0 and C40.2 are the long bones of the
limbs, C41.2 the vertebral column without sacrum and coccyx, which are coded
with the pelvis as C41.4. §4: Mirels is for long-bone lesions, not the spine.
§5: SINS scores the spine from the occiput to S5 (L5–S1 junctional, S2–S5
rigid).
"""

from __future__ import annotations

import enum

import pytest

import tumorboard.clinical as clinical
from tumorboard.clinical import applicability, scores
from tumorboard.clinical.applicability import (
    LONG_BONE_SITES,
    PELVIS_SITE,
    SACRAL_LEVELS,
    SKELETAL_METASTASIS,
    SPINE_SITE,
    is_skeletal_metastasis,
    mirels_applies,
    sins_applies,
    sins_is_required,
    sins_level_fits_site,
)

METASTASIS = "skeletal_metastasis"
PRIMARY = "primary_bone_tumour"


@pytest.mark.parametrize(
    ("case_type", "expected"),
    [(METASTASIS, True), (PRIMARY, False), ("", False), (None, False)],
)
def test_is_skeletal_metastasis(case_type, expected):
    assert is_skeletal_metastasis(case_type) is expected


def test_case_type_may_be_a_string_enum():
    # Case types are stored as string enums; their members compare as strings.
    kind = enum.StrEnum("CaseKind", {"METASTASIS": METASTASIS, "PRIMARY": PRIMARY})
    assert is_skeletal_metastasis(kind.METASTASIS)
    assert not is_skeletal_metastasis(kind.PRIMARY)
    assert mirels_applies(kind.METASTASIS, "C40.2")


# §4 (long bones only, "not the spine (use SINS for spine)") with the §1.3 codes.
@pytest.mark.parametrize(
    ("case_type", "site_code", "expected"),
    [
        (METASTASIS, "C40.0", True),  # long bones of upper limb
        (METASTASIS, "C40.2", True),  # long bones of lower limb
        (METASTASIS, "C40.1", False),  # short bones of upper limb
        (METASTASIS, "C40.3", False),  # short bones of lower limb
        (METASTASIS, "C40.8", False),  # overlapping lesion of limb bones
        (METASTASIS, "C40.9", False),  # bone of limb, NOS
        (METASTASIS, "C41.2", False),  # vertebral column: SINS instead
        (METASTASIS, "C41.4", False),  # pelvis and sacrum
        (METASTASIS, "C41.3", False),  # rib, sternum, clavicle
        (PRIMARY, "C40.2", False),  # Mirels is for metastases
        (PRIMARY, "C40.0", False),
        (METASTASIS, None, False),
    ],
)
def test_mirels_applies_to_long_bone_metastases(case_type, site_code, expected):
    assert mirels_applies(case_type, site_code) is expected


# §5 with §1.3: the spine is C41.2; the sacrum (S1–S5) is coded C41.4.
@pytest.mark.parametrize(
    ("site_code", "expected"),
    [
        ("C41.2", True),
        ("C41.4", True),
        ("C40.2", False),
        ("C41.0", False),
        ("C41.3", False),
        ("C41.9", False),
        (None, False),
    ],
)
def test_sins_applies_to_the_spine_and_the_sacrum(site_code, expected):
    assert sins_applies(site_code) is expected


# §5 location row: occiput–L5 belong to the vertebral column (C41.2), S1–S5 to
# the sacrum, which §1.3 codes with the pelvis (C41.4).
@pytest.mark.parametrize(
    ("site_code", "level", "expected"),
    [
        ("C41.2", "occiput", True),
        ("C41.2", "C5", True),
        ("C41.2", "T7", True),
        ("C41.2", "L5", True),
        ("C41.2", "S1", False),
        ("C41.2", "S3", False),
        ("C41.4", "S1", True),
        ("C41.4", "S5", True),
        ("C41.4", "L5", False),
        ("C41.4", "T12", False),
        ("C40.2", "L3", False),
        ("C40.2", "S2", False),
        ("C41.2", None, False),
        ("C41.4", None, False),
    ],
)
def test_sins_level_fits_site(site_code, level, expected):
    assert sins_level_fits_site(site_code, level) is expected


# §5: SINS is needed for spinal metastases; in the pelvis (C41.4) only for a
# sacral lesion, since the other pelvic bones are not part of the spine.
@pytest.mark.parametrize(
    ("case_type", "site_code", "sins_level", "expected"),
    [
        (METASTASIS, "C41.2", None, True),
        (METASTASIS, "C41.2", "T8", True),
        (METASTASIS, "C41.4", "S1", True),
        (METASTASIS, "C41.4", "S4", True),
        (METASTASIS, "C41.4", None, False),
        (METASTASIS, "C41.4", "L5", False),
        (METASTASIS, "C40.2", "S1", False),
        (PRIMARY, "C41.2", None, False),
        (PRIMARY, "C41.4", "S2", False),
    ],
)
def test_sins_is_required(case_type, site_code, sins_level, expected):
    assert sins_is_required(case_type, site_code, sins_level) is expected


def test_every_sins_level_fits_exactly_one_site():
    # §5's location row runs from the occiput to S5 without gaps.
    for level in scores.SINS_LEVELS:
        fits = [sins_level_fits_site(site, level) for site in (SPINE_SITE, PELVIS_SITE)]
        assert fits.count(True) == 1, level
    assert set(SACRAL_LEVELS) <= set(scores.SINS_LEVELS)


def test_sites_are_catalogued_bone_sites():
    # §1.3: the codes named here are ICD-O-3 bone topography codes.
    for code in (*LONG_BONE_SITES, SPINE_SITE, PELVIS_SITE):
        assert clinical.topography(code).code == code
    assert clinical.topography(SPINE_SITE).ajcc_site_group == "spine"
    assert clinical.topography(PELVIS_SITE).ajcc_site_group == "pelvis"


def test_rules_are_exported_from_the_package():
    for name in (
        "is_skeletal_metastasis",
        "mirels_applies",
        "sins_applies",
        "sins_is_required",
        "sins_level_fits_site",
    ):
        assert getattr(clinical, name) is getattr(applicability, name)
        assert name in clinical.__all__
        assert getattr(clinical, name).__doc__
    assert SKELETAL_METASTASIS == METASTASIS
