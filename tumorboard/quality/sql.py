"""Date arithmetic that SQLite and PostgreSQL spell differently, and the
cache of built statements.

Each construct compiles to one expression per dialect, so every indicator
stays one portable aggregate query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from tumorboard.db import today

Built = TypeVar("Built")


def built_once(builder: Callable[..., Built]) -> Callable[..., Built]:
    """Keep the statement ``builder`` returns for its (hashable) arguments and
    today's date (overdue is judged against today). Building an indicator's
    statement costs about as much as running it on a year of data; a
    statement is immutable once built, so threads share it safely, and one
    statement object also keeps its compiled form."""

    @functools.lru_cache(maxsize=128)
    def build(day, *args):
        del day  # part of the key only
        return builder(*args)

    @functools.wraps(builder)
    def cached(*args):
        return build(today(), *args)

    return cached


class days_between(FunctionElement):  # noqa: N801 (reads like a SQL function)
    """Whole days from the date of the first argument to that of the second
    (dates or UTC timestamps)."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    # SQLite keeps dates as 'YYYY-MM-DD' and timestamps as 'YYYY-MM-DD
    # HH:MM:SS.ffffff' text: the first ten characters are the date, which
    # is cheaper to cut than to parse with date().
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"CAST(julianday(substr({end}, 1, 10)) - julianday(substr({start}, 1, 10))"
        " AS INTEGER)"
    )


def _pg_date(arg, compiler, **kw) -> str:
    """The UTC date of a timestamp, or the date itself."""
    sql = compiler.process(arg, **kw)
    if arg.type._type_affinity is sa.DateTime:
        return f"CAST(({sql}) AT TIME ZONE 'UTC' AS DATE)"
    return f"CAST(({sql}) AS DATE)"


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    start, end = (_pg_date(arg, compiler, **kw) for arg in element.clauses)
    return f"({end} - {start})"


class minutes_between(FunctionElement):  # noqa: N801
    """Minutes (fractional) from the first UTC timestamp to the second."""

    type = sa.Float()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _minutes_pg(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 60.0)"


class month_of(FunctionElement):  # noqa: N801
    """``2026-03`` for a UTC timestamp."""

    type = sa.String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    (value,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"substr({value}, 1, 7)"


@compiles(month_of, "postgresql")
def _month_pg(element, compiler, **kw):
    (value,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"to_char(({value}) AT TIME ZONE 'UTC', 'YYYY-MM')"
