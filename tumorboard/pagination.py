"""Numbered pages of a list whose deep pages stay cheap.

``db.paginate`` applies ``OFFSET`` to the whole SELECT: to show page 1,200 of
the case list the database reads, joins and throws away 60,000 wide rows with
their patients and clinicians. :func:`paginate` asks first for the page's
keys alone (the skipped rows are read off the sort index), then loads those
rows with their joins and eager loads, in the same order. Two statements for
the items whatever the page, plus the count. When the caller knows the
number of rows (``total``), a page past the middle is read from the other
end in the opposite order, so the fewer rows are skipped.

A list whose order no single index gives can pass its own ``keys`` (a
function of offset and limit returning the SELECT of the page's keys and
its parameters, so that the SELECT can be built once) and
``counted`` (the rows to count, without the joins that only sort them);
a ``keys`` SELECT whose second column is the number of rows of the whole
list (``count(*) OVER ()``) counts them in the same scan. A
list whose filters could lead the database to read an index of the filter
rather than the page's keys (SQLite reads every case of a status to find
fifty of them by id) passes ``rows``: its entity with the loader options
alone, which the page's keys are looked up in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy.sql import operators

from tumorboard.extensions import db


class KeyFirstPagination(SelectPagination):
    """A :class:`SelectPagination` that pages over the keys first."""

    #: The number of rows, when the page's key query counted them.
    _counted_with_keys: int | None = None

    def _query_items(self) -> list[Any]:
        select: sa.Select = self._query_args["select"]
        key = self._query_args["key"]
        session = self._query_args["session"]
        keys_for = self._query_args["keys"]
        if keys_for is None:
            keys_select = select.with_only_columns(key, maintain_column_froms=True)
            parameters = {}
            backwards = self._from_the_end(keys_select)
            if backwards is not None:
                return self._load(backwards[::-1])
            keys_select = keys_select.limit(self.per_page).offset(self._query_offset)
        else:
            keys_select, parameters = keys_for(self._query_offset, self.per_page)
        result = session.execute(keys_select, parameters)
        counted = len(result.keys()) > 1
        found = result.all()
        keys = [row[0] for row in found]
        if counted and found:
            self._counted_with_keys = found[0][1]
        elif counted and not self._query_offset:
            self._counted_with_keys = 0
        return self._load(keys)

    def _from_the_end(self, keys_select: sa.Select) -> list[Any] | None:
        """The page's keys read from the other end of the list, in reverse,
        for a page past the middle of a list whose size is known (the skipped
        rows are then the fewer); None otherwise, or when the order cannot be
        reversed."""
        total = self._query_args["total"]
        offset = self._query_offset
        if total is None or offset <= total // 2:
            return None
        order = _reversed(keys_select._order_by_clauses)
        if order is None:
            return None
        remaining = max(0, total - offset)
        session = self._query_args["session"]
        return session.scalars(
            keys_select.order_by(None)
            .order_by(*order)
            .limit(min(self.per_page, remaining))
            .offset(max(0, total - offset - self.per_page))
        ).all()

    def _load(self, keys: list[Any]) -> list[Any]:
        """The rows of ``keys``, in their order."""
        key = self._query_args["key"]
        session = self._query_args["session"]
        select: sa.Select = self._query_args["select"]
        # Run even for an empty page, so that a page costs the same number
        # of statements whatever it holds.
        loaded = self._query_args["rows"]
        if loaded is None:
            loaded = select
        rows = session.execute(loaded.where(key.in_(keys)).order_by(None))
        position = {value: n for n, value in enumerate(keys)}
        return sorted(
            rows.unique().scalars(), key=lambda row: position[getattr(row, key.key)]
        )

    def _query_count(self) -> int:
        if self._query_args["total"] is not None:
            return self._query_args["total"]
        if self._counted_with_keys is not None:
            return self._counted_with_keys
        counted: sa.Select | None = self._query_args["counted"]
        if counted is None:
            return super()._query_count()
        sub = counted.order_by(None).subquery()
        session = self._query_args["session"]
        return session.execute(sa.select(sa.func.count()).select_from(sub)).scalar()


def _reversed(order: Sequence[sa.ColumnElement]) -> list[sa.ColumnElement] | None:
    """The opposite of the ORDER BY ``order`` (ascending for descending and
    the other way round), which puts NULLs at the opposite end too on both
    databases; None when it is empty or names where NULLs go."""
    if not order:
        return None
    flipped = []
    for clause in order:
        modifier = getattr(clause, "modifier", None)
        if modifier is operators.desc_op:
            flipped.append(clause.element.asc())
        elif modifier is operators.asc_op:
            flipped.append(clause.element.desc())
        elif modifier is None and not isinstance(clause, sa.UnaryExpression):
            flipped.append(clause.desc())
        else:
            return None
    return flipped


def paginate(
    select: sa.Select,
    key: Any,
    *,
    page: int | None = None,
    per_page: int | None = None,
    max_per_page: int | None = 100,
    error_out: bool = True,
    keys: Callable[[int, int], tuple[sa.Select, dict[str, Any]]] | None = None,
    counted: sa.Select | None = None,
    rows: sa.Select | None = None,
    total: int | None = None,
) -> KeyFirstPagination:
    """Like ``db.paginate(select, ...)`` for a SELECT of one entity, whose
    primary key ``key`` (a mapped column, e.g. ``Case.id``) names its rows.
    ``keys(offset, limit)`` replaces the page's key query, ``counted`` the
    rows counted and ``rows`` the SELECT the page's rows are loaded with
    (see the module's docstring); ``total``, when the caller knows it
    without counting, is the number of rows."""
    return KeyFirstPagination(
        select=select,
        key=key,
        keys=keys,
        counted=counted,
        rows=rows,
        total=total,
        session=db.session(),
        page=page,
        per_page=per_page,
        max_per_page=max_per_page,
        error_out=error_out,
    )
