"""Detail under some indicators: missing disciplines, waivers by item,
deferral and deviation reasons (one grouped query each)."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, AgendaItemStatus, Meeting
from tumorboard.quality.filters import Filters
from tumorboard.quality.rows import waiver_in_force
from tumorboard.recommendations.models import DeviationReason, Recommendation
from tumorboard.reviews.models import ReadinessWaiver


def _missing_disciplines(rows: sa.Subquery, filters: Filters):
    """Non-quorate meetings by the discipline that was missing (one query:
    a LIKE on the JSON list's text per discipline)."""
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


def _waivers_by_item(rows: sa.Subquery, filters: Filters):
    """Waivers standing at discussions in the range, by readiness item."""
    query = (
        sa.select(ReadinessWaiver.item, sa.func.count())
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(ReadinessWaiver, waiver_in_force())
        .where(AgendaItem.status == AgendaItemStatus.DISCUSSED)
        .where(
            Meeting.starts_at >= filters.starts_at,
            Meeting.starts_at < filters.ends_before,
        )
        .group_by(ReadinessWaiver.item)
        .order_by(sa.func.count().desc(), ReadinessWaiver.item)
    )
    if filters.board_id:
        query = query.where(Meeting.board_id == filters.board_id)
    if filters.case_type:
        query = query.join(Case, Case.id == AgendaItem.case_id).where(
            Case.case_type == filters.case_type
        )
    return "Waivers by item", [
        (None, item.replace("_", " ").capitalize(), n)
        for item, n in db.session.execute(query)
    ]


def _deferral_reasons(rows: sa.Subquery, filters: Filters):
    """Deferred items of the range by the reason given."""
    query = (
        sa.select(AgendaItem.status_reason, sa.func.count())
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.status == AgendaItemStatus.DEFERRED,
            Meeting.starts_at >= filters.starts_at,
            Meeting.starts_at < filters.ends_before,
        )
        .group_by(AgendaItem.status_reason)
        .order_by(sa.func.count().desc(), AgendaItem.status_reason)
    )
    if filters.board_id:
        query = query.where(Meeting.board_id == filters.board_id)
    if filters.case_type:
        query = query.join(Case, Case.id == AgendaItem.case_id).where(
            Case.case_type == filters.case_type
        )
    return "Reasons given", [
        (None, reason or "No reason recorded", n)
        for reason, n in db.session.execute(query)
    ]


def _deviation_reasons(rows: sa.Subquery, filters: Filters):
    """Deviated recommendations of the range by reason."""
    f = filters
    query = (
        sa.select(Recommendation.deviation_reason, sa.func.count())
        .select_from(Recommendation)
        .join(AgendaItem, AgendaItem.id == Recommendation.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            Recommendation.state == "signed",
            Recommendation.implementation_status == "deviated",
            Meeting.starts_at >= f.starts_at,
            Meeting.starts_at < f.ends_before,
        )
        .group_by(Recommendation.deviation_reason)
        .order_by(sa.func.count().desc())
    )
    if f.board_id:
        query = query.where(Meeting.board_id == f.board_id)
    if f.case_type:
        query = query.join(Case, Case.id == Recommendation.case_id).where(
            Case.case_type == f.case_type
        )
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
