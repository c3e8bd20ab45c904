"""Access matrix rows for reviews and readiness."""

from __future__ import annotations

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline, discipline_of
from tumorboard.auth.permissions import Permission
from tumorboard.extensions import db
from tumorboard.reviews.models import (
    DisciplineReview,
    ReadinessWaiver,
    ReviewRevision,
)

ENDPOINTS = [
    ("/cases/{case}/reviews/{own_discipline}", "GET", Permission.CASE_READ),
    (
        "/cases/{case}/reviews/{reviewed}/revisions/{revision}",
        "GET",
        Permission.CASE_READ,
    ),
    ("/cases/{case}/reviews/{reviewed}/diff", "GET", Permission.CASE_READ),
    ("/cases/{case}/reviews/{own_discipline}/edit", "GET", Permission.REVIEW_WRITE),
    ("/cases/{case}/readiness/waivers", "POST", Permission.READINESS_WAIVE),
    (
        "/cases/{case}/readiness/waivers/{waiver}/withdraw",
        "POST",
        Permission.READINESS_WAIVE,
    ),
]


def url_values(user, case) -> dict:
    """A radiology review and a waiver on ``case``; the user's own discipline."""
    own = discipline_of(user.role)
    review = DisciplineReview(
        case_id=case.id, discipline=Discipline.RADIOLOGY, current_number=1
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(
        ReviewRevision(review_id=review.id, number=1, author_id=user.id, data={})
    )
    waiver = ReadinessWaiver(
        case_id=case.id, item="imaging", reason="Outside imaging", waived_by_id=user.id
    )
    db.session.add(waiver)
    db.session.flush()
    return {
        "own_discipline": (
            own if own in REVIEW_DISCIPLINES else Discipline.RADIOLOGY
        ).value,
        "reviewed": Discipline.RADIOLOGY.value,
        "revision": 1,
        "waiver": waiver.id,
    }
