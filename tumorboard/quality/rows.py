"""The row query of each indicator: one row per subject, classified in SQL.

Each query selects ``subject_id`` (a case, or a meeting), ``month`` (of the
meeting), ``outcome`` (a SQL CASE) and ``value`` (days, for intervals).
"""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.cases.models import BiopsyStatus, Case, CaseType
from tumorboard.db import today
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.quality.filters import Filters
from tumorboard.quality.sql import days_between, minutes_between, month_of
from tumorboard.recommendations.models import (
    ImplementationStatus,
    Recommendation,
    RecommendationState,
)
from tumorboard.reviews.models import ReadinessDeclaration, ReadinessWaiver

# Building blocks ----------------------------------------------------------------


def in_range(f: Filters):
    conditions = [Meeting.starts_at >= f.starts_at, Meeting.starts_at < f.ends_before]
    if f.board_id:
        conditions.append(Meeting.board_id == f.board_id)
    return conditions


def case_type_condition(f: Filters, primary_only: bool = False):
    if primary_only:
        if f.case_type and f.case_type != CaseType.PRIMARY_BONE_TUMOUR.value:
            return [sa.false()]
        return [Case.case_type == CaseType.PRIMARY_BONE_TUMOUR]
    return [Case.case_type == f.case_type] if f.case_type else []


def _first_discussions(f: Filters, primary_only: bool = False):
    """Cases whose first discussion (on any board) was at a meeting in the
    range: a discussed item in the range with no earlier discussed item of
    the same case (an anti-join on the case's items, not a window over every
    discussion)."""
    earlier_item = sa.orm.aliased(AgendaItem)
    earlier_meeting = sa.orm.aliased(Meeting)
    earlier = (
        sa.select(earlier_item.id)
        .join(earlier_meeting, earlier_meeting.id == earlier_item.meeting_id)
        .where(
            earlier_item.case_id == AgendaItem.case_id,
            earlier_item.status == AgendaItemStatus.DISCUSSED,
            sa.or_(
                earlier_meeting.starts_at < Meeting.starts_at,
                sa.and_(
                    earlier_meeting.starts_at == Meeting.starts_at,
                    earlier_item.id < AgendaItem.id,
                ),
            ),
        )
    )
    return (
        sa.select(
            Case.id.label("subject_id"),
            month_of(Meeting.starts_at).label("month"),
        )
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Case, Case.id == AgendaItem.case_id)
        .where(
            AgendaItem.status == AgendaItemStatus.DISCUSSED,
            ~sa.exists(earlier),
            *in_range(f),
            *case_type_condition(f, primary_only),
        )
    )


def _discussed_items(f: Filters, statuses=(AgendaItemStatus.DISCUSSED,)):
    return (
        sa.select(
            Case.id.label("subject_id"),
            month_of(Meeting.starts_at).label("month"),
        )
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Case, Case.id == AgendaItem.case_id)
        .where(AgendaItem.status.in_(statuses))
        .where(*in_range(f), *case_type_condition(f))
    )


def _signed_recommendations(f: Filters):
    """Signed recommendations in force for discussions in the range."""
    return (
        sa.select(
            Case.id.label("subject_id"),
            month_of(Meeting.starts_at).label("month"),
        )
        .select_from(Recommendation)
        .join(AgendaItem, AgendaItem.id == Recommendation.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Case, Case.id == Recommendation.case_id)
        .where(Recommendation.state == RecommendationState.SIGNED)
        .where(*in_range(f), *case_type_condition(f))
    )


def _closed_meetings(f: Filters):
    return (
        sa.select(
            Meeting.id.label("subject_id"),
            month_of(Meeting.starts_at).label("month"),
        )
        .select_from(Meeting)
        .where(Meeting.status == MeetingStatus.CLOSED, *in_range(f))
    )


# Row queries ----------------------------------------------------------------------


def referral_to_discussion(f: Filters) -> sa.Select:
    days = days_between(Case.referral_date, Meeting.starts_at)
    query = _first_discussions(f, False)
    return query.add_columns(
        sa.case((days < 0, "not_computable"), else_="measured").label("outcome"),
        days.label("value"),
    )


def discussion_to_treatment(f: Filters) -> sa.Select:
    days = days_between(Meeting.starts_at, Recommendation.implementation_date)
    started = Recommendation.implementation_status.in_(
        [ImplementationStatus.IN_PROGRESS, ImplementationStatus.COMPLETED]
    )
    return _signed_recommendations(f).add_columns(
        sa.case(
            (sa.and_(started, days >= 0), "measured"),
            (started, "not_computable"),
            else_="not_started",
        ).label("outcome"),
        days.label("value"),
    )


def discussed_before_treatment(f: Filters) -> sa.Select:
    query = _first_discussions(f, False)
    excision_before = sa.and_(
        Case.unplanned_excision_date.is_not(None),
        days_between(Case.unplanned_excision_date, Meeting.starts_at) > 0,
    )
    conference = Recommendation.conference_type
    return query.outerjoin(
        Recommendation,
        sa.and_(
            Recommendation.agenda_item_id == AgendaItem.id,
            Recommendation.current_key.is_not(None),
        ),
    ).add_columns(
        sa.case(
            (excision_before, "after"),
            (conference.in_(["post_operative", "post_therapeutic"]), "after"),
            (conference == "pre_therapeutic", "before"),
            else_="not_computable",
        ).label("outcome"),
        sa.null().label("value"),
    )


