"""Indicator statements are built once per filters and day, and rebuilt the
next day (overdue is judged against today)."""

from __future__ import annotations

from datetime import date

from tumorboard.quality import sql
from tumorboard.quality.filters import Filters


def test_a_statement_is_kept_per_arguments_and_day(monkeypatch):
    built = []

    @sql.built_once
    def statement(filters: Filters):
        built.append(filters)
        return object()

    day = date(2026, 3, 2)
    monkeypatch.setattr(sql, "today", lambda: day)
    year = Filters(start=date(2025, 3, 3), end=date(2026, 3, 2))
    board = Filters(start=date(2025, 3, 3), end=date(2026, 3, 2), board_id=4)
    first = statement(year)
    assert statement(year) is first
    assert statement(board) is not first
    assert built == [year, board]

    day = date(2026, 3, 3)
    assert statement(year) is not first
    assert built == [year, board, year]
