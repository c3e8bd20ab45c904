"""Signing recommendations (quorum check or override) and amending signed ones."""

from __future__ import annotations

from typing import Any

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_amend_recommendation,
    can_sign_recommendation,
)
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
from tumorboard.recommendations.models import Recommendation, RecommendationState
from tumorboard.recommendations.services.queries import quorum
from tumorboard.recommendations.services.validation import (
    CONTENT_FIELDS,
    _check_version,
    _clean_content,
    _snapshot,
)
from tumorboard.validation import LONG_TEXT_LIMIT, REASON_LIMIT, clean_text


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
    rec.state = RecommendationState.SIGNED
    rec.signed_by_id = actor.id
    rec.signed_at = utcnow()
    rec.quorum_override_reason = reason
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
    if rec.revision == 1 and case.status == CaseStatus.DISCUSSED:
        transition_case(actor, case, CaseStatus.FOLLOW_UP, manual=False)
    return rec


def amend_recommendation(
    actor: User, rec: Recommendation, data: dict[str, Any], version: int | None
) -> Recommendation:
    """Create revision n+1 from a signed one, which becomes superseded.

    The new revision is a draft that waits for the chair's signature.
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
    _check_version(rec, version)
    reason = clean_text(
        data.get("amendment_reason"),
        "amendment_reason",
        "The amendment reason",
        LONG_TEXT_LIMIT,
    )
    if not reason:
        raise InvalidInput(
            "Give the reason for the amendment (it is shown with the new revision).",
            "amendment_reason",
        )
    clean = _clean_content(meeting, data)
    if all(clean[k] == getattr(rec, k) for k in CONTENT_FIELDS):
        raise InvalidInput(
            "The amendment changes nothing: edit the recommendation before saving."
        )
    old_version = rec.version
    rec.state = RecommendationState.SUPERSEDED
    rec.current_key = None
    # The unique current_key must be released before the new revision takes it.
    db.session.flush()
    new = Recommendation(
        agenda_item_id=item.id,
        case_id=rec.case_id,
        revision=rec.revision + 1,
        supersedes_id=rec.id,
        current_key=item.id,
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
        f"Amended the recommendation for {case.reference}: revision {new.revision} "
        f"supersedes revision {rec.revision}",
        changes={
            **audit.diff(_snapshot(rec), _snapshot(new)),
            "amendment_reason": [None, reason],
            "supersedes": [None, f"revision {rec.revision} (v{old_version})"],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return new
