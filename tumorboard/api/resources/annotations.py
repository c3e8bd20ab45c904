"""Annotations on a case: the threads, a new note or reply, and the author's
changes and deletion (If-Match), as on the case page."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.annotations import services
from tumorboard.annotations.models import Annotation
from tumorboard.api.core import access, etag_of, per_method_access, required_version
from tumorboard.api.problems import Problem, problem
from tumorboard.api.record_schemas import (
    AnnotationEdit,
    AnnotationIn,
    AnnotationList,
    AnnotationOut,
)
from tumorboard.api.resources.cases import visible_case
from tumorboard.auth.permissions import Permission, authorize, can_change_annotation
from tumorboard.cases import services as cases
from tumorboard.cases.models import Case
from tumorboard.extensions import db

bp = Blueprint(
    "api_annotations", __name__, url_prefix="", description="Annotations on a case"
)


def visible_annotation(annotation_id: int) -> tuple[Annotation, Case]:
    """The annotation and its case if the caller may see the case; else 404."""
    note = db.session.get(Annotation, annotation_id)
    if note is None:
        raise Problem(404, f"There is no annotation {annotation_id}.")
    try:
        case = visible_case(note.case_id)
    except Problem:
        raise Problem(404, f"There is no annotation {annotation_id}.") from None
    return note, case


@bp.route("/cases/<int:case_id>/annotations")
class CaseAnnotations(MethodView):
    """The annotations of a case."""

    decorators = [per_method_access]

    @access(Permission.CASE_READ)
    @bp.response(200, AnnotationList)
    @problem(bp, 404, "No such case, or not visible to the caller")
    def get(self, case_id: int):
        """Every note of the case, thread by thread (the first note, then its
        replies, oldest first); deleted notes keep their place without their
        text. Audited as a read of the case."""
        case = visible_case(case_id)
        threads = services.threads(case.id)
        cases.record_read(current_user, case, "(its annotations) through the API")
        return {
            "items": [
                note for thread in threads for note in [thread.root, *thread.replies]
            ]
        }

    @access(Permission.ANNOTATION_WRITE)
    @bp.arguments(AnnotationIn)
    @bp.response(201, AnnotationOut)
    @problem(bp, 403, "The caller may not annotate this case")
    @problem(bp, 404, "No such case, or not visible to the caller")
    def post(self, data: dict[str, Any], case_id: int):
        """Add a note (markdown; ``@handle`` mentions notify), optionally about
        one review of the case, or a reply to a note (``parent_id``)."""
        case = visible_case(case_id)
        note = services.create_annotation(
            current_user,
            case,
            data["body"],
            review_id=data.get("review_id"),
            parent_id=data.get("parent_id"),
        )
        g.etag = etag_of(note)
        return note


@bp.route("/annotations/<int:annotation_id>")
class AnnotationRecord(MethodView):
    """One annotation: read it, change its text, or delete it (the author)."""

    decorators = [per_method_access]

    @access(Permission.CASE_READ)
    @bp.response(200, AnnotationOut)
    @problem(bp, 404, "No such annotation, or not visible to the caller")
    def get(self, annotation_id: int):
        """One note with its ETag; audited as an annotation read."""
        note, case = visible_annotation(annotation_id)
        services.record_read(current_user, case, note, "through the API")
        g.etag = etag_of(note)
        return note

    @access(Permission.ANNOTATION_WRITE)
    @bp.arguments(AnnotationEdit)
    @bp.response(200, AnnotationOut)
    @problem(bp, 403, "Not the author")
    @problem(bp, 404, "No such annotation, or not visible to the caller")
    @problem(bp, 412, "If-Match names an older version")
    @problem(bp, 428, "If-Match is missing")
    def put(self, data: dict[str, Any], annotation_id: int):
        """Replace the text of one's own note (If-Match); the earlier text is
        kept as a revision."""
        note, case = visible_annotation(annotation_id)
        authorize(
            can_change_annotation(current_user, note),
            "Only the author edits an annotation.",
        )
        version = required_version(note)
        services.edit_annotation(current_user, case, note, data["body"], version)
        db.session.flush()
        g.etag = etag_of(note)
        return note

    @access(Permission.ANNOTATION_WRITE)
    @bp.response(200, AnnotationOut)
    @problem(bp, 403, "Not the author")
    @problem(bp, 404, "No such annotation, or not visible to the caller")
    @problem(bp, 412, "If-Match names an older version")
    @problem(bp, 428, "If-Match is missing")
    def delete(self, annotation_id: int):
        """Delete one's own note (If-Match), as on the case page: it keeps its
        place in the thread without its text, and its revisions remain."""
        note, case = visible_annotation(annotation_id)
        authorize(
            can_change_annotation(current_user, note),
            "Only the author deletes an annotation.",
        )
        version = required_version(note)
        services.delete_annotation(current_user, case, note, version)
        db.session.flush()
        g.etag = etag_of(note)
        return note
