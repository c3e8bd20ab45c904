"""Amending a signed recommendation: a draft that replaces the signed revision
only when the chair signs it, and the hand-over of its implementation tracking
and open action items at that moment.

Rule: one draft amendment per agenda item at a time. While it waits for the
chair's signature the signed revision stays in force (implementation is
recorded and action items are added there); a draft amendment that is
discarded leaves everything as it was.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_amend_recommendation
from tumorboard.cases.models import Case
from tumorboard.errors import Conflict, InvalidInput, collect_errors
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Meeting
from tumorboard.recommendations.hooks import awaiting_signature
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    Recommendation,
    RecommendationState,
)
from tumorboard.recommendations.services.validation import (
    CONTENT_FIELDS,
    _check_version,
    _clean_amendment_reason,
    _clean_content,
    _snapshot,
)

#: The implementation tracking an amendment takes over from the revision it
#: replaces when it is signed: status, its date, deviation and who updated it.
CARRIED_FIELDS = (
    "implementation_status",
    "implementation_date",
    "deviation_reason",
    "patient_wish",
    "deviation_note",
    "implementation_updated_by_id",
    "implementation_updated_at",
)


def pending_amendment(item_id: int) -> Recommendation | None:
    """The draft amendment of an agenda item's recommendation, if one exists."""
    return db.session.scalar(
        sa.select(Recommendation).where(
            Recommendation.agenda_item_id == item_id,
            Recommendation.state == RecommendationState.DRAFT,
            Recommendation.revision > 1,
        )
    )


def amend_recommendation(
    actor: User, rec: Recommendation, data: dict[str, Any], version: int | None
) -> Recommendation:
    """Start revision n+1 of a signed recommendation, as a draft.

    The signed revision stays in force until the chair signs the amendment.
    Only one draft amendment per item exists at a time.
    """
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(
        can_amend_recommendation(actor, meeting),
        "Only clinicians and the coordinator amend recommendations.",
    )
    if rec.state == RecommendationState.DRAFT:
        raise InvalidInput(
            "This revision is still a draft: edit it instead of amending it."
        )
    if rec.state == RecommendationState.SUPERSEDED:
        raise InvalidInput(
            f"Revision {rec.revision} was already amended; amend the current "
            "revision instead."
        )
    pending = pending_amendment(item.id)
    if pending is not None:
        # Also what a second submission of the same amendment form meets.
        raise Conflict(
            f"Revision {pending.revision} is already a draft amendment of this "
            "recommendation, waiting for the chair's signature. Edit or discard "
            "that draft instead of starting another; your entries are kept below."
        )
    _check_version(rec, version)
    reason = None
    with collect_errors() as errors:
        with errors.check():
            reason = _clean_amendment_reason(data)
        clean = _clean_content(meeting, data, errors)
    if all(clean[k] == getattr(rec, k) for k in CONTENT_FIELDS):
        raise InvalidInput(
            "The amendment changes nothing: edit the recommendation before saving."
        )
    new = Recommendation(
        agenda_item_id=item.id,
        case_id=rec.case_id,
        revision=rec.revision + 1,
        supersedes_id=rec.id,
        current_key=None,
        state=RecommendationState.DRAFT,
        amendment_reason=reason,
        created_by_id=actor.id,
        **clean,
    )
    db.session.add(new)
    db.session.flush()
    case = db.session.get(Case, rec.case_id)
    audit.record(
        actor,
        "recommendation.amend",
        "recommendation",
        new.id,
        f"Started draft revision {new.revision} amending revision {rec.revision} "
        f"of the recommendation for {case.reference}; revision {rec.revision} "
        "stays in force until the chair signs",
        changes={
            **audit.diff(_snapshot(rec), _snapshot(new)),
            "amendment_reason": [None, reason],
            "amends": [None, f"revision {rec.revision} (v{rec.version})"],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    awaiting_signature.run(actor, new)
    return new


def discard_amendment(
    actor: User, rec: Recommendation, version: int | None
) -> Recommendation:
    """Abandon a draft amendment; the signed revision stays in force unchanged.

    Returns the revision that stays in force.
    """
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(
        can_amend_recommendation(actor, meeting),
        "Only clinicians and the coordinator discard draft amendments.",
    )
    if not rec.is_draft_amendment:
        raise InvalidInput(
            "Only a draft amendment can be discarded; signed revisions stay, and "
            "a first draft is edited."
        )
    _check_version(rec, version)
    kept = db.session.get(Recommendation, rec.supersedes_id)
    case = db.session.get(Case, rec.case_id)
    content = {**_snapshot(rec), "amendment_reason": rec.amendment_reason}
    audit.record(
        actor,
        "recommendation.discard",
        "recommendation",
        rec.id,
        f"Discarded draft revision {rec.revision} of the recommendation for "
        f"{case.reference}; revision {kept.revision} stays in force",
        changes={key: [value, None] for key, value in content.items()},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    db.session.delete(rec)
    db.session.flush()
    return kept


def release_amended(rec: Recommendation) -> Recommendation | None:
    """When an amendment is signed: mark the revision it amends superseded and
    release its current key (flushed). None for a first revision."""
    if rec.revision == 1:
        return None
    old = db.session.get(Recommendation, rec.supersedes_id)
    if old is None or old.state != RecommendationState.SIGNED:
        raise InvalidInput(
            f"Revision {rec.revision} amends a revision that is no longer in "
            "force; it cannot be signed."
        )
    old.state = RecommendationState.SUPERSEDED
    old.current_key = None
    db.session.flush()
    return old


def carry_over(actor: User, old: Recommendation, new: Recommendation) -> list[int]:
    """Move implementation tracking and open action items from the superseded
    revision to the newly signed amendment; audited on both. Returns the ids of
    the action items moved."""
    changes = audit.apply(
        new, CARRIED_FIELDS, {field: getattr(old, field) for field in CARRIED_FIELDS}
    )
    moved = list(
        db.session.scalars(
            sa.select(ActionItem)
            .where(
                ActionItem.recommendation_id == old.id,
                ActionItem.status == ActionStatus.OPEN,
            )
            .order_by(ActionItem.id)
        )
    )
    for action in moved:
        action.recommendation_id = new.id
    db.session.flush()
    ids = [a.id for a in moved]
    case = db.session.get(Case, new.case_id)
    audit.record(
        actor,
        "recommendation.supersede",
        "recommendation",
        old.id,
        f"Revision {old.revision} of the recommendation for {case.reference} "
        f"superseded by signed revision {new.revision}; implementation and "
        f"{len(ids)} open action item(s) moved to it",
        changes={
            "state": ["signed", "superseded"],
            "superseded_by": [None, f"revision {new.revision}"],
            "action_items_moved": [None, ids],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    audit.record(
        actor,
        "recommendation.carry_over",
        "recommendation",
        new.id,
        f"{case.reference}: revision {new.revision} took over the implementation "
        f"status ({new.implementation_status.label.lower()}) and {len(ids)} open "
        f"action item(s) from revision {old.revision}",
        changes={
            **changes,
            "action_items": [None, ids],
            "from_revision": [None, old.revision],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return ids
