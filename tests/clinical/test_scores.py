"""Tests for tumorboard.clinical.scores against the bone-tumour reference."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumorboard.clinical import scores
from tumorboard.clinical.catalogue import METASTATIC_PRIMARIES
from tumorboard.clinical.scores import (
    BONE_RADS_CATEGORIES,
    BONE_RADS_SYSTEMS,
    ECOG_GRADES,
    HUVOS_GRADES,
    KARNOFSKY_VALUES,
    LODWICK_GRADES,
    LODWICK_TO_MODIFIED,
    MIRELS_CATEGORIES,
    MIRELS_OPTIONS,
    MIRELS_POINTS,
    MODIFIED_LODWICK_GRADES,
    MODIFIED_LODWICK_RATES,
    MSTS_CATEGORIES,
    MSTS_LIMBS,
    PPS_VALUES,
    SINS_CATEGORIES,
    SINS_LEVELS,
    SINS_OPTIONS,
    SINS_POINTS,
    TOKUHASHI_CATEGORIES,
    TOKUHASHI_OPTIONS,
    BoneRads,
    ScoreResult,
    bone_rads,
    ecog,
    huvos_grade,
    is_good_responder,
    karnofsky,
    lodwick,
    lodwick_to_modified,
    mirels,
    modified_lodwick,
    msts_functional,
    pps,
    sins,
    sins_location,
    tokuhashi_revised,
)

BAD_NUMBERS = [True, False, float("nan"), float("inf"), "5", None, 2.5]


def keys(options):
    return [key for key, _ in options]


# --- Mirels (reference §4) ----------------------------------------------------

# reference §4: variable, option, points
MIRELS_ROWS = [
    ("site", "upper_limb", 1),
    ("site", "lower_limb", 2),
    ("site", "peritrochanteric", 3),
    ("pain", "mild", 1),
    ("pain", "moderate", 2),
    ("pain", "functional", 3),
    ("lesion", "blastic", 1),
    ("lesion", "mixed", 2),
    ("lesion", "lytic", 3),
    ("size", "lt_one_third", 1),
    ("size", "one_to_two_thirds", 2),
    ("size", "gt_two_thirds", 3),
]
MIRELS_LOWEST = {
    "site": "upper_limb",
    "pain": "mild",
    "lesion": "blastic",
    "size": "lt_one_third",
}


@pytest.mark.parametrize(("variable", "option", "points"), MIRELS_ROWS)
def test_mirels_option_points(variable, option, points):
    # reference §4 scoring table
    assert MIRELS_POINTS[variable][option] == points
    result = mirels(**{**MIRELS_LOWEST, variable: option})
    assert dict(result.points)[variable] == points
    assert result.total == 3 + points


def test_mirels_options_are_exactly_the_table():
    assert {v: keys(o) for v, o in MIRELS_OPTIONS.items()} == {
        "site": ["upper_limb", "lower_limb", "peritrochanteric"],
        "pain": ["mild", "moderate", "functional"],
        "lesion": ["blastic", "mixed", "lytic"],
        "size": ["lt_one_third", "one_to_two_thirds", "gt_two_thirds"],
    }
    assert keys(MIRELS_CATEGORIES) == ["low", "borderline", "high"]


@pytest.mark.parametrize(
    ("args", "total", "category", "risk"),
    [
        (("upper_limb", "mild", "blastic", "lt_one_third"), 4, "low", "< 4 %"),
        (("lower_limb", "moderate", "mixed", "lt_one_third"), 7, "low", "< 4 %"),
        (
            ("lower_limb", "moderate", "mixed", "one_to_two_thirds"),
            8,
            "borderline",
            "15 %",
        ),
        (("lower_limb", "moderate", "lytic", "one_to_two_thirds"), 9, "high", "≥ 33 %"),
        (
            ("peritrochanteric", "functional", "lytic", "gt_two_thirds"),
            12,
            "high",
            "≥ 33 %",
        ),
    ],
)
def test_mirels_bands(args, total, category, risk):
    # reference §4: ≤ 7 low, 8 borderline, ≥ 9 high
    result = mirels(*args)
    assert (result.total, result.category) == (total, category)
    assert risk in result.interpretation


def test_mirels_recommendations():
    # reference §4 recommendation column
    low = mirels("upper_limb", "mild", "blastic", "lt_one_third")
    mid = mirels("lower_limb", "moderate", "mixed", "one_to_two_thirds")
    high = mirels("peritrochanteric", "functional", "lytic", "gt_two_thirds")
    assert "radiotherapy and observation" in low.interpretation
    assert "consider fixation" in mid.interpretation
    assert "prophylactic fixation" in high.interpretation


def test_mirels_every_combination_stays_in_range():
    # reference §4: total 4–12
    for combo in itertools.product(*(keys(o) for o in MIRELS_OPTIONS.values())):
        result = mirels(*combo)
        assert 4 <= result.total <= 12
        if result.total <= 7:
            assert result.category == "low"
        elif result.total == 8:
            assert result.category == "borderline"
        else:
            assert result.category == "high"


@given(*(st.sampled_from(keys(MIRELS_OPTIONS[v])) for v in MIRELS_OPTIONS))
def test_mirels_is_total(site, pain, lesion, size):
    result = mirels(site, pain, lesion, size)
    assert 4 <= result.total <= 12
    assert result.category in keys(MIRELS_CATEGORIES)


def test_mirels_error_message_format():
    with pytest.raises(ValueError) as excinfo:
        mirels("arm", "mild", "lytic", "lt_one_third")
    assert str(excinfo.value) == (
        "mirels: site 'arm' is not allowed; expected one of upper_limb, lower_limb, "
        "peritrochanteric"
    )


@pytest.mark.parametrize("param", list(MIRELS_OPTIONS))
@pytest.mark.parametrize("value", ["", "Lytic ", "LYTIC", None, 1, True])
def test_mirels_rejects_unknown_options(param, value):
    with pytest.raises(ValueError, match=rf"mirels: {param} {re.escape(repr(value))}"):
        mirels(**{**MIRELS_LOWEST, param: value})


# --- SINS (reference §5) ------------------------------------------------------

# reference §5: component, option, points
SINS_ROWS = [
    ("location", "junctional", 3),
    ("location", "mobile", 2),
    ("location", "semirigid", 1),
    ("location", "rigid", 0),
    ("pain", "mechanical", 3),
    ("pain", "occasional", 1),
    ("pain", "none", 0),
    ("lesion", "lytic", 2),
    ("lesion", "mixed", 1),
    ("lesion", "blastic", 0),
    ("alignment", "subluxation", 4),
    ("alignment", "deformity", 2),
    ("alignment", "normal", 0),
    ("collapse", "over_50", 3),
    ("collapse", "under_50", 2),
    ("collapse", "no_collapse_over_50_involved", 1),
    ("collapse", "none", 0),
    ("posterolateral", "bilateral", 3),
    ("posterolateral", "unilateral", 1),
    ("posterolateral", "none", 0),
]
JUNCTIONAL_MECHANICAL = {"location": "junctional", "pain": "mechanical"}  # 3 + 3
SINS_ZERO = {
    "location": "rigid",
    "pain": "none",
    "lesion": "blastic",
    "alignment": "normal",
    "collapse": "none",
    "posterolateral": "none",
}


@pytest.mark.parametrize(("component", "option", "points"), SINS_ROWS)
def test_sins_option_points(component, option, points):
    # reference §5 scoring table
    assert SINS_POINTS[component][option] == points
    result = sins(**{**SINS_ZERO, component: option})
    assert dict(result.points)[component] == points
    assert result.total == points


def test_sins_options_are_exactly_the_table():
    assert {c: keys(o) for c, o in SINS_OPTIONS.items()} == {
        component: [o for c, o, _ in SINS_ROWS if c == component]
        for component in SINS_ZERO
    }
    assert keys(SINS_CATEGORIES) == ["stable", "indeterminate", "unstable"]


@pytest.mark.parametrize(
    ("overrides", "total", "category"),
    [
        ({}, 0, "stable"),
        ({**JUNCTIONAL_MECHANICAL}, 6, "stable"),
        ({**JUNCTIONAL_MECHANICAL, "lesion": "mixed"}, 7, "indeterminate"),
        (
            {**JUNCTIONAL_MECHANICAL, "alignment": "subluxation", "lesion": "lytic"},
            12,
            "indeterminate",
        ),
        (
            {
                **JUNCTIONAL_MECHANICAL,
                "alignment": "subluxation",
                "lesion": "lytic",
                "posterolateral": "unilateral",
            },
            13,
            "unstable",
        ),
        (
            {
                **JUNCTIONAL_MECHANICAL,
                "lesion": "lytic",
                "alignment": "subluxation",
                "collapse": "over_50",
                "posterolateral": "bilateral",
            },
            18,
            "unstable",
        ),
    ],
)
def test_sins_band_boundaries(overrides, total, category):
    # reference §5: 0–6 stable, 7–12 indeterminate, 13–18 unstable
    result = sins(**{**SINS_ZERO, **overrides})
    assert (result.total, result.category) == (total, category)
    if category == "stable":
        assert "surgical consultation" not in result.interpretation
    else:
        # reference §5: scores 7–18 warrant surgical consultation
        assert "surgical consultation" in result.interpretation


def test_sins_every_combination_stays_in_range():
    # reference §5: total 0–18
    for combo in itertools.product(*(keys(o) for o in SINS_OPTIONS.values())):
        result = sins(*combo)
        assert 0 <= result.total <= 18
        if result.total <= 6:
            assert result.category == "stable"
        elif result.total <= 12:
            assert result.category == "indeterminate"
        else:
            assert result.category == "unstable"


@given(
    st.fixed_dictionaries(
        {c: st.sampled_from(keys(o)) for c, o in SINS_OPTIONS.items()}
    )
)
def test_sins_is_total(choices):
    result = sins(**choices)
    assert 0 <= result.total <= 18
    assert result.category in keys(SINS_CATEGORIES)


@pytest.mark.parametrize("param", list(SINS_ZERO))
@pytest.mark.parametrize("value", ["unknown", "None", None, 0, False])
def test_sins_rejects_unknown_options(param, value):
    with pytest.raises(ValueError, match=rf"sins: {param} {re.escape(repr(value))}"):
        sins(**{**SINS_ZERO, param: value})


# reference §5 location row: junctional occiput–C2, C7–T2, T11–L1, L5–S1;
# mobile C3–C6, L2–L4; semirigid T3–T10; rigid S2–S5.
SINS_LEVEL_ROWS = (
    [("occiput", "junctional"), ("C1", "junctional"), ("C2", "junctional")]
    + [(f"C{i}", "mobile") for i in range(3, 7)]
    + [("C7", "junctional"), ("T1", "junctional"), ("T2", "junctional")]
    + [(f"T{i}", "semirigid") for i in range(3, 11)]
    + [("T11", "junctional"), ("T12", "junctional"), ("L1", "junctional")]
    + [(f"L{i}", "mobile") for i in range(2, 5)]
    + [("L5", "junctional"), ("S1", "junctional")]
    + [(f"S{i}", "rigid") for i in range(2, 6)]
)


@pytest.mark.parametrize(("level", "location"), SINS_LEVEL_ROWS)
def test_sins_location_for_each_level(level, location):
    assert sins_location(level) == location
    assert sins_location(level.lower()) == location


def test_sins_levels_cover_occiput_to_s5():
    assert list(SINS_LEVELS) == [level for level, _ in SINS_LEVEL_ROWS]


@pytest.mark.parametrize("level", ["C8", "T13", "L6", "Co1", "", None, 5])
def test_sins_location_rejects_unknown_levels(level):
    with pytest.raises(ValueError, match="sins_location: level"):
        sins_location(level)


# --- Huvos (reference §6) -----------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "grade", "good"),
    [
        (0, "I", False),
        (49, "I", False),
        (49.9, "I", False),
        (50, "II", False),
        (89, "II", False),
        (89.9, "II", False),
        (90, "III", True),
        (90.0, "III", True),
        (99, "III", True),
        (99.9, "III", True),
        (100, "IV", True),
        (100.0, "IV", True),
        (Decimal("89.99"), "II", False),
        (Decimal("90.0"), "III", True),
        (Fraction(199, 2), "III", True),
    ],
)
def test_huvos_grade_boundaries(percent, grade, good):
    # reference §6: I < 50, II 50–89, III 90–99, IV 100; good responder ≥ 90
    assert huvos_grade(percent) == grade
    assert is_good_responder(percent) is good


def test_huvos_grade_table():
    assert keys(HUVOS_GRADES) == ["I", "II", "III", "IV"]


@pytest.mark.parametrize(
    "percent",
    [-0.1, -1, 100.1, 101, float("nan"), float("inf"), -math.inf, True, False, "90",
     None, Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")],
)  # fmt: skip
@pytest.mark.parametrize("func", [huvos_grade, is_good_responder])
def test_huvos_rejects_bad_percent(func, percent):
    with pytest.raises(
        ValueError,
        match=rf"{func.__name__}: necrosis_percent {re.escape(repr(percent))} is not "
        r"allowed; expected a finite number >= 0 and <= 100",
    ):
        func(percent)


@given(st.floats(min_value=0, max_value=100))
def test_huvos_is_total(percent):
    grade = huvos_grade(percent)
    assert grade in ("I", "II", "III", "IV")
    assert is_good_responder(percent) is (grade in ("III", "IV"))


# --- Revised Tokuhashi (reference §9.1) ---------------------------------------

TOKUHASHI_BEST = {
    "kps": 100,
    "extraspinal_bone_mets": 0,
    "vertebral_body_mets": 1,
    "visceral_mets": "none",
    "primary_site": "breast",
    "palsy": "none",
}
TOKUHASHI_WORST = {
    "kps": 10,
    "extraspinal_bone_mets": 3,
    "vertebral_body_mets": 3,
    "visceral_mets": "unremovable",
    "primary_site": "lung",
    "palsy": "complete",
}

BREAST_INCOMPLETE = {
    "primary_site": "breast",
    "palsy": "incomplete",
    "extraspinal_bone_mets": 0,
}

# reference §9.1: parameter, input, points
TOKUHASHI_ROWS = (
    [("kps", v, 0) for v in (10, 20, 30, 40)]  # Poor (10–40 %)
    + [("kps", v, 1) for v in (50, 60, 70)]  # Moderate (50–70 %)
    + [("kps", v, 2) for v in (80, 90, 100)]  # Good (80–100 %)
    + [("extraspinal_bone_mets", n, 0) for n in (3, 4, 12)]  # ≥ 3
    + [("extraspinal_bone_mets", n, 1) for n in (1, 2)]  # 1–2
    + [("extraspinal_bone_mets", 0, 2)]
    + [("vertebral_body_mets", n, 0) for n in (3, 5, 24)]  # ≥ 3
    + [("vertebral_body_mets", 2, 1), ("vertebral_body_mets", 1, 2)]
    + [
        ("visceral_mets", "unremovable", 0),
        ("visceral_mets", "removable", 1),
        ("visceral_mets", "none", 2),
        ("palsy", "complete", 0),  # Frankel A, B
        ("palsy", "incomplete", 1),  # Frankel C, D
        ("palsy", "none", 2),  # Frankel E
    ]
    + [("primary_site", p.key, p.tokuhashi_points) for p in METASTATIC_PRIMARIES]
)


@pytest.mark.parametrize(("param", "value", "points"), TOKUHASHI_ROWS)
def test_tokuhashi_parameter_points(param, value, points):
    # reference §9.1 scoring table
    result = tokuhashi_revised(**{**TOKUHASHI_WORST, param: value})
    assert dict(result.points)[param] == points
    assert result.total == points


@pytest.mark.parametrize(
    ("overrides", "total", "category"),
    [
        ({}, 0, "lt_6_months"),
        # breast 5 + KPS 50 → 1 + incomplete palsy 1 + one extraspinal met 1
        (
            {**BREAST_INCOMPLETE, "kps": 50, "extraspinal_bone_mets": 1},
            8,
            "lt_6_months",
        ),
        # breast 5 + KPS 80 → 2 + incomplete palsy 1 + one extraspinal met 1
        (
            {**BREAST_INCOMPLETE, "kps": 80, "extraspinal_bone_mets": 1},
            9,
            "gte_6_months",
        ),
        # breast 5 + 2 + 1 + no extraspinal met 2 + two vertebral bodies 1
        (
            {**BREAST_INCOMPLETE, "kps": 80, "vertebral_body_mets": 2},
            11,
            "gte_6_months",
        ),
        # as above with one vertebral body 2
        (
            {**BREAST_INCOMPLETE, "kps": 80, "vertebral_body_mets": 1},
            12,
            "gte_12_months",
        ),
        (TOKUHASHI_BEST, 15, "gte_12_months"),
    ],
)
def test_tokuhashi_band_boundaries(overrides, total, category):
    # reference §9.1: 0–8 < 6 months, 9–11 ≥ 6 months, 12–15 ≥ 1 year
    result = tokuhashi_revised(**{**TOKUHASHI_WORST, **overrides})
    assert (result.total, result.category) == (total, category)


def test_tokuhashi_interpretations():
    # reference §9.1 suggested treatment column
    worst = tokuhashi_revised(**TOKUHASHI_WORST)
    best = tokuhashi_revised(**TOKUHASHI_BEST)
    middle = tokuhashi_revised(
        **{**TOKUHASHI_BEST, "kps": 50, "palsy": "incomplete", "vertebral_body_mets": 3}
    )
    assert middle.total == 11
    assert "< 6 months" in worst.interpretation
    assert "palliative" in worst.interpretation
    assert middle.category == "gte_6_months"
    assert "single lesion" in middle.interpretation
    assert "≥ 1 year" in best.interpretation
    assert "excisional surgery" in best.interpretation
    assert keys(TOKUHASHI_CATEGORIES) == [
        "lt_6_months",
        "gte_6_months",
        "gte_12_months",
    ]


def test_tokuhashi_2014_version_scores_triple_negative_breast_3():
    # reference §9.1: 2014 modification, versioned
    args = {**TOKUHASHI_BEST, "primary_site": "breast_triple_negative"}
    assert tokuhashi_revised(**args).total == 15
    assert tokuhashi_revised(**args, version="2005").total == 15
    assert tokuhashi_revised(**args, version="2014").total == 13
    # other sites are unchanged by the 2014 version
    for primary in METASTATIC_PRIMARIES:
        if primary.key == "breast_triple_negative":
            continue
        other = {**TOKUHASHI_BEST, "primary_site": primary.key}
        assert (
            tokuhashi_revised(**other, version="2014").total
            == tokuhashi_revised(**other).total
        )


def test_tokuhashi_options_for_forms():
    assert [v for v, _ in TOKUHASHI_OPTIONS["kps"]] == list(range(100, 0, -10))
    assert keys(TOKUHASHI_OPTIONS["primary_site"]) == [
        p.key for p in METASTATIC_PRIMARIES
    ]
    assert keys(TOKUHASHI_OPTIONS["visceral_mets"]) == [
        "unremovable",
        "removable",
        "none",
    ]
    assert keys(TOKUHASHI_OPTIONS["palsy"]) == ["complete", "incomplete", "none"]
    assert keys(TOKUHASHI_OPTIONS["version"]) == ["2005", "2014"]


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("kps", 0, "an integer from 10 to 100 in steps of 10"),  # KPS 0: no band
        ("kps", 5, "in steps of 10"),
        ("kps", 75, "in steps of 10"),
        ("kps", 110, "in steps of 10"),
        ("kps", 70.0, "in steps of 10"),
        ("kps", True, "in steps of 10"),
        ("kps", "70", "in steps of 10"),
        ("extraspinal_bone_mets", -1, "an integer >= 0"),
        ("extraspinal_bone_mets", 1.5, "an integer >= 0"),
        ("extraspinal_bone_mets", True, "an integer >= 0"),
        ("extraspinal_bone_mets", float("nan"), "an integer >= 0"),
        ("extraspinal_bone_mets", "2", "an integer >= 0"),
        ("vertebral_body_mets", 0, "an integer >= 1"),
        ("vertebral_body_mets", -2, "an integer >= 1"),
        ("vertebral_body_mets", False, "an integer >= 1"),
        ("visceral_mets", "some", "one of unremovable, removable, none"),
        ("primary_site", "colon cancer", "one of breast, breast_triple_negative"),
        ("palsy", "Frankel A", "one of complete, incomplete, none"),
        ("version", "2010", "one of 2005, 2014"),
        ("version", 2014, "one of 2005, 2014"),
    ],
)
def test_tokuhashi_rejects_bad_input(param, value, expected):
    args = {**TOKUHASHI_BEST}
    kwargs = {"version": value} if param == "version" else {}
    if param != "version":
        args[param] = value
    with pytest.raises(ValueError) as excinfo:
        tokuhashi_revised(**args, **kwargs)
    message = str(excinfo.value)
    assert message.startswith(f"tokuhashi_revised: {param} {value!r} is not allowed")
    assert expected in message


@given(
    kps=st.sampled_from(range(10, 101, 10)),
    extraspinal=st.integers(min_value=0, max_value=10_000),
    vertebral=st.integers(min_value=1, max_value=10_000),
    visceral=st.sampled_from(["unremovable", "removable", "none"]),
    primary=st.sampled_from([p.key for p in METASTATIC_PRIMARIES]),
    palsy=st.sampled_from(["complete", "incomplete", "none"]),
    version=st.sampled_from(["2005", "2014"]),
)
def test_tokuhashi_is_total(
    kps, extraspinal, vertebral, visceral, primary, palsy, version
):
    result = tokuhashi_revised(
        kps, extraspinal, vertebral, visceral, primary, palsy, version=version
    )
    assert 0 <= result.total <= 15
    assert result.total == sum(points for _, points in result.points)
    assert result.category in keys(TOKUHASHI_CATEGORIES)


# --- Performance status (reference §8) ----------------------------------------

# reference §8.1 ECOG definitions
ECOG_ROWS = [
    (
        0,
        "Fully active, able to carry on all pre-disease performance without "
        "restriction",
    ),
    (
        1,
        "Restricted in physically strenuous activity but ambulatory and able to "
        "carry out work of a light or sedentary nature, e.g. light house work, "
        "office work",
    ),
    (
        2,
        "Ambulatory and capable of all self-care but unable to carry out any work "
        "activities; up and about more than 50 % of waking hours",
    ),
    (
        3,
        "Capable of only limited self-care; confined to bed or chair more than "
        "50 % of waking hours",
    ),
    (
        4,
        "Completely disabled; cannot carry on any self-care; totally confined to "
        "bed or chair",
    ),
    (5, "Dead"),
]

# reference §8.2 Karnofsky definitions
KARNOFSKY_ROWS = [
    (100, "Normal; no complaints; no evidence of disease"),
    (90, "Able to carry on normal activity; minor signs or symptoms of disease"),
    (80, "Normal activity with effort; some signs or symptoms of disease"),
    (70, "Cares for self; unable to carry on normal activity or to do active work"),
    (60, "Requires occasional assistance but is able to care for most personal needs"),
    (50, "Requires considerable assistance and frequent medical care"),
    (40, "Disabled; requires special care and assistance"),
    (30, "Severely disabled; hospital admission indicated although death not imminent"),
    (
        20,
        "Very sick; hospital admission necessary; active supportive treatment "
        "necessary",
    ),
    (10, "Moribund; fatal processes progressing rapidly"),
    (0, "Dead"),
]


@pytest.mark.parametrize(("grade", "definition"), ECOG_ROWS)
def test_ecog_grades(grade, definition):
    result = ecog(grade)
    assert result == ScoreResult(grade, f"ecog_{grade}", f"ECOG {grade}: {definition}.")
    assert dict(ECOG_GRADES)[grade] == definition


def test_ecog_table_is_complete():
    assert [g for g, _ in ECOG_GRADES] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("grade", [-1, 6, *BAD_NUMBERS, 1.0])
def test_ecog_rejects_bad_grades(grade):
    with pytest.raises(
        ValueError,
        match=rf"ecog: grade {re.escape(repr(grade))} is not allowed; expected an "
        "integer from 0 to 5",
    ):
        ecog(grade)


@pytest.mark.parametrize(("value", "definition"), KARNOFSKY_ROWS)
def test_karnofsky_values(value, definition):
    # reference §8.2
    result = karnofsky(value)
    assert (result.total, result.category) == (value, f"kps_{value}")
    assert definition in result.interpretation
    assert dict(KARNOFSKY_VALUES)[value] == definition


@pytest.mark.parametrize("value", [-10, 5, 75, 110, *BAD_NUMBERS, 70.0])
def test_karnofsky_rejects_bad_values(value):
    with pytest.raises(
        ValueError,
        match=rf"karnofsky: value {re.escape(repr(value))} is not allowed; expected an "
        "integer from 0 to 100 in steps of 10",
    ):
        karnofsky(value)


@pytest.mark.parametrize("value", range(0, 101, 10))
def test_pps_levels_without_descriptors(value):
    # reference §8.3: PPSv2 © Victoria Hospice Society; store the level only
    result = pps(value)
    assert (result.total, result.category) == (value, f"pps_{value}")
    assert result.interpretation.startswith(f"PPS {value} %")
    for descriptor in ("Ambulation", "bed", "Full", "Reduced", "Death", "Normal"):
        assert descriptor not in result.interpretation
    assert (value, f"PPS {value} %") in PPS_VALUES


def test_pps_values_are_the_eleven_levels():
    assert [v for v, _ in PPS_VALUES] == list(range(100, -1, -10))


@pytest.mark.parametrize("value", [-10, 15, 55, 110, *BAD_NUMBERS])
def test_pps_rejects_bad_values(value):
    with pytest.raises(ValueError, match=rf"pps: value {re.escape(repr(value))}"):
        pps(value)


@given(st.integers())
def test_performance_validators_are_total_over_integers(value):
    for func, valid in (
        (ecog, 0 <= value <= 5),
        (karnofsky, 0 <= value <= 100 and value % 10 == 0),
        (pps, 0 <= value <= 100 and value % 10 == 0),
    ):
        if valid:
            assert func(value).total == value
        else:
            with pytest.raises(ValueError, match=func.__name__):
                func(value)


# --- Lodwick (reference §7.1–7.2) ---------------------------------------------


@pytest.mark.parametrize(
    ("grade", "modified"),
    [("IA", "I"), ("IB", "I"), ("IC", "II"), ("II", "IIIB"), ("III", "IIIB")],
)
def test_lodwick_to_modified(grade, modified):
    # reference §7.2: I = IA + IB; II = IC; IIIB = moth-eaten or permeative
    assert lodwick(grade) == grade
    assert lodwick_to_modified(grade) == modified
    assert modified_lodwick(modified) == modified


def test_lodwick_tables():
    # reference §7.1, §7.2
    assert keys(LODWICK_GRADES) == ["IA", "IB", "IC", "II", "III"]
    assert dict(LODWICK_GRADES)["II"] == "Moth-eaten"
    assert dict(LODWICK_GRADES)["III"] == "Permeative"
    assert keys(MODIFIED_LODWICK_GRADES) == ["I", "II", "IIIA", "IIIB", "IIIC"]
    assert set(LODWICK_TO_MODIFIED) == set(keys(LODWICK_GRADES))
    # grade II figures do not add up in the source: not shown (reference §7.2)
    assert dict(MODIFIED_LODWICK_RATES) == {
        "I": "94 % benign (76/81)",
        "III": "81 % malignant (39/48)",
    }


@pytest.mark.parametrize(
    ("func", "value"),
    [
        (lodwick, "ID"),
        (lodwick, "ia"),
        (lodwick, "IIIB"),
        (lodwick, 1),
        (modified_lodwick, "III"),
        (modified_lodwick, "IA"),
        (modified_lodwick, None),
        (lodwick_to_modified, "IV"),
        (lodwick_to_modified, "IIIA"),
    ],
)
def test_lodwick_rejects_unknown_grades(func, value):
    with pytest.raises(
        ValueError, match=rf"{func.__name__}: grade {re.escape(repr(value))}"
    ):
        func(value)


# --- Bone-RADS (reference §7.3) -----------------------------------------------


@pytest.mark.parametrize(
    ("system", "category"),
    [("ssr_2022", f"bone_rads_{i}") for i in range(1, 5)]
    + [("acr_2023", f"bone_rads_{i}") for i in range(0, 5)],
)
def test_bone_rads_categories(system, category):
    # reference §7.3 (a) SSR 1–4, (b) ACR 0–4; the system is stored
    result = bone_rads(system, category)
    assert isinstance(result, BoneRads)
    assert (result.system, result.category) == (system, category)
    assert result.label.startswith(f"Bone-RADS{category[-1]} — ")


def test_bone_rads_systems():
    assert keys(BONE_RADS_SYSTEMS) == ["ssr_2022", "acr_2023"]
    assert set(BONE_RADS_CATEGORIES) == {"ssr_2022", "acr_2023"}


@pytest.mark.parametrize(
    ("system", "category", "param"),
    [
        ("ssr_2022", "bone_rads_0", "category"),  # SSR has no category 0
        ("acr_2023", "bone_rads_5", "category"),
        ("acr_2023", "Bone-RADS2", "category"),
        ("acr_2023", 2, "category"),
        ("acr", "bone_rads_1", "system"),
        (None, "bone_rads_1", "system"),
    ],
)
def test_bone_rads_rejects_unknown(system, category, param):
    with pytest.raises(ValueError, match=rf"bone_rads: {param} "):
        bone_rads(system, category)


# --- MSTS (reference §9.3) ----------------------------------------------------


def test_msts_categories_per_limb():
    # reference §9.3
    assert keys(MSTS_LIMBS) == ["lower_limb", "upper_limb"]
    assert MSTS_CATEGORIES["lower_limb"] == (
        ("pain", "Pain"),
        ("function", "Function"),
        ("emotional_acceptance", "Emotional acceptance"),
        ("supports", "Supports"),
        ("walking", "Walking"),
        ("gait", "Gait"),
    )
    assert MSTS_CATEGORIES["upper_limb"] == (
        ("pain", "Pain"),
        ("function", "Function"),
        ("emotional_acceptance", "Emotional acceptance"),
        ("hand_positioning", "Hand positioning"),
        ("manual_dexterity", "Manual dexterity"),
        ("lifting_ability", "Lifting ability"),
    )


@pytest.mark.parametrize(
    ("values", "total", "percentage"),
    [
        ([0] * 6, 0, 0.0),
        ([5] * 6, 30, 100.0),
        ([5, 4, 3, 5, 5, 3], 25, 83.3),
        ([1, 0, 0, 0, 0, 0], 1, 3.3),
        ([3] * 6, 18, 60.0),
    ],
)
@pytest.mark.parametrize("limb", ["lower_limb", "upper_limb"])
def test_msts_totals(limb, values, total, percentage):
    # reference §9.3: six categories 0–5, total 0–30, percentage of 30
    by_sequence = msts_functional(limb, values)
    names = keys(MSTS_CATEGORIES[limb])
    by_mapping = msts_functional(limb, dict(zip(names, values, strict=True)))
    assert by_sequence == by_mapping
    assert (by_sequence.total, by_sequence.percentage) == (total, percentage)
    assert by_sequence.category == limb
    assert [n for n, _ in by_sequence.points] == names
    assert f"{total}/30" in by_sequence.interpretation


@pytest.mark.parametrize(
    ("limb", "values", "param"),
    [
        ("arm", [1] * 6, "limb"),
        ("lower_limb", [1] * 5, "scores"),
        ("lower_limb", [1] * 7, "scores"),
        ("lower_limb", "111111", "scores"),
        ("lower_limb", 30, "scores"),
        ("lower_limb", None, "scores"),
        ("lower_limb", [6, 1, 1, 1, 1, 1], "pain"),
        ("lower_limb", [1, -1, 1, 1, 1, 1], "function"),
        ("lower_limb", [1, 1, True, 1, 1, 1], "emotional_acceptance"),
        ("lower_limb", [1, 1, 1, 2.5, 1, 1], "supports"),
        ("lower_limb", [1, 1, 1, 1, float("nan"), 1], "walking"),
        ("upper_limb", [1, 1, 1, 1, 1, "5"], "lifting_ability"),
        # upper-limb categories do not fit the lower limb
        ("lower_limb", dict.fromkeys(keys(MSTS_CATEGORIES["upper_limb"]), 1), "scores"),
    ],
)
def test_msts_rejects_bad_input(limb, values, param):
    with pytest.raises(ValueError, match=rf"msts_functional: {param} .* expected"):
        msts_functional(limb, values)


@given(
    st.sampled_from(["lower_limb", "upper_limb"]),
    st.lists(st.integers(min_value=0, max_value=5), min_size=6, max_size=6),
)
def test_msts_is_total(limb, values):
    result = msts_functional(limb, values)
    assert 0 <= result.total <= 30
    assert 0.0 <= result.percentage <= 100.0
    assert math.isclose(result.percentage, result.total / 30 * 100, abs_tol=0.05)


# --- Results and module -------------------------------------------------------


def test_results_are_immutable():
    result = mirels("upper_limb", "mild", "blastic", "lt_one_third")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 12  # type: ignore[misc]
    with pytest.raises(TypeError):
        MIRELS_POINTS["site"]["upper_limb"] = 3  # type: ignore[index]


def test_option_vocabularies_are_key_label_pairs():
    vocabularies = [
        *MIRELS_OPTIONS.values(),
        *SINS_OPTIONS.values(),
        *TOKUHASHI_OPTIONS.values(),
        *BONE_RADS_CATEGORIES.values(),
        *MSTS_CATEGORIES.values(),
        ECOG_GRADES,
        KARNOFSKY_VALUES,
        PPS_VALUES,
        LODWICK_GRADES,
        MODIFIED_LODWICK_GRADES,
        BONE_RADS_SYSTEMS,
        HUVOS_GRADES,
    ]
    for vocabulary in vocabularies:
        assert all(len(pair) == 2 and isinstance(pair[1], str) for pair in vocabulary)
        assert len({key for key, _ in vocabulary}) == len(vocabulary)


def test_module_exports_are_documented():
    for name in scores.__all__:
        obj = getattr(scores, name)
        if callable(obj):
            assert obj.__doc__, name
