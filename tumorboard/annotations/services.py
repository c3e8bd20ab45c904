"""Writing, editing and deleting annotations; every step kept as a revision."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.annotations.hooks import mentioned
from tumorboard.annotations.mentions import handle_of, handles, resolve_mentions
from tumorboard.annotations.models import (
    Annotation,
    AnnotationAction,
    AnnotationRevision,
)
from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import Discipline, discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_annotate,
    can_change_annotation,
    can_view_case,
)
from tumorboard.cases.models import Case
from tumorboard.db import prebuilt, utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.reviews.models import DisciplineReview

MAX_BODY = 10_000

_SCRIPT = re.compile(r"<\s*/?\s*script\b", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[^>]*\bon[a-z]+\s*=", re.IGNORECASE)
_BAD_SCHEME = re.compile(r"\b(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def clean_body(body: str | None) -> str:
    """Check an annotation body; markup that could run code is refused outright
    (rendering sanitises as well, so nothing could slip through anyway)."""
    text = (body or "").strip()
    if not text:
        raise InvalidInput("Write the annotation first.", "body")
    if len(text) > MAX_BODY:
        raise InvalidInput(
            f"An annotation must be at most {MAX_BODY} characters.", "body"
        )
    if _SCRIPT.search(text):
        raise InvalidInput(
            "Annotations cannot contain <script> tags; write plain text or markdown.",
            "body",
        )
    if _EVENT_HANDLER.search(text):
        raise InvalidInput(
            "Annotations cannot contain HTML event handlers (such as onerror=).",
            "body",
        )
    if _BAD_SCHEME.search(text):
        raise InvalidInput(
            "Only http, https and mailto links are allowed in annotations.", "body"
        )
    return text


#: The audit action of each kind of annotation revision.
AUDIT_VERBS = {
    AnnotationAction.CREATE: "create",
    AnnotationAction.EDIT: "update",
    AnnotationAction.DELETE: "delete",
}


def create_annotation(
    actor: User,
    case: Case,
    body: str | None,
    *,
    review_id: int | None = None,
    parent_id: int | None = None,
) -> Annotation:
    """Add an annotation (or a reply) to ``case``; audited and on the timeline."""
    authorize(can_annotate(actor, case), "You cannot annotate this case.")
    if not case.is_open:
        raise InvalidInput("A closed or withdrawn case cannot be annotated.")
    text = clean_body(body)
    people = resolve_mentions(text, case)
    if review_id is not None:
        review = db.session.get(DisciplineReview, review_id)
        if review is None or review.case_id != case.id:
            raise InvalidInput("That review is not part of this case.", "review_id")
    if parent_id is not None:
        parent = db.session.get(Annotation, parent_id)
        if parent is None or parent.case_id != case.id:
            raise InvalidInput("The note you replied to is not on this case.")
        if parent.is_deleted:
            raise InvalidInput("The note you replied to was deleted.")
        # One level of threading: a reply to a reply joins the thread's root.
        parent_id = parent.parent_id or parent.id
    discipline = discipline_of(actor.role) or Discipline.COORDINATION
    annotation = Annotation(
        case_id=case.id,
        author_id=actor.id,
        discipline=discipline,
        review_id=review_id,
        parent_id=parent_id,
        body=text,
        current_number=1,
    )
    db.session.add(annotation)
    _revise(
        actor,
        case,
        annotation,
        AnnotationAction.CREATE,
        # No body text in summaries: they stay on the timeline after a delete.
        f"{'Reply' if parent_id else 'Note'} by {actor.name} ({discipline.label})",
        [None, text],
    )
    if people:
        mentioned.run(actor, annotation, case, people)
    return annotation


def _revise(
    actor: User,
    case: Case,
    annotation: Annotation,
    action: AnnotationAction,
    summary: str,
    body_change: list[str | None],
) -> Annotation:
    """Keep the annotation's new state as a revision and audit the change."""
    db.session.flush()
    db.session.add(
        AnnotationRevision(
            annotation_id=annotation.id,
            number=annotation.current_number,
            action=action,
            body=annotation.body,
            author_id=actor.id,
        )
    )
    db.session.flush()
    audit.record(
        actor,
        f"annotation.{AUDIT_VERBS[action]}",
        "annotation",
        annotation.id,
        summary,
        changes={"body": body_change},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return annotation


def _check_change(
    actor: User, case: Case, annotation: Annotation, version: int | None
) -> None:
    authorize(
        can_change_annotation(actor, annotation) and annotation.case_id == case.id,
        "Only the author edits or deletes an annotation.",
    )
    if not case.is_open:
        raise InvalidInput(
            "The case is closed or withdrawn; its annotations can no longer be changed."
        )
    if annotation.is_deleted:
        raise InvalidInput("This annotation was deleted.")
    if version is None or version != annotation.version:
        raise Conflict(
            "This annotation changed since you opened it. Your text is kept "
            "below; check the current version and save again."
        )


def edit_annotation(
    actor: User,
    case: Case,
    annotation: Annotation,
    body: str | None,
    version: int | None,
) -> Annotation:
    """Replace the body of the author's annotation; the old text stays as a revision."""
    _check_change(actor, case, annotation, version)
    text = clean_body(body)
    if text == annotation.body:
        raise InvalidInput("Nothing changed; nothing was saved.", "body")
    people = resolve_mentions(text, case)
    old = annotation.body
    # Only people mentioned by this edit are told; the others already were.
    before = set(handles(old))
    annotation.body = text
    annotation.current_number += 1
    _revise(
        actor,
        case,
        annotation,
        AnnotationAction.EDIT,
        f"Edited a note by {actor.name}",
        [old, text],
    )
    new = [u for u in people if not ({u.email.lower(), handle_of(u)} & before)]
    if new:
        mentioned.run(actor, annotation, case, new)
    return annotation


def delete_annotation(
    actor: User, case: Case, annotation: Annotation, version: int | None
) -> Annotation:
    """Mark the author's annotation deleted; its revisions (with the text) remain
    for the author, and the audit log shows administrators that it was deleted."""
    _check_change(actor, case, annotation, version)
    annotation.deleted_at = utcnow()
    annotation.deleted_by_id = actor.id
    annotation.current_number += 1
    return _revise(
        actor,
        case,
        annotation,
        AnnotationAction.DELETE,
        f"Deleted a note by {actor.name}",
        [annotation.body, None],
    )


def annotation_history(actor: User, annotation: Annotation) -> list[AnnotationRevision]:
    """Every revision of the author's own annotation, oldest first."""
    authorize(
        can_change_annotation(actor, annotation),
        "Only the author sees the history of an annotation.",
    )
    return list(
        db.session.scalars(
            sa.select(AnnotationRevision)
            .where(AnnotationRevision.annotation_id == annotation.id)
            .options(joinedload(AnnotationRevision.author))
            .order_by(AnnotationRevision.number)
        )
    )


def record_read(actor: User, case: Case, annotation: Annotation, what: str) -> None:
    """Audit that ``actor`` opened an annotation (``what``: "its history"...)."""
    authorize(can_view_case(actor, case), "You cannot see this case.")
    audit.record(
        actor,
        "annotation.read",
        "annotation",
        annotation.id,
        f"Viewed an annotation on {case.reference}, {what}",
        case_id=case.id,
        patient_id=case.patient_id,
    )


@dataclass
class Thread:
    """A note and its replies, oldest first."""

    root: Annotation
    replies: list[Annotation] = field(default_factory=list)


@prebuilt
def _case_annotations() -> sa.Select:
    return (
        sa.select(Annotation)
        .where(Annotation.case_id == sa.bindparam("case_id"))
        .options(joinedload(Annotation.author), joinedload(Annotation.review))
        .order_by(Annotation.created_at, Annotation.id)
    )


def threads(case_id: int) -> list[Thread]:
    """The annotation threads of a case in one query."""
    notes = db.session.scalars(_case_annotations(), {"case_id": case_id}).all()
    roots = {n.id: Thread(n) for n in notes if n.parent_id is None}
    for note in notes:
        if note.parent_id is not None and note.parent_id in roots:
            roots[note.parent_id].replies.append(note)
    return list(roots.values())
