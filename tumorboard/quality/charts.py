"""Bar charts of an indicator's monthly trend, laid out for inline SVG.

The template draws what this computes (no JavaScript, no chart library); the
numbers are also in a table beside each chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tumorboard.quality.services import Figure, Month

WIDTH, HEIGHT = 360, 160
LEFT, BOTTOM, TOP = 34, 22, 8


@dataclass(frozen=True)
class Bar:
    """One month's bar."""

    x: float
    y: float
    width: float
    height: float
    label: str
    text: str


@dataclass(frozen=True)
class Chart:
    """What the SVG shows: bars, the y-axis maximum and its unit."""

    bars: list[Bar]
    maximum: float
    unit: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM
    top: int = TOP

    @property
    def plot_height(self) -> int:
        return self.height - self.bottom - self.top

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


def month_value(figure: Figure, month: Month) -> float | None:
    """The number a month's bar shows: percent, median days or cases per meeting."""
    kind = figure.indicator.kind
    if kind == "share":
        return None if month.share is None else month.share * 100
    if kind == "interval":
        return month.median
    return month.numerator / month.denominator if month.denominator else None


def unit_of(figure: Figure) -> str:
    """How the chart's numbers read."""
    return {"share": "%", "interval": "days (median)", "load": "cases per meeting"}[
        figure.indicator.kind
    ]


def _nice_max(value: float, percent: bool) -> float:
    if percent:
        return 100.0
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def month_label(month: str) -> str:
    """``2026-03`` → ``Mar 26``."""
    year, number = month.split("-")
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{names[int(number) - 1]} {year[2:]}"


def chart(figure: Figure) -> Chart:
    """The bar chart of ``figure``'s monthly trend."""
    percent = figure.indicator.kind == "share"
    values = [(m, month_value(figure, m)) for m in figure.months]
    biggest = max((v for _, v in values if v is not None), default=0.0)
    maximum = _nice_max(biggest, percent)
    count = max(len(values), 1)
    slot = (WIDTH - LEFT - 4) / count
    plot = HEIGHT - BOTTOM - TOP
    bars = []
    for index, (month, value) in enumerate(values):
        height = 0.0 if value is None else plot * value / maximum
        text = "no data" if value is None else f"{value:.0f}"
        bars.append(
            Bar(
                x=LEFT + index * slot + slot * 0.15,
                y=HEIGHT - BOTTOM - height,
                width=slot * 0.7,
                height=height,
                label=month_label(month.month),
                text=text,
            )
        )
    return Chart(bars, maximum, unit_of(figure))
