"""Detail under some indicators: missing disciplines, waivers by item,
deferral and deviation reasons (one grouped query each)."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.disciplines import Discipline
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, AgendaItemStatus, Meeting
from tumorboard.quality.filters import Filters
from tumorboard.quality.rows import in_range, quorum, waiver_in_force, with_case_type
from tumorboard.quality.sql import built_once
from tumorboard.recommendations.models import DeviationReason, Recommendation
from tumorboard.reviews.models import ReadinessWaiver


@built_once
def _missing_disciplines_query(filters: Filters) -> sa.Select:
    rows = quorum(filters).subquery("rows")
    text = sa.cast(Meeting.missing_disciplines, sa.Text())
    sums = [
        sa.func.coalesce(
            sa.func.sum(sa.case((text.like(f'%"{d.value}"%'), 1), else_=0)), 0
        )
        for d in Discipline
    ]
    return (
        sa.select(*sums)
        .select_from(rows)
        .join(Meeting, Meeting.id == rows.c.subject_id)
        .where(rows.c.outcome == "not_quorate")
    )


def _missing_disciplines(filters: Filters):
    """Non-quorate meetings by the discipline that was missing (one query:
    a LIKE on the JSON list's text per discipline)."""
    counts = db.session.execute(_missing_disciplines_query(filters)).one()
    return "Missing disciplines", [
        (f"missing:{d.value}", d.label, n)
        for d, n in zip(Discipline, counts, strict=True)
        if n
    ]


@built_once
def _waivers_query(filters: Filters) -> sa.Select:
    query = (
        sa.select(ReadinessWaiver.item, sa.func.count())
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(ReadinessWaiver, waiver_in_force())
        .where(AgendaItem.status == AgendaItemStatus.DISCUSSED, *in_range(filters))
        .group_by(ReadinessWaiver.item)
        .order_by(sa.func.count().desc(), ReadinessWaiver.item)
    )
    return with_case_type(query, AgendaItem.case_id, filters)


def _waivers_by_item(filters: Filters):
    """Waivers standing at discussions in the range, by readiness item."""
    return "Waivers by item", [
        (None, item.replace("_", " ").capitalize(), n)
        for item, n in db.session.execute(_waivers_query(filters))
    ]


@built_once
def _deferrals_query(filters: Filters) -> sa.Select:
    query = (
        sa.select(AgendaItem.status_reason, sa.func.count())
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.status == AgendaItemStatus.DEFERRED, *in_range(filters))
        .group_by(AgendaItem.status_reason)
        .order_by(sa.func.count().desc(), AgendaItem.status_reason)
    )
    return with_case_type(query, AgendaItem.case_id, filters)


def _deferral_reasons(filters: Filters):
    """Deferred items of the range by the reason given."""
    return "Reasons given", [
        (None, reason or "No reason recorded", n)
        for reason, n in db.session.execute(_deferrals_query(filters))
    ]


@built_once
def _deviations_query(filters: Filters) -> sa.Select:
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
    return with_case_type(query, Recommendation.case_id, filters)


def _deviation_reasons(filters: Filters):
    """Deviated recommendations of the range by reason."""
    return "Deviations by reason", [
        (f"deviation:{reason}", DeviationReason(reason).label, n)
        for reason, n in db.session.execute(_deviations_query(filters))
    ]


BREAKDOWNS = {
    "quorum": _missing_disciplines,
    "readiness": _waivers_by_item,
    "deferrals": _deferral_reasons,
    "implementation": _deviation_reasons,
}
