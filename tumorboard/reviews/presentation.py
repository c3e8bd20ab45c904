"""What the reviews show on the meeting-room screen: each discipline's key
findings and the case's stage, short enough to read from the back of the room."""

from __future__ import annotations

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline
from tumorboard.cases.panels import CasePanel, register_panel
from tumorboard.reviews import readiness, schemas, services
from tumorboard.reviews import staging as review_staging

#: Scores that stand for the stage of a metastatic or myeloma case, where AJCC
#: and Enneking do not apply (reference §4, §5, §9.1 and §9.4).
STAGE_SCORES = ("sins", "escc", "mirels", "tokuhashi")


def _findings_panel(user, case) -> dict:
    """One entry per reviewing discipline: its key values and scores, or
    whether the review is still missing (one query)."""
    reviews = services.case_reviews(case.id)
    radiology = reviews.get(Discipline.RADIOLOGY)
    radiology_data = radiology.current_revision.data if radiology else None
    entries = []
    for discipline in REVIEW_DISCIPLINES:
        review = reviews.get(discipline)
        entry = {
            "discipline": discipline,
            "review": review,
            "needed": readiness.review_is_needed(case, discipline, radiology_data),
            "rows": [],
            "scores": [],
        }
        if review is not None:
            revision = review.current_revision
            entry["rows"] = schemas.key_findings(
                schemas.SCHEMAS[discipline],
                revision.data,
                schemas.KEY_FINDINGS[discipline],
            )
            entry["scores"] = schemas.score_lines(revision.scores)
            entry["revision"] = revision
        if review is not None or entry["needed"]:
            entries.append(entry)
    data = {Discipline(d).value: r.current_revision.data for d, r in reviews.items()}
    stage_scores = [
        line
        for review in reviews.values()
        for line in schemas.score_lines(
            {
                key: score
                for key, score in (review.current_revision.scores or {}).items()
                if key in STAGE_SCORES
            }
        )
    ]
    return {
        "entries": entries,
        "staging": review_staging.derive(case, data),
        "stage_scores": stage_scores,
    }


register_panel(
    CasePanel(
        name="key_findings",
        template="reviews/_present_findings.html",
        load=_findings_panel,
        slot="presentation",
        order=10,
    )
)
