"""Saving and reading discipline reviews, and readiness waivers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_view_case,
    can_waive_readiness,
    can_write_review,
)
from tumorboard.cases import diagnosis as case_diagnosis
from tumorboard.cases.models import BiopsyStatus, Case, CaseStatus, CaseType
from tumorboard.db import prebuilt, utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.patients.models import Patient
from tumorboard.performance import services as performance
from tumorboard.reviews import readiness, schemas
from tumorboard.reviews import search as _search  # noqa: F401  (pathology words)
from tumorboard.reviews.models import (
    WAIVER_REASON_LIMIT,
    DisciplineReview,
    ReadinessDeclaration,
    ReadinessWaiver,
    ReviewRevision,
)
from tumorboard.reviews.schemas import pathology
from tumorboard.validation import clean_text

STALE_MESSAGE = (
    "This review was changed since you opened it (now revision {number} by "
    "{author}). Your entries are kept below; compare them with the newer version "
    "and save again."
)


def case_facts(case: Case) -> schemas.CaseFacts:
    """The facts about ``case`` that review rules depend on."""
    patient = db.session.get(Patient, case.patient_id)
    status = performance.current(case)
    return schemas.CaseFacts(
        case_type=CaseType(case.case_type).value,
        site_code=case.site_code,
        known_primary=case.known_primary,
        birth_date=patient.birth_date,
        karnofsky=status.karnofsky if status else None,
        karnofsky_assessed_on=status.assessed_on if status else None,
    )


def get_review(case: Case, discipline: Discipline | str) -> DisciplineReview | None:
    """The review of ``case`` by ``discipline`` with its current revision and author."""
    return db.session.scalar(
        sa.select(DisciplineReview)
        .where(
            DisciplineReview.case_id == case.id,
            DisciplineReview.discipline == Discipline(discipline),
        )
        .options(
            joinedload(DisciplineReview.current_revision).joinedload(
                ReviewRevision.author
            )
        )
    )


def case_reviews(case_id: int) -> dict[Discipline, DisciplineReview]:
    """Every review of a case by discipline, current revision and author loaded.

    The case page's panels each ask for them; the transaction reads them once
    until its next write (a flush, or changes waiting for one)."""
    session = db.session()
    pending = session.new or session.dirty or session.deleted
    kept = session.info.setdefault(_CASE_REVIEWS, {})
    if pending or case_id not in kept:
        reviews = session.scalars(_case_reviews(), {"case_id": case_id}).all()
        kept[case_id] = {Discipline(r.discipline): r for r in reviews}
    return dict(kept[case_id])


_CASE_REVIEWS = "reviews.case_reviews"


@prebuilt
def _case_reviews() -> sa.Select:
    return (
        sa.select(DisciplineReview)
        .where(DisciplineReview.case_id == sa.bindparam("case_id"))
        .options(
            joinedload(DisciplineReview.current_revision).joinedload(
                ReviewRevision.author
            )
        )
    )


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_case_reviews(session: Session, *args) -> None:
    session.info.pop(_CASE_REVIEWS, None)


def revisions(review: DisciplineReview) -> list[ReviewRevision]:
    """Every revision of ``review``, newest first, with authors."""
    return list(
        db.session.scalars(
            sa.select(ReviewRevision)
            .where(ReviewRevision.review_id == review.id)
            .options(joinedload(ReviewRevision.author))
            .order_by(ReviewRevision.number.desc())
        )
    )


def save_review(
    actor: User,
    case: Case,
    discipline: Discipline | str,
    data: dict[str, Any],
    base: int | None,
) -> ReviewRevision:
    """Save ``data`` as the next revision of the discipline's review of ``case``.

    ``base`` is the revision number the author started from (0 for a new
    review); anything else than the current number is a stale edit and is
    refused with :class:`Conflict`.
    """
    schema = schemas.schema_for(discipline)
    discipline = schema.discipline
    authorize(
        can_write_review(actor, case, discipline),
        f"Only {discipline.label.lower()} writes the {discipline.label.lower()} "
        "review, and only while the case is open.",
    )
    review = get_review(case, discipline)
    current = review.current_number if review else 0
    if base is None or base != current:
        if review is None:
            raise Conflict(
                "This review was removed or never existed; reload the case page."
            )
        raise Conflict(
            STALE_MESSAGE.format(
                number=current, author=review.current_revision.author.name
            )
        )
    facts = case_facts(case)
    clean = schemas.clean(schema, facts, data)
    computed = schemas.compute_scores(schema, facts, clean)
    previous = review.current_revision.data if review else None
    changes = schemas.compare(schema, previous, clean)
    if review is not None and not changes:
        raise InvalidInput(
            f"Nothing changed since revision {current}; nothing was saved."
        )
    try:
        if review is None:
            review = DisciplineReview(
                case_id=case.id, discipline=discipline, current_number=1
            )
            db.session.add(review)
        else:
            review.current_number = current + 1
        db.session.flush()
        revision = ReviewRevision(
            review_id=review.id,
            number=review.current_number,
            author_id=actor.id,
            data=clean,
            scores=computed,
            changes=changes,
        )
        db.session.add(revision)
        db.session.flush()
    except (IntegrityError, StaleDataError):
        # Someone saved the same review in a concurrent transaction.
        raise Conflict(
            "Someone saved this review at the same moment. Your entries are kept "
            "below; reload the review and save again."
        ) from None
    action = "review.create" if revision.number == 1 else "review.update"
    audit.record(
        actor,
        action,
        "review",
        review.id,
        f"{discipline.label} review of {case.reference}: revision {revision.number}",
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    if discipline == Discipline.PATHOLOGY:
        case_diagnosis.record_confirmed_diagnosis(
            actor,
            case,
            pathology.confirmed_diagnosis(clean),
            f"pathology review revision {revision.number}",
        )
    return revision


def record_review_read(
    actor: User, case: Case, review: DisciplineReview, what: str
) -> None:
    """Audit that ``actor`` read a review (its current state, a revision or a diff)."""
    authorize(can_view_case(actor, case), "You cannot see this case.")
    audit.record(
        actor,
        "review.read",
        "review",
        review.id,
        f"Read the {Discipline(review.discipline).label.lower()} review of "
        f"{case.reference} ({what})",
        case_id=case.id,
        patient_id=case.patient_id,
    )


# Readiness waivers --------------------------------------------------------------


def waive_item(
    actor: User,
    case: Case,
    item: str,
    reason: str | None,
    kind: ReadinessDeclaration | str = ReadinessDeclaration.WAIVER,
) -> ReadinessWaiver:
    """Waive a readiness item of ``case`` with a reason, or declare a pre-biopsy
    discussion (which stands in for the pathology review); audited."""
    authorize(
        can_waive_readiness(actor, case),
        "Only the coordinator waives readiness items of an open case.",
    )
    try:
        kind = ReadinessDeclaration(kind)
    except ValueError:
        raise InvalidInput("Choose a waiver or a pre-biopsy declaration.") from None
    checklist = readiness.check(case)
    entry = checklist.item(item)
    if entry is None:
        raise InvalidInput(f"'{item}' is not a readiness item of this case.", "item")
    reason = clean_text(reason, "reason", "The reason", WAIVER_REASON_LIMIT)
    if not reason:
        raise InvalidInput(
            "Say why the board should discuss the case before any biopsy."
            if kind == ReadinessDeclaration.PRE_BIOPSY
            else f"Give a reason to waive '{entry.label}'.",
            "reason",
        )
    if kind == ReadinessDeclaration.PRE_BIOPSY:
        if item != readiness.PATHOLOGY:
            raise InvalidInput(
                "A pre-biopsy discussion stands in for the pathology review only.",
                "item",
            )
        if case.biopsy_status not in (BiopsyStatus.NOT_BIOPSIED, BiopsyStatus.PLANNED):
            raise InvalidInput(
                "This case has been biopsied; record the pathology review instead "
                "of a pre-biopsy discussion.",
                "item",
            )
    if entry.status == readiness.DONE:
        raise InvalidInput(f"'{entry.label}' is already complete; nothing to waive.")
    if entry.status == readiness.WAIVED:
        raise Conflict(f"'{entry.label}' is already waived.")
    waiver = ReadinessWaiver(
        case_id=case.id, item=item, kind=kind, reason=reason, waived_by_id=actor.id
    )
    db.session.add(waiver)
    db.session.flush()
    audit.record(
        actor,
        "readiness.waive",
        "readiness_waiver",
        waiver.id,
        f"{case.reference}: {kind.label.lower()} for '{entry.label}'",
        changes={
            "item": [None, item],
            "kind": [None, kind.value],
            "reason": [None, reason],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return waiver


def withdraw_waiver(actor: User, case: Case, waiver: ReadinessWaiver) -> None:
    """Withdraw an active waiver; the row stays for the record; audited."""
    authorize(
        can_waive_readiness(actor, case) and waiver.case_id == case.id,
        "Only the coordinator withdraws readiness waivers.",
    )
    if not waiver.is_active:
        raise Conflict("This waiver was already withdrawn.")
    status = CaseStatus(case.status)
    if status in (CaseStatus.READY, CaseStatus.LISTED) and not (
        readiness.done_without_waiver(case, waiver.item)
    ):
        # A ready or listed case must keep passing the gate it passed.
        label = readiness.ITEM_LABELS.get(waiver.item, waiver.item)
        raise InvalidInput(
            f"{case.reference} is {status.label.lower()} for the board, and "
            f"withdrawing this {waiver.kind.label.lower()} would leave "
            f"'{label}' missing. Complete the item first, or return the case to "
            "work-up and then withdraw it."
        )
    waiver.withdrawn_at = utcnow()
    waiver.withdrawn_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "readiness.unwaive",
        "readiness_waiver",
        waiver.id,
        f"{case.reference}: withdrew the {waiver.kind.label.lower()} for "
        f"'{readiness.ITEM_LABELS.get(waiver.item, waiver.item)}'",
        changes={"withdrawn": [False, True]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
