"""The dashboard's filters: a date range of meetings, a board, a case type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tumorboard.cases.models import CaseType
from tumorboard.errors import InvalidInput

#: Longest range the dashboard computes at once (ten years).
MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class Filters:
    """Which meetings count: held from ``start`` to ``end`` (both days
    included, UTC), of one board or all, for one case type or both."""

    start: date
    end: date
    board_id: int | None = None
    case_type: str | None = None

    @property
    def starts_at(self) -> datetime:
        """The first instant of the range."""
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        """The first instant after the range."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def query_args(self) -> dict[str, str]:
        """The filters as URL parameters (for links to drill-downs and CSV)."""
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.board_id:
            args["board"] = str(self.board_id)
        if self.case_type:
            args["case_type"] = self.case_type
        return args


def default_filters(today: date) -> Filters:
    """The last twelve months up to ``today``."""
    return Filters(start=today - timedelta(days=364), end=today)


def _date(value: Any, field: str, label: str) -> date:
    if isinstance(value, date):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"Enter the {label} date.", field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"The {label} date must be a date such as 2026-03-31.", field
        ) from None


def clean_filters(data: dict[str, Any], board_ids: set[int]) -> Filters:
    """Validated filters from form data; raises InvalidInput naming the field."""
    start = _date(data.get("start"), "start", "start")
    end = _date(data.get("end"), "end", "end")
    if end < start:
        raise InvalidInput(
            f"The range ends ({end:%d %b %Y}) before it starts ({start:%d %b %Y}).",
            "end",
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput("Choose a range of at most ten years.", "end")
    board = data.get("board") or None
    board_id = None
    if board not in (None, ""):
        try:
            board_id = int(board)
        except (TypeError, ValueError):
            board_id = -1
        if board_id not in board_ids:
            raise InvalidInput("Choose a board from the list.", "board")
    case_type = data.get("case_type") or None
    if case_type is not None and case_type not in {t.value for t in CaseType}:
        raise InvalidInput("Choose a case type from the list.", "case_type")
    return Filters(start=start, end=end, board_id=board_id, case_type=case_type)
