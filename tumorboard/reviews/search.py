"""The confirmed diagnosis of the pathology review, added to the case search."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.search import SearchSource, entity_words, register_source
from tumorboard.extensions import db
from tumorboard.reviews.models import (
    DisciplineReview,
    ReviewRevision,
    is_current_revision,
)
from tumorboard.reviews.schemas.pathology import METASTASIS


def diagnosis_words(data: dict) -> list[str]:
    """Words of a pathology review's diagnosis: the WHO entity's name, synonyms,
    category and ICD-O-3 code, or "metastasis" and the primary's histology."""
    key = data.get("who_entity")
    texts: list[str] = []
    if key == METASTASIS:
        texts += ["metastasis", data.get("primary_histology") or ""]
    elif key:
        texts = entity_words(key)
        if not texts:
            return []
    code = data.get("icdo_code")
    if code:
        texts.append(code)
    return texts


def _load(case_ids: Sequence[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        sa.select(DisciplineReview.case_id, ReviewRevision.data)
        .join(ReviewRevision, is_current_revision())
        .where(
            DisciplineReview.case_id.in_(case_ids),
            DisciplineReview.discipline == Discipline.PATHOLOGY,
        )
    ).all()
    return {case_id: diagnosis_words(data or {}) for case_id, data in rows}


def _case_of(obj: ReviewRevision | DisciplineReview) -> int | None:
    review = (
        obj
        if isinstance(obj, DisciplineReview)
        else db.session.get(DisciplineReview, obj.review_id)
    )
    if review is None or Discipline(review.discipline) != Discipline.PATHOLOGY:
        return None
    return review.case_id


register_source(
    SearchSource(
        name="pathology_diagnosis",
        load=_load,
        watches=(ReviewRevision, DisciplineReview),
        case_of=_case_of,
    )
)
