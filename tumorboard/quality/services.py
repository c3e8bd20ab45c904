"""Compute the indicators, their monthly trends and breakdowns; audit the read.

Counts come from one GROUP BY (month, outcome) per indicator, or per family
of indicators sharing one scan on the dashboard (``shared_counts``). Percentiles:
SQLite has no ``percentile_cont``, so for interval indicators the query also
groups by the interval, the database returns each month's intervals sorted
with their counts, and the median and 90th percentile are picked by rank
(docs/quality.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_read_quality,
    can_see_indicator,
)
from tumorboard.errors import NotFound
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    Board,
    Meeting,
)
from tumorboard.quality import rows as rows_module
from tumorboard.quality.breakdowns import BREAKDOWNS
from tumorboard.quality.filters import Filters
from tumorboard.quality.indicators import BY_KEY, INDICATORS, Indicator
from tumorboard.quality.sql import built_once

REFUSED = "Only clinicians and the coordinator see the quality indicators."
HIDDEN = "This indicator is shown to the coordinator and to chairs only."


def median(values: list[float]) -> float | None:
    """The middle value of sorted ``values`` (mean of the two middle ones)."""
    n = len(values)
    if not n:
        return None
    middle = n // 2
    return values[middle] if n % 2 else (values[middle - 1] + values[middle]) / 2


def percentile(values: list[float], p: int) -> float | None:
    """Nearest-rank percentile of sorted ``values``: the value at rank
    ceil(p/100 × n)."""
    if not values:
        return None
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[rank - 1]


@dataclass
class Month:
    """One month of an indicator's trend."""

    month: str
    numerator: int = 0
    denominator: int = 0
    excluded: int = 0
    median: float | None = None
    p90: float | None = None
    #: Load: cases discussed, and per-case minutes planned and actual.
    cases: int = 0
    planned: float | None = None
    actual: float | None = None

    @property
    def share(self) -> float | None:
        """Numerator / denominator, None without a denominator."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class Figure:
    """An indicator computed for one set of filters."""

    indicator: Indicator
    total: Month
    months: list[Month]
    #: (outcome, label, count) in display order.
    outcomes: list[tuple[str, str, int]]
    #: Further detail: (part for the drill-down or None, label, count).
    breakdown: list[tuple[str | None, str, int]] = field(default_factory=list)
    breakdown_title: str = ""

    @property
    def key(self) -> str:
        return self.indicator.key


def visible_indicators(actor: User) -> list[Indicator]:
    """The indicators ``actor`` may see (management ones for the coordinator
    and for clinicians who chair meetings)."""
    authorize(can_read_quality(actor), REFUSED)
    chairs = _chairs(actor)
    return [i for i in INDICATORS if can_see_indicator(actor, i.audience, chairs)]


def _chairs(actor: User) -> bool:
    return (
        db.session.scalar(
            sa.select(Meeting.id).where(Meeting.chair_id == actor.id).limit(1)
        )
        is not None
    )


def indicator_for(actor: User, key: str) -> Indicator:
    """The indicator named ``key`` if ``actor`` may see it."""
    authorize(can_read_quality(actor), REFUSED)
    indicator = BY_KEY.get(key)
    if indicator is None:
        raise NotFound("There is no such indicator.")
    authorize(can_see_indicator(actor, indicator.audience, _chairs(actor)), HIDDEN)
    return indicator


@built_once
def _grouped_query(key: str, filters: Filters) -> sa.Select:
    """(month, outcome[, interval], count) of indicator ``key``: one query."""
    indicator = BY_KEY[key]
    rows = indicator.rows(filters).subquery("rows")
    columns = [rows.c.month, rows.c.outcome]
    if indicator.kind == "interval":
        columns.append(rows.c.value)
    return sa.select(*columns, sa.func.count()).group_by(*columns).order_by(*columns)


def shared_counts(
    indicators: list[Indicator], filters: Filters
) -> dict[str, list[tuple]]:
    """The grouped rows of every indicator that belongs to a family (see
    ``rows.FAMILIES``), one scan per family: grouped by month, every member's
    outcome and every interval member's value, then tallied per indicator."""
    families: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        family = getattr(indicator.rows, "family", None)
        if family is not None:
            families.setdefault(family, []).append(indicator)
    result: dict[str, list[tuple]] = {}
    for family, members in families.items():
        query = _family_counts(family, tuple(m.key for m in members), filters)
        grouped = db.session.execute(query).all()
        tallies: dict[str, dict[tuple, int]] = {m.key: {} for m in members}
        for month, *cells, count in grouped:
            cells = iter(cells)
            for member in members:
                outcome = next(cells)
                key = (month, outcome)
                if member.kind == "interval":
                    key = (month, outcome, next(cells))
                if outcome is not None:
                    tally = tallies[member.key]
                    tally[key] = tally.get(key, 0) + count
        for key, tally in tallies.items():
            result[key] = [
                (*group, n)
                for group, n in sorted(
                    tally.items(), key=lambda pair: tuple(map(_sortable, pair[0]))
                )
            ]
    return result


@built_once
def _family_counts(family: str, keys: tuple[str, ...], filters: Filters) -> sa.Select:
    """The grouped count query of a family's scan for the indicators ``keys``."""
    scan = rows_module.FAMILIES[family](filters).subquery("family")
    columns = [scan.c.month]
    for key in keys:
        columns.append(scan.c[key])
        if BY_KEY[key].kind == "interval":
            columns.append(scan.c[f"{key}_value"])
    return sa.select(*columns, sa.func.count()).group_by(*columns)


