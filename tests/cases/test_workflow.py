"""The status table (ARCHITECTURE.md: referred → workup → ready → listed →
discussed → follow_up → closed, follow_up → workup, withdrawn from any open state)."""

from __future__ import annotations

import pytest

from tumorboard.cases.models import OPEN_STATUSES, CaseStatus
from tumorboard.cases.workflow import (
    TRANSITIONS,
    IllegalTransition,
    get_transition,
    manual_transitions,
)

S = CaseStatus

EXPECTED = {
    (S.REFERRED, S.WORKUP),
    (S.WORKUP, S.READY),
    (S.READY, S.WORKUP),
    (S.READY, S.LISTED),
    (S.LISTED, S.READY),
    (S.LISTED, S.DISCUSSED),
    (S.DISCUSSED, S.READY),
    (S.DISCUSSED, S.FOLLOW_UP),
    (S.FOLLOW_UP, S.WORKUP),
    (S.FOLLOW_UP, S.CLOSED),
} | {(s, S.WITHDRAWN) for s in OPEN_STATUSES}


def test_table_is_exactly_the_architecture():
    assert set(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_pair_is_allowed_or_refused(source, target):
    if (source, target) in EXPECTED:
        assert get_transition(source, target).target == target
    else:
        with pytest.raises(IllegalTransition, match="cannot move from"):
            get_transition(source, target)


def test_closed_and_withdrawn_are_final():
    assert manual_transitions(S.CLOSED) == []
    assert manual_transitions(S.WITHDRAWN) == []


def test_board_events_are_not_manual():
    for pair in [
        (S.READY, S.LISTED),
        (S.LISTED, S.DISCUSSED),
        (S.DISCUSSED, S.FOLLOW_UP),
    ]:
        assert TRANSITIONS[pair].manual is False


def test_withdraw_needs_a_reason():
    assert all(TRANSITIONS[(s, S.WITHDRAWN)].reason_required for s in OPEN_STATUSES)
