"""The chair ratifies a meeting's standard-of-care items in one step.

Nothing is bypassed: each listed item is marked discussed by the agenda
service, and each item's own draft recommendation is signed by the signing
service with the chair's step-up proof (quorum, or the override reason, is
checked there), so every case gets its own signed, audited recommendation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_sign_recommendation
from tumorboard.auth.signing import StepUp, require_signature_step_up
from tumorboard.cases.models import Case
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings import services as meetings
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Meeting,
)
from tumorboard.recommendations import services as recommendations
from tumorboard.recommendations.models import Recommendation, RecommendationState

REFUSED = "Only the chair of this meeting ratifies its standard-of-care cases."


@dataclass
class Ratifiable:
    """A meeting's standard-of-care items, with the draft each one has."""

    ready: list[tuple[AgendaItem, Recommendation]] = field(default_factory=list)
    #: Items without a draft recommendation: recorded first, one by one.
    without_draft: list[AgendaItem] = field(default_factory=list)
    #: Items whose recommendation is already signed.
    signed: list[AgendaItem] = field(default_factory=list)


def ratifiable(meeting: Meeting) -> Ratifiable:
    """The standard-of-care items of ``meeting`` and where each one stands."""
    rows = db.session.execute(
        sa.select(AgendaItem, Recommendation)
        .outerjoin(
            Recommendation,
            sa.and_(
                Recommendation.agenda_item_id == AgendaItem.id,
                Recommendation.current_key.is_not(None),
            ),
        )
        .options(joinedload(AgendaItem.case).joinedload(Case.patient))
        .where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.standard_of_care.is_(True),
            AgendaItem.status.in_([s.value for s in ACTIVE_ITEM_STATUSES]),
        )
        .order_by(AgendaItem.position, AgendaItem.id)
    ).all()
    result = Ratifiable()
    for item, rec in rows:
        if rec is None:
            result.without_draft.append(item)
        elif rec.state == RecommendationState.DRAFT:
            result.ready.append((item, rec))
        else:
            result.signed.append(item)
    return result


def ratify_standard_of_care(
    actor: User,
    meeting: Meeting,
    *,
    step_up: StepUp | None,
    override_reason: str | None = None,
) -> list[Recommendation]:
    """Mark every standard-of-care item with a draft discussed and sign each
    draft; returns the signed recommendations."""
    authorize(can_sign_recommendation(actor, meeting), REFUSED)
    require_signature_step_up(actor, step_up)
    found = ratifiable(meeting)
    if not found.ready:
        raise InvalidInput(
            "No standard-of-care case has a draft recommendation to ratify; "
            "record each one's recommendation first."
        )
    signed = []
    for item, rec in found.ready:
        if item.status == AgendaItemStatus.LISTED:
            meetings.mark_discussed(actor, meeting, item)
        signed.append(
            recommendations.sign_recommendation(
                actor,
                rec,
                step_up=step_up,
                override_reason=override_reason,
                version=rec.version,
            )
        )
    audit.record(
        actor,
        "meeting.ratify",
        "meeting",
        meeting.id,
        f"Ratified {len(signed)} standard-of-care case(s) in one step",
        changes={"recommendation_ids": [None, [r.id for r in signed]]},
    )
    return signed
