"""Tests for tumorboard.clinical.staging (AJCC 8th bone, Enneking)."""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumorboard.clinical import staging
from tumorboard.clinical.staging import (
    AJCC_GRADES,
    AJCC_M_CODES,
    AJCC_N_CODES,
    AJCC_SHORT_LABELS,
    AJCC_SITE_GROUPS,
    AJCC_STAGE_GROUPS,
    AJCC_T_CODES,
    AJCC_T_SHORT_LABELS,
    ENNEKING_BENIGN_DESCRIPTIONS,
    ENNEKING_BENIGN_STAGES,
    ENNEKING_MARGIN_PLANES,
    ENNEKING_MARGINS,
    ENNEKING_STAGE_DESCRIPTIONS,
    ENNEKING_STAGES,
    ajcc_bone_stage,
    ajcc_bone_t,
    ajcc_t_choices,
    enneking_benign_stage,
    enneking_margin,
    enneking_stage,
)

STAGED = ("appendicular", "trunk", "skull", "facial")
UNSTAGED = ("spine", "pelvis")
ANY_T = ("TX", "T0", "T1", "T2", "T3")
ANY_N = AJCC_N_CODES
ANY_G = AJCC_GRADES

# reference §2.5: one entry per table row; each cell lists the codes it covers.
# Row "IVB, Any T, N1, Any M" keeps M1 because N1 alone decides IVB.
STAGE_ROWS = [
    ("IA", ("T1",), ("N0",), ("M0",), ("G1", "GX")),
    ("IB", ("T2", "T3"), ("N0",), ("M0",), ("G1", "GX")),
    ("IIA", ("T1",), ("N0",), ("M0",), ("G2", "G3")),
    ("IIB", ("T2",), ("N0",), ("M0",), ("G2", "G3")),
    ("III", ("T3",), ("N0",), ("M0",), ("G2", "G3")),
    ("IVA", ANY_T, ("N0",), ("M1a",), ANY_G),
    ("IVB", ANY_T, ("N1",), AJCC_M_CODES, ANY_G),
    ("IVB", ANY_T, ANY_N, ("M1b",), ANY_G),
]


def test_site_groups():
    assert [key for key, _ in AJCC_SITE_GROUPS] == [*STAGED, *UNSTAGED]


def test_t_codes_per_site_group():
    # reference §2.1 (a) shared, (b) spine, (c) pelvis
    for group in STAGED:
        assert AJCC_T_CODES[group] == ("TX", "T0", "T1", "T2", "T3")
    assert AJCC_T_CODES["spine"] == ("TX", "T0", "T1", "T2", "T3", "T4", "T4a", "T4b")
    assert AJCC_T_CODES["pelvis"] == (
        "TX", "T0", "T1", "T1a", "T1b", "T2", "T2a", "T2b",
        "T3", "T3a", "T3b", "T4", "T4a", "T4b",
    )  # fmt: skip


def test_n_m_g_codes():
    # reference §2.2–2.4
    assert AJCC_N_CODES == ("NX", "N0", "N1")
    assert AJCC_M_CODES == ("M0", "M1", "M1a", "M1b")
    assert AJCC_GRADES == ("GX", "G1", "G2", "G3")
    assert AJCC_STAGE_GROUPS == ("IA", "IB", "IIA", "IIB", "III", "IVA", "IVB")
    assert AJCC_SHORT_LABELS["M1a"] == "Lung"
    assert set(AJCC_SHORT_LABELS) == {*AJCC_N_CODES, *AJCC_M_CODES, *AJCC_GRADES}


def test_every_t_code_has_a_short_label():
    for group, codes in AJCC_T_CODES.items():
        assert set(AJCC_T_SHORT_LABELS[group]) == set(codes)


def test_t_choices():
    assert ajcc_t_choices("trunk")[2] == ("T1", "T1 — ≤ 8 cm")
    assert [code for code, _ in ajcc_t_choices("spine")] == list(AJCC_T_CODES["spine"])
    with pytest.raises(ValueError, match="ajcc_t_choices: site_group 'hand'"):
        ajcc_t_choices("hand")


@pytest.mark.parametrize("site_group", STAGED)
@pytest.mark.parametrize(("stage", "ts", "ns", "ms", "gs"), STAGE_ROWS)
def test_every_stage_group_row(site_group, stage, ts, ns, ms, gs):
    # reference §2.5 anatomic stage groups, every combination of each row
    for t, n, m, g in itertools.product(ts, ns, ms, gs):
        assert ajcc_bone_stage(site_group, t, n, m, g) == stage, (t, n, m, g)