def _sortable(value):
    """Sort key that puts None first and keeps numbers numeric."""
    return (value is not None, value if value is not None else 0)


def _months(
    grouped: list[tuple], indicator: Indicator
) -> tuple[dict[str, Month], dict[str, int], dict[str, list]]:
    """Counts by month and by outcome over the whole range, and for intervals
    the measured values of each month, sorted (they come grouped by month,
    outcome and interval, with their counts)."""
    months: dict[str, Month] = {}
    by_outcome: dict[str, int] = {}
    values: dict[str, list] = {}
    for month, outcome, *value, count in grouped:
        if value and outcome in indicator.numerator:
            values.setdefault(month, []).extend(value * count)
        by_outcome[outcome] = by_outcome.get(outcome, 0) + count
        m = months.setdefault(month, Month(month))
        if outcome in indicator.excluded:
            m.excluded += count
            continue
        m.denominator += count
        if outcome in indicator.numerator:
            m.numerator += count
    return months, by_outcome, values


def _outcome_counts(months_rows, indicator: Indicator) -> list[tuple[str, str, int]]:
    return [
        (outcome, label, months_rows.get(outcome, 0))
        for outcome, label in indicator.outcomes.items()
    ]


def compute(
    indicator: Indicator, filters: Filters, grouped: list[tuple] | None = None
) -> Figure:
    """The indicator's totals, monthly trend and breakdown under ``filters``
    (from ``grouped`` rows already counted, when given). The row query is
    built only when it is read: building it costs as much as running it on a
    year of data."""
    if indicator.kind == "load":
        return _compute_load(indicator, filters)
    if grouped is None:
        grouped = db.session.execute(_grouped_query(indicator.key, filters)).all()
    months, by_outcome, values = _months(grouped, indicator)
    total = Month(
        "all",
        numerator=sum(m.numerator for m in months.values()),
        denominator=sum(m.denominator for m in months.values()),
        excluded=sum(m.excluded for m in months.values()),
    )
    if indicator.kind == "interval":
        everything = sorted(v for mine in values.values() for v in mine)
        total.median = median(everything)
        total.p90 = percentile(everything, 90)
        for month, m in months.items():
            mine = values.get(month, [])
            m.median, m.p90 = median(mine), percentile(mine, 90)
    figure = Figure(
        indicator,
        total,
        list(months.values()),
        _outcome_counts(by_outcome, indicator),
    )
    breakdown_of = BREAKDOWNS.get(indicator.key)
    if breakdown_of is not None:
        figure.breakdown_title, figure.breakdown = breakdown_of(filters)
    return figure


@built_once
def _load_query(key: str, filters: Filters) -> sa.Select:
    rows = BY_KEY[key].rows(filters).subquery("rows")
    return (
        sa.select(
            rows.c.month,
            rows.c.outcome,
            sa.func.count(),
            sa.func.sum(rows.c.cases),
            sa.func.sum(rows.c.soc_cases),
            sa.func.sum(rows.c.planned),
            sa.func.sum(rows.c.actual),
        )
        .group_by(rows.c.month, rows.c.outcome)
        .order_by(rows.c.month)
    )


def _compute_load(indicator: Indicator, filters: Filters) -> Figure:
    grouped = db.session.execute(_load_query(indicator.key, filters)).all()
    months: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for month, outcome, meetings, cases, soc, planned, actual in grouped:
        counts[outcome] = counts.get(outcome, 0) + meetings
        for bucket in (months.setdefault(month, {}), totals):
            bucket["meetings"] = bucket.get("meetings", 0) + meetings
            bucket["cases"] = bucket.get("cases", 0) + float(cases or 0)
            bucket["soc"] = bucket.get("soc", 0) + float(soc or 0)
            bucket["planned"] = bucket.get("planned", 0) + float(planned or 0)
            if outcome == "timed":
                bucket["timed_cases"] = bucket.get("timed_cases", 0) + float(cases or 0)
                bucket["actual"] = bucket.get("actual", 0) + float(actual or 0)
            else:
                bucket["untimed"] = bucket.get("untimed", 0) + meetings

    def as_month(name: str, b: dict[str, float]) -> Month:
        cases = int(b.get("cases", 0))
        timed = b.get("timed_cases", 0)
        return Month(
            name,
            numerator=cases,
            denominator=int(b.get("meetings", 0)),
            excluded=int(b.get("untimed", 0)),
            cases=int(b.get("soc", 0)),
            planned=b.get("planned", 0) / cases if cases else None,
            actual=b.get("actual", 0) / timed if timed else None,
        )

    return Figure(
        indicator,
        as_month("all", totals),
        [as_month(name, b) for name, b in months.items()],
        _outcome_counts(counts, indicator),
    )


def dashboard(actor: User, filters: Filters) -> list[Figure]:
    """Every indicator ``actor`` may see, computed; the read is audited."""
    visible = visible_indicators(actor)
    shared = shared_counts(visible, filters)
    figures = [compute(i, filters, shared.get(i.key)) for i in visible]
    audit.record(
        actor,
        "quality.read",
        "quality",
        "dashboard",
        f"Viewed the quality dashboard ({len(figures)} indicators, "
        f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y})",
        changes={"query": filters.query_args()},
    )
    return figures


def boards() -> list[Board]:
    """Every board, for the filter."""
    return list(db.session.scalars(sa.select(Board).order_by(Board.name)))
