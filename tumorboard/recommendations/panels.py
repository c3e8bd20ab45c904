"""The recommendation panels of the case page and of presentation mode."""

from __future__ import annotations

from tumorboard.cases.panels import CasePanel, register_panel
from tumorboard.recommendations import services
from tumorboard.recommendations.models import RecommendationState


def _history_panel(user, case) -> dict:
    """Every board decision for the case, newest first (one query)."""
    return {"recommendations": services.case_history(case.id), "case": case}


def _presentation_panel(user, case) -> dict:
    """Prior signed decisions, for presentation mode (one query)."""
    history = services.case_history(case.id)
    return {
        "recommendations": [r for r in history if r.state == RecommendationState.SIGNED]
    }


register_panel(
    CasePanel(
        name="board_decisions",
        template="recommendations/_case_history.html",
        load=_history_panel,
        slot="main",
        order=15,
    )
)
register_panel(
    CasePanel(
        name="prior_decisions",
        template="recommendations/_prior_decisions.html",
        load=_presentation_panel,
        slot="presentation_side",
        order=20,
    )
)
