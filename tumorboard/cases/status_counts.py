"""How many cases are in each status, kept as the cases change.

The coordinator's pipeline shows the cases of each status of the board's
work. Counting them means reading every open case (tens of thousands in a
network's shared service) on every visit to My work; this table holds the
numbers instead. The flush that inserts a case, changes its status or
deletes it changes the numbers in the same transaction, so they are exactly
what a count would give, and they roll back with it.

Rows written around the ORM (a bulk load, an operator's SQL) are not
counted: :func:`recount` (``flask cases recount``) counts them all again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from tumorboard.audit.chain import lock_chain
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import prebuilt
from tumorboard.extensions import db

_DELTAS = "case_status_counts.deltas"


class CaseStatusCount(db.Model):
    """The number of cases in one status."""

    __tablename__ = "case_status_counts"

    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    cases: Mapped[int] = mapped_column(default=0)


def by_status(statuses: Iterable[CaseStatus]) -> dict[CaseStatus, int]:
    """The number of cases in each of ``statuses`` (one small query)."""
    wanted = [CaseStatus(s) for s in statuses]
    rows = db.session.execute(_counts(), {"statuses": [s.value for s in wanted]}).all()
    found = {CaseStatus(status): cases for status, cases in rows}
    return {status: found.get(status, 0) for status in wanted}


@prebuilt
def _counts() -> sa.Select:
    return sa.select(CaseStatusCount.status, CaseStatusCount.cases).where(
        CaseStatusCount.status.in_(sa.bindparam("statuses", expanding=True))
    )


def recount(session: Session) -> dict[CaseStatus, int]:
    """Count every case again (after a bulk load or changes made outside
    the application); returns the new numbers."""
    session.flush()
    table = CaseStatusCount.__table__
    session.execute(table.delete())
    counted = session.execute(
        sa.select(Case.status, sa.func.count()).group_by(Case.status)
    ).all()
    if counted:
        session.execute(
            table.insert(),
            [{"status": CaseStatus(s).value, "cases": n} for s, n in counted],
        )
    return {CaseStatus(s): n for s, n in counted}


def _status_of(value) -> str | None:
    return None if value is None else CaseStatus(value).value


@event.listens_for(Session, "after_flush")
def _collect(session: Session, flush_context) -> None:
    """Note how this flush moved cases between statuses."""
    deltas: Counter[str] = Counter()
    for obj in session.new:
        if isinstance(obj, Case) and obj.status is not None:
            deltas[_status_of(obj.status)] += 1
    for obj in session.dirty:
        if isinstance(obj, Case):
            history = sa.inspect(obj).attrs.status.history
            if history.has_changes():
                for old in history.deleted:
                    if old is not None:
                        deltas[_status_of(old)] -= 1
                for new in history.added:
                    if new is not None:
                        deltas[_status_of(new)] += 1
    for obj in session.deleted:
        if isinstance(obj, Case):
            history = sa.inspect(obj).attrs.status.history
            for old in history.unchanged or history.deleted:
                if old is not None:
                    deltas[_status_of(old)] -= 1
    if any(deltas.values()):
        session.info.setdefault(_DELTAS, Counter()).update(deltas)


@event.listens_for(Session, "after_flush_postexec")
def _apply(session: Session, flush_context) -> None:
    """Write the noted changes, one status at a time in a fixed order.

    The numbers' rows stay locked until the transaction ends, like the audit
    chain that every change of a case also writes to. The chain's lock is
    taken first, so that every transaction takes the two in the same order
    (the chain, then the statuses in order) and none waits for another that
    waits for it."""
    deltas: Counter[str] | None = session.info.pop(_DELTAS, None)
    if not deltas:
        return
    lock_chain(session.connection())
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CaseStatusCount.__table__
    for status in sorted(deltas):
        change = deltas[status]
        if not change:
            continue
        stmt = insert(table).values(status=status, cases=change)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.status],
                set_={"cases": table.c.cases + stmt.excluded.cases},
            )
        )
