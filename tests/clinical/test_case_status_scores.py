"""Lansky (reference §8.5), ESCC/Bilsky (§9.4) and the ECOG–Karnofsky
agreement check (§8.4, Ma 2010), tested against the bone-tumour reference."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

import tumorboard.clinical as clinical
from tumorboard.clinical import scores
from tumorboard.clinical.scores import (
    ECOG_KARNOFSKY_BANDS,
    ESCC_CATEGORIES,
    ESCC_GRADE_CATEGORY,
    ESCC_GRADES,
    LANSKY_LEVELS,
    ScoreResult,
    ecog,
    escc,
    karnofsky,
    lansky,
    performance_status_agree,
)

# ---------------------------------------------------------------------------
# Lansky Play-Performance Scale (reference §8.5)
# ---------------------------------------------------------------------------

# §8.5: levels 0–100 in steps of 10; 100 = fully active, 0 = unresponsive. No
# other level has words in the reference, so 10–90 carry the number only.
LANSKY_ROWS = [
    (100, "Lansky 100: fully active."),
    (90, "Lansky 90."),
    (80, "Lansky 80."),
    (70, "Lansky 70."),
    (60, "Lansky 60."),
    (50, "Lansky 50."),
    (40, "Lansky 40."),
    (30, "Lansky 30."),
    (20, "Lansky 20."),
    (10, "Lansky 10."),
    (0, "Lansky 0: unresponsive."),
]


@pytest.mark.parametrize(
    ("level", "interpretation"),
    [pytest.param(*row, id=f"ref-8.5-lansky{row[0]}") for row in LANSKY_ROWS],
)
def test_lansky_levels(level, interpretation):
    """reference §8.5: every level 0–100 in steps of 10; total is the level."""
    assert lansky(level) == ScoreResult(level, f"lansky_{level}", interpretation)


def test_lansky_table_is_the_eleven_levels_high_to_low():
    """reference §8.5: levels 0–100 in steps of 10."""
    assert [level for level, _ in LANSKY_LEVELS] == list(range(100, -1, -10))
    assert dict(LANSKY_LEVELS)[100] == "Lansky 100: fully active"
    assert dict(LANSKY_LEVELS)[0] == "Lansky 0: unresponsive"


# Same refusals as karnofsky()/pps(): integer() takes only a real int (no bool,
# no float even when whole, no numeric string, no Decimal).
LANSKY_REFUSED = [5, 105, -10, 110, 55, 1, "50", True, False, None, 55.0, 50.0]
LANSKY_REFUSED += [Decimal(50), float("nan")]


@pytest.mark.parametrize("level", LANSKY_REFUSED, ids=repr)
def test_lansky_refuses(level):
    """reference §8.5: only 0–100 in steps of 10."""
    with pytest.raises(
        ValueError,
        match=rf"^lansky: level {re.escape(repr(level))} is not allowed; expected an "
        "integer from 0 to 100 in steps of 10$",
    ):
        lansky(level)


# ---------------------------------------------------------------------------
# ESCC / Bilsky (reference §9.4)
# ---------------------------------------------------------------------------

# §9.4 grade table with the grouping used in practice: 0, 1a, 1b low grade;
# 2, 3 high grade; 1c debated (our key: intermediate).
ESCC_ROWS = [
    ("0", "bone-only disease", "low_grade"),
    ("1a", "epidural impingement, thecal sac not deformed", "low_grade"),
    ("1b", "thecal sac deformed, cord not abutted", "low_grade"),
    ("1c", "thecal sac deformed, cord abutted, not compressed", "intermediate"),
    ("2", "cord compressed, CSF visible around the cord", "high_grade"),
    ("3", "cord compressed, no CSF visible around the cord", "high_grade"),
]
ESCC_WORDS = {
    "low_grade": "low grade",
    "intermediate": "intermediate (grouping of 1c debated)",
    "high_grade": "high grade",
}


@pytest.mark.parametrize(
    ("grade", "meaning", "category"),
    [pytest.param(*row, id=f"ref-9.4-escc{row[0]}-{row[2]}") for row in ESCC_ROWS],
)
def test_escc_grades(grade, meaning, category):
    """reference §9.4: six grades, each with its meaning and its group."""
    assert escc(grade) == ScoreResult(
        None, category, f"ESCC {grade}: {meaning}; {ESCC_WORDS[category]}."
    )
    assert escc(grade).total is None


def test_escc_tables_match_the_reference():
    """reference §9.4: the six grades in order, each in exactly one group."""
    assert ESCC_GRADES == tuple((grade, meaning) for grade, meaning, _ in ESCC_ROWS)
    assert dict(ESCC_GRADE_CATEGORY) == {g: c for g, _, c in ESCC_ROWS}
    assert [key for key, _ in ESCC_CATEGORIES] == [
        "low_grade",
        "intermediate",
        "high_grade",
    ]
    assert set(ESCC_GRADE_CATEGORY.values()) == {key for key, _ in ESCC_CATEGORIES}
    with pytest.raises(TypeError):
        ESCC_GRADE_CATEGORY["1c"] = "high_grade"  # type: ignore[index]


# Codes are matched exactly like every other string code in the package
# (choice()): no case folding, no stripping, no int for a numeric grade.
ESCC_REFUSED = ["1d", "4", "1A", "1C", "", " 1a", "1a ", "1", "-1", "low_grade"]
ESCC_REFUSED += [1, 0, 2, None, True, 1.0, b"1a"]


@pytest.mark.parametrize("grade", ESCC_REFUSED, ids=repr)
def test_escc_refuses(grade):
    """reference §9.4: only the six grade codes 0, 1a, 1b, 1c, 2, 3."""
    with pytest.raises(
        ValueError,
        match=rf"^escc: grade {re.escape(repr(grade))} is not allowed; expected one "
        "of 0, 1a, 1b, 1c, 2, 3$",
    ):
        escc(grade)


def test_escc_result_is_immutable():
    """reference §9.4: a stored grade cannot be changed through its result."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        escc("2").category = "low_grade"  # type: ignore[misc]


