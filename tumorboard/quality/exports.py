"""What lies behind a figure: the drill-down list and the CSV by month."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Permission, has_permission
from tumorboard.cases.models import Case
from tumorboard.errors import NotFound
from tumorboard.extensions import db
from tumorboard.meetings.models import Board, Meeting
from tumorboard.patients.models import Patient
from tumorboard.quality.filters import Filters
from tumorboard.quality.indicators import Indicator
from tumorboard.quality.services import compute, indicator_for
from tumorboard.recommendations.models import DeviationReason, Recommendation

#: Longest drill-down list shown on one page.
DRILL_LIMIT = 500


def _part_condition(indicator: Indicator, rows: sa.Subquery, part: str):
    if part == "numerator":
        return rows.c.outcome.in_(indicator.numerator)
    if part == "denominator":
        return (
            rows.c.outcome.not_in(indicator.excluded)
            if indicator.excluded
            else (sa.true())
        )
    if part == "excluded":
        return rows.c.outcome.in_(indicator.excluded)
    if part == "all":
        return sa.true()
    if part in indicator.outcomes:
        return rows.c.outcome == part
    if part.startswith("missing:") and indicator.key == "quorum":
        discipline = part.split(":", 1)[1]
        if discipline in {d.value for d in Discipline}:
            return sa.and_(
                rows.c.outcome == "not_quorate",
                sa.cast(Meeting.missing_disciplines, sa.Text()).like(
                    f'%"{discipline}"%'
                ),
            )
    if part.startswith("deviation:") and indicator.key == "implementation":
        reason = part.split(":", 1)[1]
        if reason in {r.value for r in DeviationReason}:
            return sa.and_(
                rows.c.outcome == "deviated",
                sa.exists().where(
                    Recommendation.case_id == rows.c.subject_id,
                    Recommendation.state == "signed",
                    Recommendation.deviation_reason == reason,
                ),
            )
    raise NotFound("This figure has no such part; choose one on the dashboard.")


def part_label(indicator: Indicator, part: str) -> str:
    """What a drill-down lists, in words."""
    if part == "numerator":
        return ", ".join(indicator.outcomes[o] for o in indicator.numerator)
    if part == "denominator":
        return "Counted in the figure"
    if part == "excluded":
        return "Not computable (excluded from the figure)"
    if part == "all":
        return "Every " + ("meeting" if indicator.subject == "meetings" else "case")
    if part in indicator.outcomes:
        return indicator.outcomes[part]
    if part.startswith("missing:"):
        return f"Not quorate, missing {Discipline(part[8:]).label.lower()}"
    if part.startswith("deviation:"):
        return f"Deviated: {DeviationReason(part[10:]).label}"
    return part


@dataclass
class Drilldown:
    """The subjects behind one part of a figure."""

    indicator: Indicator
    part: str
    label: str
    total: int
    cases: list[tuple[Case, str]] = field(default_factory=list)
    meetings: list[tuple[Meeting, str]] = field(default_factory=list)


def drilldown(actor: User, key: str, part: str, filters: Filters) -> Drilldown:
    """The cases (or meetings) behind ``part`` of indicator ``key``; a list
    read, audited with the ids shown."""
    indicator = indicator_for(actor, key)
    rows = indicator.rows(filters).subquery("rows")
    condition = _part_condition(indicator, rows, part)
    result = Drilldown(indicator, part, part_label(indicator, part), 0)
    if indicator.subject == "meetings":
        found = db.session.execute(
            sa.select(Meeting, Board, rows.c.outcome)
            .join(rows, rows.c.subject_id == Meeting.id)
            .join(Board, Board.id == Meeting.board_id)
            .where(condition)
            .order_by(Meeting.starts_at.desc())
            .limit(DRILL_LIMIT + 1)
        ).all()
        for meeting, board, outcome in found[:DRILL_LIMIT]:
            set_committed_value(meeting, "board", board)
            result.meetings.append((meeting, indicator.outcomes[outcome]))
        result.total = len(found)
        audit.record(
            actor,
            "quality.list",
            "quality",
            indicator.key,
            f"Viewed the meetings behind {indicator.title.lower()} "
            f"({len(result.meetings)} meetings)",
            changes={
                "query": {**filters.query_args(), "part": part},
                "meeting_ids": [m.id for m, _ in result.meetings],
            },
        )
        return result
    found = db.session.execute(
        sa.select(Case, Patient, sa.func.min(rows.c.outcome))
        .join(rows, rows.c.subject_id == Case.id)
        .join(Patient, Patient.id == Case.patient_id)
        .where(condition)
        .group_by(Case.id, Patient.id)
        .order_by(Case.id.desc())
        .limit(DRILL_LIMIT + 1)
    ).all()
    # Only the cases of the reader's work are listed (one query for the page).
    readable = scope.readable_ids(actor.id, [case.id for case, _, _ in found])
    for case, patient, outcome in found[:DRILL_LIMIT]:
        set_committed_value(case, "patient", patient)
        if has_permission(actor, Permission.CASE_READ) and case.id in readable:
            result.cases.append((case, indicator.outcomes[outcome]))
    result.total = len(found)
    audit.record_list(
        actor,
        "quality.list",
        f"the cases behind {indicator.title.lower()}",
        {**filters.query_args(), "indicator": indicator.key, "part": part},
        case_ids=[c.id for c, _ in result.cases],
        patient_ids=[c.patient_id for c, _ in result.cases],
    )
    return result


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_export(actor: User, key: str, filters: Filters) -> tuple[str, str]:
    """The indicator by month as CSV (file name, text); refused for an
    indicator ``actor`` may not see; audited."""
    indicator = indicator_for(actor, key)
    figure = compute(indicator, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    if indicator.kind == "load":
        writer.writerow(
            [
                "month",
                "meetings",
                "cases discussed",
                "standard-of-care cases",
                "meetings without times",
                "planned minutes per case",
                "actual minutes per case",
            ]
        )
        for m in [*figure.months, figure.total]:
            writer.writerow(
                [
                    m.month,
                    m.denominator,
                    m.numerator,
                    m.cases,
                    m.excluded,
                    _number(m.planned),
                    _number(m.actual),
                ]
            )
    elif indicator.kind == "interval":
        writer.writerow(
            ["month", "measured", "not computable", "median days", "90th percentile"]
        )
        for m in [*figure.months, figure.total]:
            writer.writerow(
                [
                    m.month,
                    m.denominator,
                    m.excluded,
                    _number(m.median),
                    _number(m.p90, 0),
                ]
            )
    else:
        writer.writerow(
            ["month", "numerator", "denominator", "not computable", "percent"]
        )
        for m in [*figure.months, figure.total]:
            share = None if m.share is None else m.share * 100
            writer.writerow(
                [m.month, m.numerator, m.denominator, m.excluded, _number(share)]
            )
    audit.record(
        actor,
        "quality.download",
        "quality",
        indicator.key,
        f"Downloaded {indicator.title.lower()} by month as CSV",
        changes={"query": filters.query_args()},
    )
    name = f"{indicator.key}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return name, out.getvalue()


def ids_query_args(filters: Filters, **extra: Any) -> dict[str, Any]:
    """URL arguments for links keeping the filters."""
    return {**filters.query_args(), **extra}