def unplanned_excision(f: Filters) -> sa.Select:
    query = _first_discussions(f, True)
    return query.add_columns(
        sa.case(
            (Case.unplanned_excision_date.is_not(None), "unplanned"),
            else_="planned",
        ).label("outcome"),
        sa.null().label("value"),
    )


def biopsy_at_centre(f: Filters) -> sa.Select:
    query = _first_discussions(f, True)
    return query.add_columns(
        sa.case(
            (Case.biopsy_status == BiopsyStatus.DONE_AT_CENTRE, "at_centre"),
            (Case.biopsy_status == BiopsyStatus.DONE_ELSEWHERE, "elsewhere"),
            else_="no_biopsy",
        ).label("outcome"),
        sa.null().label("value"),
    )


def waiver_in_force():
    """A waiver of the item's case that stood when its meeting began."""
    return sa.and_(
        ReadinessWaiver.case_id == AgendaItem.case_id,
        ReadinessWaiver.kind == ReadinessDeclaration.WAIVER,
        ReadinessWaiver.waived_at <= Meeting.starts_at,
        sa.or_(
            ReadinessWaiver.withdrawn_at.is_(None),
            ReadinessWaiver.withdrawn_at > Meeting.starts_at,
        ),
    )


def readiness(f: Filters) -> sa.Select:
    waived = sa.exists().where(waiver_in_force())
    return _discussed_items(f).add_columns(
        sa.case((waived, "waived"), else_="complete").label("outcome"),
        sa.null().label("value"),
    )


def deferrals(f: Filters) -> sa.Select:
    query = _discussed_items(f, (AgendaItemStatus.DISCUSSED, AgendaItemStatus.DEFERRED))
    return query.add_columns(
        sa.case(
            (AgendaItem.status == AgendaItemStatus.DEFERRED, "deferred"),
            else_="discussed",
        ).label("outcome"),
        sa.null().label("value"),
    )


def standard_of_care(f: Filters) -> sa.Select:
    return _discussed_items(f).add_columns(
        sa.case(
            (AgendaItem.standard_of_care.is_(True), "standard_of_care"),
            else_="full",
        ).label("outcome"),
        sa.null().label("value"),
    )


def quorum(f: Filters) -> sa.Select:
    return _closed_meetings(f).add_columns(
        sa.case(
            (Meeting.is_quorate.is_(True), "quorate"),
            (Meeting.is_quorate.is_(False), "not_quorate"),
            else_="not_computable",
        ).label("outcome"),
        sa.null().label("value"),
    )


def _item_sum(column, f: Filters, *conditions):
    return (
        sa.select(sa.func.coalesce(sa.func.sum(column), 0))
        .select_from(AgendaItem)
        .join(Case, Case.id == AgendaItem.case_id)
        .where(
            AgendaItem.meeting_id == Meeting.id,
            AgendaItem.status == AgendaItemStatus.DISCUSSED,
            *case_type_condition(f),
            *conditions,
        )
        .scalar_subquery()
    )


def meeting_load(f: Filters) -> sa.Select:
    timed = sa.and_(
        Meeting.started_at.is_not(None),
        Meeting.closed_at.is_not(None),
        Meeting.closed_at > Meeting.started_at,
    )
    return _closed_meetings(f).add_columns(
        sa.case((timed, "timed"), else_="not_computable").label("outcome"),
        sa.null().label("value"),
        _item_sum(sa.literal(1), f).label("cases"),
        _item_sum(sa.literal(1), f, AgendaItem.standard_of_care.is_(True)).label(
            "soc_cases"
        ),
        _item_sum(AgendaItem.planned_minutes, f).label("planned"),
        sa.case(
            (timed, minutes_between(Meeting.started_at, Meeting.closed_at)),
            else_=None,
        ).label("actual"),
    )


def implementation(f: Filters) -> sa.Select:
    status = Recommendation.implementation_status
    return _signed_recommendations(f).add_columns(
        sa.case(
            (
                status.in_(
                    [ImplementationStatus.COMPLETED, ImplementationStatus.IN_PROGRESS]
                ),
                "implemented",
            ),
            (status == ImplementationStatus.DEVIATED, "deviated"),
            (status == ImplementationStatus.CANCELLED, "cancelled"),
            (Recommendation.start_by < today(), "overdue"),
            else_="not_yet_due",
        ).label("outcome"),
        sa.null().label("value"),
    )


def rediscussion(f: Filters) -> sa.Select:
    query = _first_discussions(f, False)
    other = sa.orm.aliased(AgendaItem)
    later = sa.exists().where(
        other.case_id == Case.id,
        other.status == AgendaItemStatus.DISCUSSED,
        other.id != AgendaItem.id,
    )
    return query.add_columns(
        sa.case((later, "rediscussed"), else_="once").label("outcome"),
        sa.null().label("value"),
    )


def time_to_signature(f: Filters) -> sa.Select:
    days = days_between(Meeting.starts_at, Recommendation.signed_at)
    query = (
        sa.select(
            Case.id.label("subject_id"),
            month_of(Meeting.starts_at).label("month"),
        )
        .select_from(Recommendation)
        .join(AgendaItem, AgendaItem.id == Recommendation.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Case, Case.id == Recommendation.case_id)
        .where(Recommendation.revision == 1, *in_range(f), *case_type_condition(f))
    )
    return query.add_columns(
        sa.case(
            (Recommendation.signed_at.is_(None), "not_computable"),
            else_="measured",
        ).label("outcome"),
        days.label("value"),
    )