# ---------------------------------------------------------------------------
# ECOG ↔ Karnofsky agreement (reference §8.4, Ma 2010)
# ---------------------------------------------------------------------------

# Worked out by hand from §8.4 (Ma 2010 column, band ends included):
# ECOG 0 ↔ 100; 1 ↔ 80–90; 2 ↔ 60–70; 3 ↔ 40–50; 4 ↔ 10–30; 5 (dead) ↔ 0 only.
# Rows are ECOG 0–5; columns are Karnofsky 0, 10, …, 100. 1 = agrees.
KPS_COLUMNS = tuple(range(0, 101, 10))
AGREEMENT = {
    #    KPS  0  10 20 30 40 50 60 70 80 90 100
    0: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    1: (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0),
    2: (0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0),
    3: (0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0),
    4: (0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0),
    5: (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}
GRID = [
    pytest.param(grade, kps, bool(row[i]), id=f"ref-8.4-ecog{grade}-kps{kps}")
    for grade, row in AGREEMENT.items()
    for i, kps in enumerate(KPS_COLUMNS)
]


def test_agreement_grid_is_complete():
    """reference §8.4: the table covers ECOG 0–5 × Karnofsky 0–100 step 10."""
    assert sorted(AGREEMENT) == [0, 1, 2, 3, 4, 5]
    assert all(len(row) == len(KPS_COLUMNS) == 11 for row in AGREEMENT.values())
    assert len(GRID) == 66


@pytest.mark.parametrize(("grade", "kps", "agrees"), GRID)
def test_performance_status_agree_grid(grade, kps, agrees):
    """reference §8.4: True only inside the Ma 2010 band for the ECOG grade."""
    assert performance_status_agree(grade, kps) is agrees


def test_each_karnofsky_value_agrees_with_exactly_one_ecog_grade():
    """reference §8.4: the Ma 2010 bands plus ECOG 5 ↔ 0 tile Karnofsky 0–100."""
    for kps in KPS_COLUMNS:
        matches = [g for g in range(6) if performance_status_agree(g, kps)]
        assert len(matches) == 1, (kps, matches)


def test_bands_are_the_ma_2010_column_not_prasad_2018():
    """reference §8.4: Ma 2010 is the band used; Prasad 2018 differs for 2–4."""
    assert dict(ECOG_KARNOFSKY_BANDS) == {
        0: (100, 100),
        1: (80, 90),
        2: (60, 70),
        3: (40, 50),
        4: (10, 30),
        5: (0, 0),
    }
    # Pairs Prasad 2018 would accept but Ma 2010 does not.
    assert performance_status_agree(2, 60) is True
    assert performance_status_agree(3, 60) is False
    assert performance_status_agree(4, 40) is False


def test_agreement_accepts_exactly_what_ecog_and_karnofsky_accept():
    """reference §8.1, §8.2: the same value ranges as ecog() and karnofsky()."""
    for grade in range(-2, 8):
        for kps in range(-20, 121, 5):
            try:
                ecog(grade)
                karnofsky(kps)
                valid = True
            except ValueError:
                valid = False
            if valid:
                assert isinstance(performance_status_agree(grade, kps), bool)
            else:
                with pytest.raises(ValueError):
                    performance_status_agree(grade, kps)


BAD_ECOG = [-1, 6, True, False, None, "1", 1.0, 2.5, Decimal(1)]
BAD_KARNOFSKY = [-10, 5, 75, 110, True, None, "70", 70.0, Decimal(70)]


@pytest.mark.parametrize("grade", BAD_ECOG, ids=repr)
def test_agreement_refuses_bad_ecog(grade):
    """reference §8.1: ECOG is an integer 0–5."""
    with pytest.raises(
        ValueError,
        match=rf"^performance_status_agree: ecog {re.escape(repr(grade))} is not "
        "allowed; expected an integer from 0 to 5$",
    ):
        performance_status_agree(grade, 100)


@pytest.mark.parametrize("kps", BAD_KARNOFSKY, ids=repr)
def test_agreement_refuses_bad_karnofsky(kps):
    """reference §8.2: Karnofsky is an integer 0–100 in steps of 10."""
    with pytest.raises(
        ValueError,
        match=rf"^performance_status_agree: karnofsky {re.escape(repr(kps))} is not "
        "allowed; expected an integer from 0 to 100 in steps of 10$",
    ):
        performance_status_agree(0, kps)


def test_agreement_checks_ecog_before_karnofsky():
    """reference §8.4: with both values bad, the ECOG one is reported."""
    with pytest.raises(ValueError, match=r"^performance_status_agree: ecog 9 "):
        performance_status_agree(9, 7)


def test_agreement_takes_keyword_arguments():
    """reference §8.4: callers may name the two scales."""
    assert performance_status_agree(ecog=1, karnofsky=80) is True
    assert performance_status_agree(karnofsky=80, ecog=2) is False


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lansky", "escc", "performance_status_agree"])
def test_exported_from_clinical_and_scores(name):
    """reference §8.4, §8.5, §9.4: available where the other scores are."""
    assert name in clinical.__all__
    assert name in scores.__all__
    assert getattr(clinical, name) is getattr(scores, name)
    assert getattr(clinical, name).__doc__
