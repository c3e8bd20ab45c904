"""Each indicator on the hand-built dataset of tests/quality/dataset.py; the
expected values are worked out by hand there (definitions: docs/quality.md)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.quality import dataset
from tumorboard.quality.filters import Filters
from tumorboard.quality.indicators import BY_KEY
from tumorboard.quality.services import (
    compute,
    median,
    percentile,
    shared_counts,
)

RANGE = Filters(start=dataset.START, end=dataset.END)


@pytest.fixture
def data(app):
    return dataset.build()


def figure(key: str, filters: Filters = RANGE):
    return compute(BY_KEY[key], filters)


def shares(key: str, filters: Filters = RANGE):
    t = figure(key, filters).total
    return t.numerator, t.denominator, t.excluded


def test_median_and_nearest_rank_percentile():
    assert median([]) is None and percentile([], 90) is None
    assert median([10, 21, 31]) == 21
    assert median([0, 0, 2, 2]) == 1
    assert percentile([10, 21, 31], 90) == 31  # rank ceil(2.7) = 3
    assert percentile(list(range(1, 11)), 90) == 9  # rank 9 of 10


def test_referral_to_first_discussion(data):
    f = figure("referral_to_discussion")
    # C1 10 days, C2 21, C5 31; C3 referred after its meeting; C4 first
    # discussed before the range.
    assert (f.total.denominator, f.total.excluded) == (3, 1)
    assert (f.total.median, f.total.p90) == (21, 31)
    january, february = f.months
    assert (january.month, january.median, january.denominator) == ("2026-01", 10, 1)
    assert (february.median, february.p90, february.excluded) == (26, 31, 1)


def test_discussion_to_treatment_start(data):
    f = figure("discussion_to_treatment")
    # Only C1's first recommendation has a start (23 Jan, 10 days after M1);
    # C2 deviated, C4 and C1's second are not started: excluded, not zero.
    assert (f.total.denominator, f.total.excluded) == (1, 3)
    assert (f.total.median, f.total.p90) == (10, 10)


def test_discussed_before_definitive_treatment(data):
    # C1 and C3 pre-therapeutic; C2 after its unplanned excision; C5 has no
    # recommendation, so no conference type: not computable.
    assert shares("discussed_before_treatment") == (2, 3, 1)


def test_unplanned_excisions_among_primary_bone_tumours(data):
    # C1, C2, C5 (C3 is a metastasis, C4 first discussed before the range).
    assert shares("unplanned_excision") == (1, 3, 0)
    metastases = Filters(dataset.START, dataset.END, case_type="skeletal_metastasis")
    assert shares("unplanned_excision", metastases) == (0, 0, 0)


def test_biopsy_at_the_treating_centre(data):
    # C1 here, C2 elsewhere; C5's biopsy is only planned.
    assert shares("biopsy_at_centre") == (1, 2, 1)


def test_readiness_at_discussion_and_waivers_by_item(data):
    # Six discussions in the range; only C2 at M2 had a waiver standing (C1's
    # radiology waiver was withdrawn before M1).
    f = figure("readiness")
    assert (f.total.numerator, f.total.denominator) == (5, 6)
    assert f.breakdown == [(None, "Pathology", 1)]


def test_deferrals_and_their_reasons(data):
    f = figure("deferrals")
    assert (f.total.numerator, f.total.denominator) == (1, 7)
    assert f.breakdown == [(None, "Imaging missing", 1)]


def test_standard_of_care_counted_separately(data):
    assert shares("standard_of_care") == (1, 6, 0)


def test_cases_and_minutes_per_meeting(data):
    t = figure("meeting_load").total
    # M1: 2 cases, 20 planned, 60 actual; M2: 3 cases (1 standard of care),
    # 22 planned, 30 actual; M3: 1 case, 10 planned, no times.
    assert (t.denominator, t.numerator, t.cases, t.excluded) == (3, 6, 1, 1)
    assert t.planned == pytest.approx(52 / 6)
    assert t.actual == pytest.approx(90 / 5)


def test_quorum_and_missing_disciplines(data):
    f = figure("quorum")
    assert (f.total.numerator, f.total.denominator, f.total.excluded) == (1, 2, 1)
    assert f.breakdown == [("missing:pathology", "Pathology", 1)]


def test_implementation(data):
    f = figure("implementation")
    # C1 completed, C2 deviated, C4 overdue; C1's second not yet due.
    assert (f.total.numerator, f.total.denominator, f.total.excluded) == (1, 3, 1)
    counts = {outcome: n for outcome, _, n in f.outcomes}
    assert counts == {
        "implemented": 1,
        "deviated": 1,
        "cancelled": 0,
        "overdue": 1,
        "not_yet_due": 1,
    }
    assert f.breakdown == [("deviation:new_findings", "New findings", 1)]


def test_rediscussion(data):
    assert shares("rediscussion") == (1, 4, 0)


def test_time_to_signed_recommendation(data):
    f = figure("time_to_signature")
    # 2, 0, 0 and 2 days; C3's draft is not signed.
    assert (f.total.denominator, f.total.excluded) == (4, 1)
    assert (f.total.median, f.total.p90) == (1, 2)


def test_board_filter(data):
    sarcoma = Filters(dataset.START, dataset.END, board_id=data.sarcoma.id)
    assert shares("quorum", sarcoma) == (1, 2, 0)
    metastasis = Filters(dataset.START, dataset.END, board_id=data.metastasis.id)
    assert shares("quorum", metastasis) == (0, 0, 1)
    f = figure("referral_to_discussion", metastasis)
    assert (f.total.denominator, f.total.excluded, f.total.median) == (0, 1, None)


def test_range_days_are_inclusive(data):
    # M3 starts at 16:00 on 17 Feb: a range ending that day includes it.
    assert shares("quorum", Filters(date(2026, 2, 17), date(2026, 2, 17))) == (
        0,
        0,
        1,
    )
    assert shares("quorum", Filters(date(2026, 2, 18), date(2026, 3, 31))) == (
        0,
        0,
        0,
    )


def test_a_range_without_meetings_is_empty_not_zero(data):
    empty = Filters(date(2024, 1, 1), date(2024, 12, 31))
    for key in BY_KEY:
        f = figure(key, empty)
        assert f.months == [] and f.total.denominator == 0, key
        assert f.total.share is None and f.total.median is None


def test_the_dashboard_scan_agrees_with_each_indicator(data):
    keys = [key for key in BY_KEY if hasattr(BY_KEY[key].rows, "family")]
    assert len(keys) == 11
    shared = shared_counts([BY_KEY[k] for k in keys], RANGE)
    for key in keys:
        alone, together = figure(key), compute(BY_KEY[key], RANGE, shared[key])
        assert together.total == alone.total, key
        assert together.months == alone.months, key
        assert together.outcomes == alone.outcomes, key


def test_case_type_filter(data):
    metastases = Filters(dataset.START, dataset.END, case_type="skeletal_metastasis")
    # Only C3, discussed at M3 without a waiver; its draft is not signed.
    assert shares("readiness", metastases) == (1, 1, 0)
    assert shares("time_to_signature", metastases) == (0, 0, 1)
    assert shares("biopsy_at_centre", metastases) == (0, 0, 0)
    load = figure("meeting_load", metastases).total
    assert (load.denominator, load.numerator) == (3, 1)
    primary = Filters(dataset.START, dataset.END, case_type="primary_bone_tumour")
    assert shares("referral_to_discussion", primary) == (3, 3, 0)
