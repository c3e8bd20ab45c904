"""The case status machine: every legal transition is in TRANSITIONS.

``manual`` transitions are offered to the coordinator on the case page;
the others happen as a consequence of board events (listing on an agenda,
discussing, signing a recommendation) and are made by those services.
"""

from __future__ import annotations

from dataclasses import dataclass

from tumorboard.cases.models import OPEN_STATUSES, CaseStatus
from tumorboard.errors import InvalidInput
from tumorboard.hooks import Hook

S = CaseStatus


@dataclass(frozen=True)
class Transition:
    """One allowed move between two statuses."""

    source: CaseStatus
    target: CaseStatus
    label: str
    manual: bool
    reason_required: bool = False


_TABLE = [
    Transition(S.REFERRED, S.WORKUP, "Start work-up", manual=True),
    Transition(S.WORKUP, S.READY, "Mark ready for the board", manual=True),
    Transition(
        S.READY, S.WORKUP, "Return to work-up", manual=True, reason_required=True
    ),
    Transition(S.READY, S.LISTED, "List on a meeting agenda", manual=False),
    Transition(S.LISTED, S.READY, "Remove from the agenda", manual=False),
    Transition(S.LISTED, S.DISCUSSED, "Discussed at the board", manual=False),
    Transition(S.DISCUSSED, S.READY, "Deferred to a later meeting", manual=False),
    Transition(S.DISCUSSED, S.FOLLOW_UP, "Recommendation signed", manual=False),
    Transition(S.FOLLOW_UP, S.WORKUP, "Re-present to the board", manual=True),
    Transition(S.FOLLOW_UP, S.CLOSED, "Close the case", manual=True),
    *[
        Transition(source, S.WITHDRAWN, "Withdraw", manual=True, reason_required=True)
        for source in sorted(OPEN_STATUSES)
    ],
]

TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], Transition] = {
    (t.source, t.target): t for t in _TABLE
}


class IllegalTransition(InvalidInput):
    """A status change that the workflow does not allow."""


def get_transition(source: CaseStatus, target: CaseStatus) -> Transition:
    """The transition from ``source`` to ``target``, or IllegalTransition."""
    try:
        source, target = CaseStatus(source), CaseStatus(target)
    except ValueError as error:
        raise IllegalTransition(f"Unknown case status: {error}") from None
    try:
        return TRANSITIONS[(source, target)]
    except KeyError:
        raise IllegalTransition(
            f"A case cannot move from '{CaseStatus(source).label}' "
            f"to '{CaseStatus(target).label}'."
        ) from None


def manual_transitions(source: CaseStatus) -> list[Transition]:
    """Transitions a coordinator may make by hand from ``source``."""
    return [t for t in _TABLE if t.source == source and t.manual]


#: Checks that features built on cases add to a move, run before it is made:
#: ``guard(case, transition, reason)`` raises a ServiceError to refuse it (the
#: readiness gate for work-up → ready, open recommendations for closing).
transition_guards = Hook(
    "case.transition_guards", "Checks run before a case changes status."
)
