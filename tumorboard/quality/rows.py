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


def case_type_condition(f: Filters):
    return [Case.case_type == f.case_type] if f.case_type else []


def _first_discussions(f: Filters):
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
            *case_type_condition(f),
        )
    )


def with_case_type(query: sa.Select, case_id, f: Filters) -> sa.Select:
    """Join the (wide) cases table only when the case type filter needs it."""
    if not f.case_type:
        return query
    return query.join(Case, Case.id == case_id).where(*case_type_condition(f))


def first_discussion_family(f: Filters) -> sa.Select:
    """One row per case first discussed in the range, with a column per
    indicator (NULL where it does not apply: the unplanned-excision and
    biopsy columns for metastases)."""
    referral_days = days_between(Case.referral_date, Meeting.starts_at)
    excision_before = sa.and_(
        Case.unplanned_excision_date.is_not(None),
        days_between(Case.unplanned_excision_date, Meeting.starts_at) > 0,
    )
    conference = Recommendation.conference_type
    primary = Case.case_type == CaseType.PRIMARY_BONE_TUMOUR
    other = sa.orm.aliased(AgendaItem)
    discussed_again = sa.exists().where(
        other.case_id == AgendaItem.case_id,
        other.status == AgendaItemStatus.DISCUSSED,
        other.id != AgendaItem.id,
    )
    return (
        _first_discussions(f)
        .outerjoin(
            Recommendation,
            sa.and_(
                Recommendation.agenda_item_id == AgendaItem.id,
                Recommendation.current_key.is_not(None),
            ),
        )
        .add_columns(
            sa.case((referral_days < 0, "not_computable"), else_="measured").label(
                "referral_to_discussion"
            ),
            referral_days.label("referral_to_discussion_value"),
            sa.case(
                (excision_before, "after"),
                (conference.in_(["post_operative", "post_therapeutic"]), "after"),
                (conference == "pre_therapeutic", "before"),
                else_="not_computable",
            ).label("discussed_before_treatment"),
            sa.case(
                (sa.not_(primary), None),
                (Case.unplanned_excision_date.is_not(None), "unplanned"),
                else_="planned",
            ).label("unplanned_excision"),
            sa.case(
                (sa.not_(primary), None),
                (Case.biopsy_status == BiopsyStatus.DONE_AT_CENTRE, "at_centre"),
                (Case.biopsy_status == BiopsyStatus.DONE_ELSEWHERE, "elsewhere"),
                else_="no_biopsy",
            ).label("biopsy_at_centre"),
            sa.case((discussed_again, "rediscussed"), else_="once").label(
                "rediscussion"
            ),
        )
    )


def _discussed_items(f: Filters, statuses=(AgendaItemStatus.DISCUSSED,)):
    query = (
        sa.select(
            AgendaItem.case_id.label("subject_id"),
            month_of(Meeting.starts_at).label("month"),
        )
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.status.in_(statuses))
        .where(*in_range(f))
    )
    return with_case_type(query, AgendaItem.case_id, f)


