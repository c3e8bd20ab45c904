"""Recording and editing draft recommendations."""

from __future__ import annotations

from typing import Any

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_record_recommendation,
    can_view_agenda,
)
from tumorboard.cases.models import Case
from tumorboard.errors import Conflict, InvalidInput, collect_errors
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Meeting
from tumorboard.recommendations.hooks import awaiting_signature
from tumorboard.recommendations.models import Recommendation, RecommendationState
from tumorboard.recommendations.services.queries import current_recommendation
from tumorboard.recommendations.services.validation import (
    _check_item_open_for_recording,
    _check_version,
    _clean_amendment_reason,
    _clean_content,
    _snapshot,
)

AGENDA_REFUSED = (
    "This agenda is for the board's members, the meeting's chair and those "
    "present, once the coordinator publishes it."
)


def record_recommendation(
    actor: User, item: AgendaItem, data: dict[str, Any]
) -> Recommendation:
    """Record revision 1 (a draft) of the recommendation for a discussed item."""
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(
        can_record_recommendation(actor, meeting),
        "Only clinicians and the coordinator record recommendations.",
    )
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    _check_item_open_for_recording(item, meeting)
    existing = current_recommendation(item)
    if existing is not None:
        raise Conflict(
            "A recommendation for this item was already recorded (revision "
            f"{existing.revision}, {existing.state.label.lower()}); open it "
            "instead. Your entries are kept below."
        )
    clean = _clean_content(meeting, data)
    rec = Recommendation(
        agenda_item_id=item.id,
        case_id=item.case_id,
        revision=1,
        current_key=item.id,
        state=RecommendationState.DRAFT,
        created_by_id=actor.id,
        **clean,
    )
    db.session.add(rec)
    db.session.flush()
    case = db.session.get(Case, item.case_id)
    audit.record(
        actor,
        "recommendation.create",
        "recommendation",
        rec.id,
        f"Recorded the draft recommendation for {case.reference}",
        changes=audit.diff({}, _snapshot(rec)),
        case_id=case.id,
        patient_id=case.patient_id,
    )
    awaiting_signature.run(actor, rec)
    return rec


def record_item_read(actor: User, item: AgendaItem) -> None:
    """Audit that ``actor`` opened the recording form of an agenda item."""
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    case = db.session.get(Case, item.case_id)
    audit.record(
        actor,
        "agenda_item.read",
        "agenda_item",
        item.id,
        f"Opened the recommendation form for {case.reference}",
        case_id=case.id,
        patient_id=case.patient_id,
    )


def update_recommendation(
    actor: User, rec: Recommendation, data: dict[str, Any], version: int | None
) -> Recommendation:
    """Edit a draft; signed and superseded revisions are immutable."""
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(
        can_record_recommendation(actor, meeting),
        "Only clinicians and the coordinator edit recommendations.",
    )
    if rec.state != RecommendationState.DRAFT:
        raise InvalidInput(
            f"Revision {rec.revision} is {rec.state.label.lower()} and cannot be "
            "edited; amend it instead (the amendment becomes a new revision)."
        )
    _check_version(rec, version)
    if rec.revision == 1:
        _check_item_open_for_recording(item, meeting)
    with collect_errors() as errors:
        if rec.revision > 1:
            with errors.check():
                reason = _clean_amendment_reason(data)
        clean = _clean_content(meeting, data, errors)
    if rec.revision > 1:
        clean["amendment_reason"] = reason
    before = {**_snapshot(rec), "amendment_reason": rec.amendment_reason}
    for key, value in clean.items():
        setattr(rec, key, value)
    after = {**_snapshot(rec), "amendment_reason": rec.amendment_reason}
    changes = audit.diff(before, after)
    if changes:
        db.session.flush()
        case = db.session.get(Case, rec.case_id)
        audit.record(
            actor,
            "recommendation.update",
            "recommendation",
            rec.id,
            f"Edited draft revision {rec.revision} for {case.reference}: "
            f"{', '.join(changes)}",
            changes=changes,
            case_id=case.id,
            patient_id=case.patient_id,
        )
    return rec
