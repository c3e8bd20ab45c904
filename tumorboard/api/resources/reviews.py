"""Discipline reviews of a case: the list, one review with its revisions, and
writing the next revision (the discipline's own, with the review's rules)."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.core import access, etag_of, per_method_access, required_version
from tumorboard.api.problems import Problem, problem
from tumorboard.api.record_schemas import ReviewIn, ReviewList, ReviewOut
from tumorboard.api.resources.cases import visible_case
from tumorboard.auth.disciplines import REVIEW_DISCIPLINES
from tumorboard.auth.permissions import Permission, authorize, can_write_review
from tumorboard.cases import services as cases
from tumorboard.cases.models import Case
from tumorboard.reviews import schemas, services
from tumorboard.reviews.models import DisciplineReview, ReviewRevision

bp = Blueprint(
    "api_reviews",
    __name__,
    url_prefix="/cases",
    description="Discipline reviews and their revisions",
)


def _schema(discipline: str) -> schemas.Schema:
    schema = schemas.find_schema(discipline)
    if schema is None:
        raise Problem(
            404,
            f"There is no '{discipline}' review; the disciplines are "
            + ", ".join(d.value for d in REVIEW_DISCIPLINES)
            + ".",
        )
    return schema


def _review_out(
    case: Case,
    schema: schemas.Schema,
    review: DisciplineReview,
    revisions: list[ReviewRevision],
) -> dict[str, Any]:
    return {
        "id": review.id,
        "case_id": case.id,
        "discipline": schema.discipline.value,
        "title": schema.title,
        "current_number": review.current_number,
        "version": review.version,
        "may_write": can_write_review(current_user, case, schema.discipline),
        "revisions": revisions,
    }


@bp.route("/<int:case_id>/reviews")
@access(Permission.CASE_READ)
@bp.response(200, ReviewList)
@problem(bp, 404, "No such case, or not visible to the caller")
def index(case_id: int):
    """The four discipline reviews of the case (written or not), with their
    current revision number, author and whether the caller may write them;
    audited as a read of the case."""
    case = visible_case(case_id)
    written = services.case_reviews(case.id)
    cases.record_read(current_user, case, "(its discipline reviews) through the API")
    items = []
    for discipline in REVIEW_DISCIPLINES:
        review = written.get(discipline)
        revision = review.current_revision if review else None
        items.append(
            {
                "discipline": discipline.value,
                "title": schemas.SCHEMAS[discipline].title,
                "review_id": review.id if review else None,
                "current_number": review.current_number if review else None,
                "updated_by": revision.author.name if revision else None,
                "updated_at": revision.created_at if revision else None,
                "may_write": can_write_review(current_user, case, discipline),
                "version": review.version if review else None,
            }
        )
    return {"items": items}


@bp.route("/<int:case_id>/reviews/<discipline>")
class ReviewRecord(MethodView):
    """One discipline's review: read it with every revision, or write the
    next revision."""

    decorators = [per_method_access]

    @access(Permission.CASE_READ)
    @bp.response(200, ReviewOut)
    @problem(bp, 404, "No such case, discipline or review")
    def get(self, case_id: int, discipline: str):
        """The review with every revision, newest first (inputs, computed
        scores and the changes against the revision before), with its ETag;
        audited as a review read."""
        case = visible_case(case_id)
        schema = _schema(discipline)
        review = services.get_review(case, schema.discipline)
        if review is None:
            raise Problem(
                404, f"Case {case.reference} has no {schema.title.lower()} yet."
            )
        history = services.revisions(review)
        services.record_review_read(
            current_user, case, review, "every revision, through the API"
        )
        g.etag = etag_of(review)
        return _review_out(case, schema, review, history)

    @access(Permission.REVIEW_WRITE)
    @bp.arguments(ReviewIn)
    @bp.response(200, ReviewOut)
    @problem(bp, 403, "Not this discipline's reviewer, or the case is closed")
    @problem(bp, 404, "No such case or discipline")
    @problem(bp, 409, "Saved by someone else at the same moment")
    @problem(bp, 412, "If-Match names an older version, or the review is new")
    @problem(bp, 428, "If-Match is missing on a review that exists")
    def put(self, data: dict[str, Any], case_id: int, discipline: str):
        """Save the whole review as its next revision, checked by the same
        rules as the discipline's form. A review that exists needs If-Match
        with its ETag; the first revision is written without If-Match. Answers
        with the review and the revision just saved."""
        case = visible_case(case_id)
        schema = _schema(discipline)
        authorize(
            can_write_review(current_user, case, schema.discipline),
            f"Only {schema.discipline.label.lower()} writes this review, and only "
            "while the case is open.",
        )
        review = services.get_review(case, schema.discipline)
        if review is not None:
            required_version(review)
            base = review.current_number
        elif request.headers.get("If-Match"):
            raise Problem(
                412,
                f"Case {case.reference} has no {schema.title.lower()} yet: write "
                "the first revision without If-Match.",
            )
        else:
            base = 0
        services.save_review(current_user, case, schema.discipline, data["data"], base)
        # Read back with its author, as the review page shows it.
        review = services.get_review(case, schema.discipline)
        g.etag = etag_of(review)
        return _review_out(case, schema, review, [review.current_revision])
