"""Signing recommendations (quorum check or override); signing an amendment
supersedes the revision it amends (see ``amendments``)."""

from __future__ import annotations

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_sign_recommendation
from tumorboard.auth.signing import StepUp, require_signature_step_up
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.cases.services import transition_case
from tumorboard.db import utcnow
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.recommendations.hooks import signed
from tumorboard.recommendations.models import Recommendation, RecommendationState
from tumorboard.recommendations.services.amendments import (
    carry_over,
    release_amended,
)
from tumorboard.recommendations.services.queries import quorum
from tumorboard.recommendations.services.validation import _check_version
from tumorboard.validation import REASON_LIMIT, clean_text


def sign_recommendation(
    actor: User,
    rec: Recommendation,
    *,
    step_up: StepUp | None,
    override_reason: str | None = None,
    version: int | None,
) -> Recommendation:
    """The chair signs a draft of a discussed item, quorate or with an override.

    Without quorum the chair gives an override reason. Signing revision 1 moves
    the case from discussed to follow-up. The chair of the meeting that discussed
    the item signs every revision, including amendments made after the meeting
    closed. The signer confirms with their own password first (``step_up``,
    from :func:`tumorboard.auth.signing.confirm_signature`).
    """
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    if meeting.chair_id is None:
        raise InvalidInput(
            "This meeting has no chair; the coordinator must assign one before "
            "recommendations can be signed."
        )
    chair = db.session.get(User, meeting.chair_id)
    authorize(
        can_sign_recommendation(actor, meeting),
        f"Only the chair of this meeting ({chair.name}) signs its recommendations.",
    )
    if rec.state == RecommendationState.SIGNED:
        signer = db.session.get(User, rec.signed_by_id)
        raise InvalidInput(
            f"Revision {rec.revision} was already signed by {signer.name} on "
            f"{rec.signed_at:%d %b %Y %H:%M} UTC; nothing was changed."
        )
    if rec.state == RecommendationState.SUPERSEDED:
        raise InvalidInput(
            f"Revision {rec.revision} was superseded by an amendment; sign the "
            "current revision instead."
        )
    require_signature_step_up(actor, step_up)
    _check_version(rec, version)
    if item.status != AgendaItemStatus.DISCUSSED:
        raise InvalidInput(
            "Mark the agenda item discussed before signing its recommendation."
        )
    if meeting.status not in (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED):
        raise InvalidInput(
            "Recommendations are signed at or after the meeting, not while it "
            f"is {meeting.status.label.lower()}."
        )
    reason = (
        clean_text(
            override_reason, "override_reason", "The override reason", REASON_LIMIT
        )
        or None
    )
    q = quorum(meeting)
    if not q.is_quorate and not reason:
        missing = ", ".join(d.label for d in q.missing)
        raise InvalidInput(
            f"The meeting is not quorate (missing: {missing}). Sign only with a "
            "reason for overriding the quorum.",
            "override_reason",
        )
    if q.is_quorate:
        # A reason given for a quorate meeting would record an override that
        # did not happen.
        reason = None
    # An amendment replaces the revision it amends only now, when signed.
    amended = release_amended(rec)
    rec.state = RecommendationState.SIGNED
    rec.signed_by_id = actor.id
    rec.signed_at = utcnow()
    rec.quorum_override_reason = reason
    rec.current_key = rec.agenda_item_id
    db.session.flush()
    case = db.session.get(Case, rec.case_id)
    changes = {"state": ["draft", "signed"]}
    if reason:
        changes["quorum_override_reason"] = [None, reason]
    audit.record(
        actor,
        "recommendation.sign",
        "recommendation",
        rec.id,
        f"Signed revision {rec.revision} of the recommendation for {case.reference}"
        + (" (quorum overridden)" if reason else ""),
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    if reason:
        audit.record(
            actor,
            "recommendation.quorum_override",
            "recommendation",
            rec.id,
            f"Signed without quorum (missing: {', '.join(d.label for d in q.missing)})",
            changes={
                "missing": [None, [d.value for d in q.missing]],
                "quorum_override_reason": [None, reason],
            },
            case_id=case.id,
            patient_id=case.patient_id,
        )
    if amended is not None:
        carry_over(actor, amended, rec)
    if rec.revision == 1 and case.status == CaseStatus.DISCUSSED:
        transition_case(actor, case, CaseStatus.FOLLOW_UP, manual=False)
    signed.run(actor, rec)
    return rec