@pytest.mark.parametrize("site_group", UNSTAGED)
def test_spine_and_pelvis_have_no_stage_group(site_group):
    # reference §2.5: "Spine and pelvis: there are no AJCC stage groups"
    for t, n, m, g in itertools.product(
        AJCC_T_CODES[site_group], AJCC_N_CODES, AJCC_M_CODES, AJCC_GRADES
    ):
        assert ajcc_bone_stage(site_group, t, n, m, g) is None


@pytest.mark.parametrize("site_group", STAGED)
@pytest.mark.parametrize("t", ["TX", "T0"])
@pytest.mark.parametrize("n", ["N0", "NX"])
@pytest.mark.parametrize("g", ANY_G)
def test_unassessable_t_without_metastasis_has_no_row(site_group, t, n, g):
    # reference §2.5: no row covers TX/T0 with N0 M0
    assert ajcc_bone_stage(site_group, t, n, "M0", g) is None


@pytest.mark.parametrize(
    ("t", "m", "g", "stage"),
    [
        ("T1", "M0", "G1", "IA"),
        ("T2", "M0", "GX", "IB"),
        ("T1", "M0", "G3", "IIA"),
        ("T2", "M0", "G2", "IIB"),
        ("T3", "M0", "G3", "III"),
        ("T2", "M1a", "G3", "IVA"),
        ("TX", "M1b", "G1", "IVB"),
    ],
)
def test_nx_groups_as_n0(t, m, g, stage):
    # reference §2.5 suggested evaluation order and §2.2 ("considered N0")
    assert ajcc_bone_stage("appendicular", t, "NX", m, g) == stage


def test_lung_and_bone_metastases_are_m1b_and_stage_ivb():
    # reference §2.3: lung + bone → M1b
    assert ajcc_bone_stage("appendicular", "T1", "N0", "M1b", "G1") == "IVB"


@pytest.mark.parametrize("site_group", STAGED)
@pytest.mark.parametrize("t", ANY_T)
@pytest.mark.parametrize("g", ANY_G)
def test_m1_without_subcategory_is_accepted_with_n1(site_group, t, g):
    # reference §2.5: "Any T, N1, Any M" → IVB, so M1 suffices
    assert ajcc_bone_stage(site_group, t, "N1", "M1", g) == "IVB"


@pytest.mark.parametrize("site_group", STAGED)
@pytest.mark.parametrize("n", ["N0", "NX"])
def test_m1_without_subcategory_otherwise_raises(site_group, n):
    # reference §2.5: IVA (M1a) and IVB (M1b) need the subcategory
    with pytest.raises(
        ValueError, match=r"ajcc_bone_stage: m 'M1' is not allowed; expected M1a"
    ):
        ajcc_bone_stage(site_group, "T1", n, "M1", "G1")


@pytest.mark.parametrize(
    ("site_group", "t"),
    [
        ("appendicular", "T4"),
        ("trunk", "T4a"),
        ("skull", "T1a"),
        ("facial", "T4b"),
        ("spine", "T1a"),
        ("spine", "T3b"),
        ("pelvis", "T5"),
    ],
)
def test_t_code_not_valid_for_site_group_raises(site_group, t):
    # reference §2.1: T codes belong to their site group's table
    allowed = ", ".join(AJCC_T_CODES[site_group])
    with pytest.raises(ValueError) as excinfo:
        ajcc_bone_stage(site_group, t, "N0", "M0", "G1")
    assert str(excinfo.value) == (
        f"ajcc_bone_stage: t '{t}' is not allowed; "
        f"expected one of {allowed} for site_group {site_group}"
    )


