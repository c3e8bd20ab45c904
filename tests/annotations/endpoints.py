"""Access matrix rows for annotations."""

from __future__ import annotations

from tumorboard.annotations.models import (
    Annotation,
    AnnotationAction,
    AnnotationRevision,
)
from tumorboard.auth.disciplines import Discipline, discipline_of
from tumorboard.auth.permissions import Permission
from tumorboard.extensions import db

ENDPOINTS = [
    ("/cases/{case}/annotations", "POST", Permission.ANNOTATION_WRITE),
    ("/cases/{case}/mentions", "GET", Permission.ANNOTATION_WRITE),
    ("/annotations/{annotation}/edit", "GET", Permission.ANNOTATION_WRITE),
    ("/annotations/{annotation}/delete", "GET", Permission.ANNOTATION_WRITE),
    ("/annotations/{annotation}/delete", "POST", Permission.ANNOTATION_WRITE),
    ("/annotations/{annotation}/history", "GET", Permission.ANNOTATION_WRITE),
]


def url_values(user, case) -> dict:
    """An annotation on ``case`` written by ``user``."""
    note = Annotation(
        case_id=case.id,
        author_id=user.id,
        discipline=discipline_of(user.role) or Discipline.COORDINATION,
        body="Outside MRI requested.",
    )
    db.session.add(note)
    db.session.flush()
    db.session.add(
        AnnotationRevision(
            annotation_id=note.id,
            number=1,
            action=AnnotationAction.CREATE,
            body=note.body,
            author_id=user.id,
        )
    )
    db.session.flush()
    return {"annotation": note.id}
