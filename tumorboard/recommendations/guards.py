"""Rules recommendations add to the case workflow and the agenda."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.cases.models import Case, CaseStatus
from tumorboard.cases.workflow import Transition, transition_guards
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.hooks import before_defer, has_decision
from tumorboard.meetings.models import AgendaItem, AgendaItemStatus
from tumorboard.recommendations.models import ImplementationStatus, Recommendation


def open_recommendation_count(case: Case) -> int:
    """Current recommendations of ``case`` whose implementation is still open."""
    return db.session.scalar(
        sa.select(sa.func.count(Recommendation.id)).where(
            Recommendation.case_id == case.id,
            Recommendation.current_key.is_not(None),
            Recommendation.implementation_status.in_(
                [ImplementationStatus.NOT_STARTED, ImplementationStatus.IN_PROGRESS]
            ),
        )
    )


@transition_guards.register
def _closing_needs_finished_recommendations(
    case: Case, transition: Transition, reason: str | None
) -> None:
    """A case with open recommendations closes only with a reason."""
    if transition.target != CaseStatus.CLOSED or reason:
        return
    unfinished = open_recommendation_count(case)
    if unfinished:
        raise InvalidInput(
            f"{unfinished} board recommendation(s) of this case are not yet "
            "completed, deviated or cancelled. Update their implementation, "
            "or give a reason to close the case anyway.",
            "reason",
        )


@before_defer.register
def _no_deferral_after_a_recommendation(item: AgendaItem) -> None:
    """A discussion with a recommendation (any revision) is amended, not deferred."""
    if item.status != AgendaItemStatus.DISCUSSED:
        return
    recorded = db.session.scalar(
        sa.select(Recommendation.id)
        .where(Recommendation.agenda_item_id == item.id)
        .limit(1)
    )
    if recorded is not None:
        raise InvalidInput(
            "A recommendation has been recorded for this discussion; amend it "
            "instead of deferring."
        )


@has_decision.register
def _recommendation_recorded(item: AgendaItem) -> bool:
    """A current recommendation (a draft is enough) decides the discussion."""
    return (
        db.session.scalar(
            sa.select(Recommendation.id)
            .where(Recommendation.current_key == item.id)
            .limit(1)
        )
        is not None
    )