@pytest.mark.parametrize(
    ("args", "param"),
    [
        (("hand", "T1", "N0", "M0", "G1"), "site_group"),
        (("Appendicular", "T1", "N0", "M0", "G1"), "site_group"),
        (("appendicular", "t1", "N0", "M0", "G1"), "t"),
        (("appendicular", 1, "N0", "M0", "G1"), "t"),
        (("appendicular", "T1", "N2", "M0", "G1"), "n"),
        (("appendicular", "T1", None, "M0", "G1"), "n"),
        (("appendicular", "T1", "N0", "M2", "G1"), "m"),
        (("appendicular", "T1", "N0", "M1c", "G1"), "m"),
        (("appendicular", "T1", "N0", "M0", "G4"), "grade"),
        (("appendicular", "T1", "N0", "M0", "H"), "grade"),
        (("appendicular", "T1", "N0", "M0", True), "grade"),
        (("spine", "T1", "N0", "M0", "G9"), "grade"),  # validated for spine too
        (("pelvis", "T1a", "N3", "M0", "G1"), "n"),
    ],
)
def test_unknown_codes_raise_naming_parameter(args, param):
    with pytest.raises(ValueError, match=rf"ajcc_bone_stage: {param} .* expected"):
        ajcc_bone_stage(*args)


@given(
    st.sampled_from([key for key, _ in AJCC_SITE_GROUPS]).flatmap(
        lambda group: st.tuples(
            st.just(group),
            st.sampled_from(AJCC_T_CODES[group]),
            st.sampled_from(AJCC_N_CODES),
            st.sampled_from(AJCC_M_CODES),
            st.sampled_from(AJCC_GRADES),
        )
    )
)
def test_stage_is_total_over_valid_codes(codes):
    site_group, t, n, m, g = codes
    if m == "M1" and n != "N1" and site_group in STAGED:
        with pytest.raises(ValueError, match="M1a"):
            ajcc_bone_stage(*codes)
        return
    stage = ajcc_bone_stage(*codes)
    if site_group in UNSTAGED:
        assert stage is None
    elif t in ("TX", "T0") and n != "N1" and m == "M0":
        assert stage is None
    else:
        assert stage in AJCC_STAGE_GROUPS


# --- T from size (reference §2.1a) --------------------------------------------


@pytest.mark.parametrize(
    ("size", "t"),
    [
        (0.1, "T1"),
        (7.99, "T1"),
        (8, "T1"),
        (8.0, "T1"),  # reference §2.1a: exactly 8.0 cm is T1
        (Decimal("8.0"), "T1"),
        (8.01, "T2"),
        (math.nextafter(8.0, 9.0), "T2"),
        (Decimal("8.00000000000000000001"), "T2"),
        (30, "T2"),
    ],
)
@pytest.mark.parametrize("site_group", STAGED)
def test_t_from_size(site_group, size, t):
    assert ajcc_bone_t(site_group, size) == t


@pytest.mark.parametrize("size", [0.5, 8.0, 25])
def test_discontinuous_tumour_is_t3_whatever_the_size(size):
    # reference §2.1a: T3 overrides size
    assert ajcc_bone_t("appendicular", size, discontinuous=True) == "T3"
    assert ajcc_bone_t("appendicular", size, True) == "T3"


@pytest.mark.parametrize("site_group", UNSTAGED)
def test_t_from_size_rejects_spine_and_pelvis(site_group):
    with pytest.raises(
        ValueError,
        match=rf"ajcc_bone_t: site_group '{site_group}' is not allowed; "
        "expected one of appendicular, trunk, skull, facial",
    ):
        ajcc_bone_t(site_group, 5.0)


@pytest.mark.parametrize(
    "size", [0, 0.0, -1, float("nan"), float("inf"), True, "8", None, Decimal("NaN")]
)
def test_t_from_size_rejects_bad_sizes(size):
    with pytest.raises(
        ValueError,
        match=rf"ajcc_bone_t: greatest_dimension_cm {re.escape(repr(size))} .*> 0",
    ):
        ajcc_bone_t("appendicular", size)


@pytest.mark.parametrize("flag", [1, 0, "yes", None])
def test_t_from_size_rejects_non_bool_discontinuous(flag):
    with pytest.raises(ValueError, match="ajcc_bone_t: discontinuous .* True or False"):
        ajcc_bone_t("appendicular", 5.0, flag)


@given(
    st.sampled_from(STAGED),
    st.floats(min_value=0, exclude_min=True, allow_nan=False, allow_infinity=False),
    st.booleans(),
)
def test_t_from_size_is_total(site_group, size, discontinuous):
    t = ajcc_bone_t(site_group, size, discontinuous)
    assert t == ("T3" if discontinuous else "T1" if size <= 8 else "T2")


