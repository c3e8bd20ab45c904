"""Detail under some indicators: missing disciplines, waivers by item,
deferral and deviation reasons (one grouped query each)."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.disciplines import Discipline
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, AgendaItemStatus, Meeting
from tumorboard.quality.filters import Filters
from tumorboard.quality.rows import in_range, quorum, waiver_in_force, with_case_type
from tumorboard.recommendations.models import DeviationReason, Recommendation
from tumorboard.reviews.models import ReadinessWaiver


def _missing_disciplines(filters: Filters):
    """Non-quorate meetings by the discipline that was missing (one query:
    a LIKE on the JSON list's text per discipline)."""
    rows = quorum(filters).subquery("rows")
    text = sa.cast(Meeting.missing_disciplines, sa.Text())
    sums = [
        sa.func.coalesce(
            sa.func.sum(sa.case((text.like(f'%"{d.value}"%'), 1), else_=0)), 0
        )
        for d in Discipline
    ]
    counts = db.session.execute(
        sa.select(*sums)
        .select_from(rows)
        .join(Meeting, Meeting.id == rows.c.subject_id)
        .where(rows.c.outcome == "not_quorate")
    ).one()
    return "Missing disciplines", [
        (f"missing:{d.value}", d.label, n)
        for d, n in zip(Discipline, counts, strict=True)
        if n
    ]


def _waivers_by_item(filters: Filters):
    """Waivers standing at discussions in the range, by readiness item."""
    query = (
        sa.select(ReadinessWaiver.item, sa.func.count())
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(ReadinessWaiver, waiver_in_force())
        .where(AgendaItem.status == AgendaItemStatus.DISCUSSED, *in_range(filters))
        .group_by(ReadinessWaiver.item)
        .order_by(sa.func.count().desc(), ReadinessWaiver.item)
    )
    query = with_case_type(query, AgendaItem.case_id, filters)
    return "Waivers by item", [
        (None, item.replace("_", " ").capitalize(), n)
        for item, n in db.session.execute(query)
    ]


def _deferral_reasons(filters: Filters):
    """Deferred items of the range by the reason given."""
    query = (
        sa.select(AgendaItem.status_reason, sa.func.count())
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.status == AgendaItemStatus.DEFERRED, *in_range(filters))
        .group_by(AgendaItem.status_reason)
        .order_by(sa.func.count().desc(), AgendaItem.status_reason)
    )
    query = with_case_type(query, AgendaItem.case_id, filters)
    return "Reasons given", [
        (None, reason or "No reason recorded", n)
        for reason, n in db.session.execute(query)
    ]


def _deviation_reasons(filters: Filters):
    """Deviated recommendations of the range by reason."""
    query = (
        sa.select(Recommendation.deviation_reason, sa.func.count())
        .select_from(Recommendation)
        .join(AgendaItem, AgendaItem.id == Recommendation.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            Recommendation.state == "signed",
            Recommendation.implementation_status == "deviated",
            *in_range(filters),
        )
        .group_by(Recommendation.deviation_reason)
        .order_by(sa.func.count().desc())
    )
    query = with_case_type(query, Recommendation.case_id, filters)
    return "Deviations by reason", [
        (f"deviation:{reason}", DeviationReason(reason).label, n)
        for reason, n in db.session.execute(query)
    ]


BREAKDOWNS = {
    "quorum": _missing_disciplines,
    "readiness": _waivers_by_item,
    "deferrals": _deferral_reasons,
    "implementation": _deviation_reasons,
}
