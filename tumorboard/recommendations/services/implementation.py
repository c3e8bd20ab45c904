"""Recording whether a signed recommendation was carried out, or why not."""

from __future__ import annotations

from datetime import date
from typing import Any

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_update_implementation
from tumorboard.cases.models import Case
from tumorboard.db import today, utcnow
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Meeting
from tumorboard.recommendations.models import (
    DeviationReason,
    ImplementationStatus,
    PatientWish,
    Recommendation,
    RecommendationState,
)
from tumorboard.recommendations.services.queries import meeting_date
from tumorboard.recommendations.services.validation import _check_version
from tumorboard.validation import REASON_LIMIT, clean_text

#: What the implementation form records; an update audits their changes.
IMPLEMENTATION_FIELDS = (
    "implementation_status",
    "deviation_reason",
    "patient_wish",
    "deviation_note",
    "implementation_date",
)


def update_implementation(
    actor: User, rec: Recommendation, data: dict[str, Any], version: int | None
) -> Recommendation:
    """Record whether a signed recommendation was carried out (and why not)."""
    case = db.session.get(Case, rec.case_id)
    authorize(
        can_update_implementation(actor, case),
        "Only the coordinator or the case's lead clinician records implementation.",
    )
    if rec.state != RecommendationState.SIGNED:
        raise InvalidInput(
            "Implementation is recorded on the current, signed revision only."
        )
    _check_version(rec, version)
    try:
        status = ImplementationStatus(data.get("implementation_status"))
    except ValueError:
        raise InvalidInput(
            "Choose the implementation status.", "implementation_status"
        ) from None
    on: date | None = data.get("implementation_date")
    reason = patient_wish = None
    note = (
        clean_text(
            data.get("deviation_note"), "deviation_note", "The note", REASON_LIMIT
        )
        or None
    )
    if status == ImplementationStatus.NOT_STARTED:
        on = None
    else:
        if not isinstance(on, date):
            raise InvalidInput(
                f"Enter the date the recommendation was {status.label.lower()}.",
                "implementation_date",
            )
        if on > today():
            raise InvalidInput("This date is in the future.", "implementation_date")
        item = db.session.get(AgendaItem, rec.agenda_item_id)
        held = meeting_date(db.session.get(Meeting, item.meeting_id))
        if on < held:
            raise InvalidInput(
                f"This date is before the meeting ({held:%d %b %Y}).",
                "implementation_date",
            )
    if status == ImplementationStatus.DEVIATED:
        try:
            reason = DeviationReason(data.get("deviation_reason"))
        except ValueError:
            raise InvalidInput(
                "Choose the reason for the deviation.", "deviation_reason"
            ) from None
        try:
            patient_wish = PatientWish(data.get("patient_wish"))
        except ValueError:
            raise InvalidInput(
                "Say whether the deviation was the patient's wish (yes, no or "
                "unknown).",
                "patient_wish",
            ) from None
        if reason == DeviationReason.OTHER and not note:
            raise InvalidInput(
                "Describe the deviation when the reason is 'other'.", "deviation_note"
            )
    changes = audit.apply(
        rec,
        IMPLEMENTATION_FIELDS,
        {
            "implementation_status": status,
            "deviation_reason": reason,
            "patient_wish": patient_wish,
            "deviation_note": note,
            "implementation_date": on,
        },
    )
    if not changes:
        raise InvalidInput("Nothing changed: the implementation is already recorded.")
    rec.implementation_updated_by_id = actor.id
    rec.implementation_updated_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "recommendation.implementation",
        "recommendation",
        rec.id,
        f"{case.reference}: implementation {status.label.lower()}"
        + (f" ({reason.label.lower()})" if reason else ""),
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return rec