def _recommendations(f: Filters):
    """Every revision of the recommendations for discussions in the range."""
    query = (
        sa.select(
            Recommendation.case_id.label("subject_id"),
            month_of(Meeting.starts_at).label("month"),
        )
        .select_from(Recommendation)
        .join(AgendaItem, AgendaItem.id == Recommendation.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(*in_range(f))
    )
    return with_case_type(query, Recommendation.case_id, f)


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


def discussed_items_family(f: Filters) -> sa.Select:
    """Discussed and deferred items of the range: readiness and standard of
    care for the discussed ones (NULL for deferred), deferrals for both."""
    waived = sa.exists().where(waiver_in_force())
    discussed = AgendaItem.status == AgendaItemStatus.DISCUSSED
    return _discussed_items(
        f, (AgendaItemStatus.DISCUSSED, AgendaItemStatus.DEFERRED)
    ).add_columns(
        sa.case((sa.not_(discussed), None), (waived, "waived"), else_="complete").label(
            "readiness"
        ),
        sa.case(
            (sa.not_(discussed), None),
            (AgendaItem.standard_of_care.is_(True), "standard_of_care"),
            else_="full",
        ).label("standard_of_care"),
        sa.case(
            (AgendaItem.status == AgendaItemStatus.DEFERRED, "deferred"),
            else_="discussed",
        ).label("deferrals"),
    )


def recommendations_family(f: Filters) -> sa.Select:
    """Recommendations for discussions in the range: time to treatment start
    and implementation of the signed revisions in force, time to signature
    of the first revisions (NULL where a column does not apply)."""
    days = days_between(Meeting.starts_at, Recommendation.implementation_date)
    signing_days = days_between(Meeting.starts_at, Recommendation.signed_at)
    status = Recommendation.implementation_status
    started = status.in_(
        [ImplementationStatus.IN_PROGRESS, ImplementationStatus.COMPLETED]
    )
    in_force = Recommendation.state == RecommendationState.SIGNED
    first = Recommendation.revision == 1
    return _recommendations(f).add_columns(
        sa.case(
            (sa.not_(in_force), None),
            (sa.and_(started, days >= 0), "measured"),
            (started, "not_computable"),
            else_="not_started",
        ).label("discussion_to_treatment"),
        days.label("discussion_to_treatment_value"),
        sa.case(
            (sa.not_(first), None),
            (Recommendation.signed_at.is_(None), "not_computable"),
            else_="measured",
        ).label("time_to_signature"),
        signing_days.label("time_to_signature_value"),
        sa.case(
            (sa.not_(in_force), None),
            (started, "implemented"),
            (status == ImplementationStatus.DEVIATED, "deviated"),
            (status == ImplementationStatus.CANCELLED, "cancelled"),
            (Recommendation.start_by < today(), "overdue"),
            else_="not_yet_due",
        ).label("implementation"),
    )


#: Families of indicators read from one scan each: family → its row query.
FAMILIES = {
    "first_discussion": first_discussion_family,
    "discussed_items": discussed_items_family,
    "recommendations": recommendations_family,
}


def member(family: str, key: str):
    """The row query of indicator ``key``, a column of ``family``'s scan."""

    def rows(f: Filters) -> sa.Select:
        scan = FAMILIES[family](f).subquery("family")
        value = scan.c.get(f"{key}_value", sa.null())
        return sa.select(
            scan.c.subject_id,
            scan.c.month,
            scan.c[key].label("outcome"),
            value.label("value"),
        ).where(scan.c[key].is_not(None))

    rows.__name__ = key
    rows.family = family
    return rows


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


def quorum(f: Filters) -> sa.Select:
    return _closed_meetings(f).add_columns(
        sa.case(
            (Meeting.is_quorate.is_(True), "quorate"),
            (Meeting.is_quorate.is_(False), "not_quorate"),
            else_="not_computable",
        ).label("outcome"),
        sa.null().label("value"),
    )


def _items_per_meeting(f: Filters) -> sa.Subquery:
    """Discussed items of the meetings in the range: how many, how many of
    them standard of care, and their planned minutes (one grouped scan)."""
    query = (
        sa.select(
            AgendaItem.meeting_id,
            sa.func.count().label("cases"),
            sa.func.sum(
                sa.case((AgendaItem.standard_of_care.is_(True), 1), else_=0)
            ).label("soc_cases"),
            sa.func.sum(AgendaItem.planned_minutes).label("planned"),
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.status == AgendaItemStatus.DISCUSSED, *in_range(f))
        .group_by(AgendaItem.meeting_id)
    )
    return with_case_type(query, AgendaItem.case_id, f).subquery("per_meeting")


def meeting_load(f: Filters) -> sa.Select:
    timed = sa.and_(
        Meeting.started_at.is_not(None),
        Meeting.closed_at.is_not(None),
        Meeting.closed_at > Meeting.started_at,
    )
    items = _items_per_meeting(f)
    return (
        _closed_meetings(f)
        .outerjoin(items, items.c.meeting_id == Meeting.id)
        .add_columns(
            sa.case((timed, "timed"), else_="not_computable").label("outcome"),
            sa.null().label("value"),
            sa.func.coalesce(items.c.cases, 0).label("cases"),
            sa.func.coalesce(items.c.soc_cases, 0).label("soc_cases"),
            sa.func.coalesce(items.c.planned, 0).label("planned"),
            sa.case(
                (timed, minutes_between(Meeting.started_at, Meeting.closed_at)),
                else_=None,
            ).label("actual"),
        )
    )