# --- Enneking (reference §3) ---------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "compartment", "stage"),
    [
        ("low", "intra", "IA"),
        ("low", "extra", "IB"),
        ("high", "intra", "IIA"),
        ("high", "extra", "IIB"),
    ],
)
def test_enneking_rows_without_metastasis(grade, compartment, stage):
    # reference §3.1
    assert enneking_stage(grade, compartment, False) == stage


@pytest.mark.parametrize(
    ("grade", "compartment", "split_stage"),
    [
        ("low", "intra", "IIIA"),
        ("low", "extra", "IIIB"),
        ("high", "intra", "IIIA"),
        ("high", "extra", "IIIB"),
    ],
)
def test_enneking_metastasis_is_stage_iii(grade, compartment, split_stage):
    # reference §3.1: III any G any T M1; IIIA/IIIB subdivision (wheelessonline)
    assert enneking_stage(grade, compartment, True) == "III"
    assert enneking_stage(grade, compartment, True, subdivide_iii=True) == split_stage
    assert enneking_stage(grade, compartment, False, subdivide_iii=True) != "III"


@pytest.mark.parametrize(
    ("args", "param"),
    [
        (("G1", "intra", False), "grade"),
        (("LOW", "intra", False), "grade"),
        (("low", "intracompartmental", False), "compartment"),
        (("low", None, False), "compartment"),
        (("low", "intra", 1), "metastasis"),
        (("low", "intra", "no"), "metastasis"),
        (("low", "intra", None), "metastasis"),
    ],
)
def test_enneking_rejects_bad_input(args, param):
    with pytest.raises(ValueError, match=rf"enneking_stage: {param} .* expected"):
        enneking_stage(*args)


def test_enneking_rejects_non_bool_subdivide():
    with pytest.raises(ValueError, match="enneking_stage: subdivide_iii 1"):
        enneking_stage("low", "intra", True, subdivide_iii=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("activity", "stage"), [("latent", "1"), ("active", "2"), ("aggressive", "3")]
)
def test_enneking_benign_stages(activity, stage):
    # reference §3.2
    assert enneking_benign_stage(activity) == stage


@pytest.mark.parametrize("activity", ["inactive", "1", 1, None, "Latent"])
def test_enneking_benign_rejects_bad_input(activity):
    with pytest.raises(
        ValueError,
        match=rf"enneking_benign_stage: activity {re.escape(repr(activity))} is not "
        "allowed; expected one of latent, active, aggressive",
    ):
        enneking_benign_stage(activity)


def test_enneking_vocabularies():
    # reference §3.2, §3.3
    assert [k for k, _ in ENNEKING_BENIGN_STAGES] == ["latent", "active", "aggressive"]
    assert ENNEKING_MARGINS == (
        ("intralesional", "Intralesional"),
        ("marginal", "Marginal"),
        ("wide", "Wide"),
        ("radical", "Radical"),
    )
    assert set(ENNEKING_MARGIN_PLANES) == {k for k, _ in ENNEKING_MARGINS}


@pytest.mark.parametrize("margin", [k for k, _ in ENNEKING_MARGINS])
def test_enneking_margin_accepts_each_margin(margin):
    assert enneking_margin(margin) == margin


@pytest.mark.parametrize("margin", ["R0", "Wide", "", None])
def test_enneking_margin_rejects_unknown(margin):
    with pytest.raises(ValueError, match="enneking_margin: margin"):
        enneking_margin(margin)


@given(st.sampled_from(["low", "high"]), st.sampled_from(["intra", "extra"]))
def test_enneking_is_total(grade, compartment):
    for metastasis in (False, True):
        assert enneking_stage(grade, compartment, metastasis) in (
            "IA",
            "IB",
            "IIA",
            "IIB",
            "III",
        )


def test_module_exports_are_documented():
    for name in staging.__all__:
        obj = getattr(staging, name)
        if callable(obj):
            assert obj.__doc__, name


def test_enneking_descriptions_do_not_repeat_the_stage():
    # The staging panel shows the stage, then its description.
    for stage, text in ENNEKING_STAGE_DESCRIPTIONS.items():
        assert stage not in text.split()
        assert dict(ENNEKING_STAGES)[stage] == f"{stage} — {text}"
    for key, text in ENNEKING_BENIGN_DESCRIPTIONS.items():
        assert dict(ENNEKING_BENIGN_STAGES)[key] == (
            f"{enneking_benign_stage(key)} — {text}"
        )
