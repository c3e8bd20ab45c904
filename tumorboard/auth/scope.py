"""Access follows the work: which cases a person reads without breaking the glass.

A person reads a case's clinical record when they work on it:

- they are a member of the board the case is referred to, or of a board
  whose meeting has listed it (in any agenda state);
- they are its lead clinician or its key worker;
- they have written a revision of one of its discipline reviews, or an
  annotation on it (not while holding a break-glass grant on it);
- they were recorded present at a meeting with the case on its agenda.

The board's coordinators are members of the board. Outside this scope a
case shows its reference, board and status only; the clinical record needs
a break-glass grant (:mod:`tumorboard.auth.breakglass`). Administrators and
privacy officers never read clinical records.

The rule is one SQL expression over the ``cases`` table, correlated to the
query it filters, so lists, counts and search apply the same rule as a case
page. It first asks, once per statement, whether the person sits on every
board: then every case is theirs and no case is tested on its own (and a
request that already knows it says so as a constant).
:func:`reference_scope` states the rule again in plain Python for the tests
to check the SQL against. Tables are looked up by name: the tables of the
layers above (meetings, reviews, annotations) are not imported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context

from tumorboard.db import utcnow
from tumorboard.extensions import db


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def board_ids_of(user_id: int) -> sa.Select:
    """The boards ``user_id`` is a member of."""
    members = _table("board_members")
    return sa.select(members.c.board_id).where(members.c.user_id == user_id)


def on_every_board(user: int | sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """True when ``user`` (an id, or a column of users' ids) is a member of
    every board, inactive ones included. Every case belongs to a board, so
    such a person (the coordinator of a centre's boards, say) has every case
    in scope.

    For an id the test names no column of the query it is put in: the
    database answers it once per statement, and a count or list over many
    cases then skips the tests of each case. When the request already knows
    the answer for that id (:func:`remember_on_every_board`, from the
    sign-in check of each request) it is a constant, and the database plans
    a plain count."""
    if isinstance(user, int):
        known = _every_board_memo().get(user)
        if known is not None:
            return sa.true() if known else sa.false()
    boards = _table("boards")
    members = _table("board_members")
    theirs = (
        sa.select(members.c.board_id)
        .where(members.c.user_id == user)
        .correlate_except(members)
    )
    return ~sa.exists().where(boards.c.id.not_in(theirs)).correlate_except(boards)


def has_every_case(user_id: int) -> bool:
    """Whether this request already knows that ``user_id`` sits on every
    board (and so has every case in scope); False when it does not know."""
    return bool(_every_board_memo().get(user_id))


def remember_on_every_board(user_id: int, value: bool) -> None:
    """Record for this request whether ``user_id`` sits on every board."""
    if has_request_context():
        _every_board_memo()[user_id] = bool(value)


def _every_board_memo() -> dict[int, bool]:
    if not has_request_context():
        return {}
    return g.setdefault("on_every_board", {})


def in_scope(user_id: int) -> sa.ColumnElement[bool]:
    """True for the rows of ``cases`` that ``user_id`` reads without asking."""
    if has_every_case(user_id):
        return sa.true()
    cases = _table("cases")
    items = _table("agenda_items")
    meetings = _table("meetings")
    attendances = _table("attendances")
    reviews = _table("discipline_reviews")
    revisions = _table("review_revisions")
    annotations = _table("annotations")
    boards = board_ids_of(user_id)
    return sa.or_(
        on_every_board(user_id),
        cases.c.board_id.in_(boards),
        cases.c.lead_clinician_id == user_id,
        cases.c.key_worker_id == user_id,
        sa.exists()
        .where(items.c.case_id == cases.c.id)
        .where(meetings.c.id == items.c.meeting_id, meetings.c.board_id.in_(boards)),
        sa.exists()
        .where(items.c.case_id == cases.c.id)
        .where(
            attendances.c.meeting_id == items.c.meeting_id,
            attendances.c.user_id == user_id,
            attendances.c.present.is_(True),
        ),
        sa.exists()
        .where(reviews.c.case_id == cases.c.id)
        .where(
            revisions.c.review_id == reviews.c.id,
            revisions.c.author_id == user_id,
            ~_under_grant(user_id, reviews.c.case_id, revisions.c.created_at),
        ),
        sa.exists().where(
            annotations.c.case_id == cases.c.id,
            annotations.c.author_id == user_id,
            ~_under_grant(user_id, annotations.c.case_id, annotations.c.created_at),
        ),
    )


def _under_grant(
    user_id: int, case_id: sa.ColumnElement, written_at: sa.ColumnElement
) -> sa.ColumnElement[bool]:
    """True when ``user_id`` wrote something on case ``case_id`` while holding
    a break-glass grant on that case: a note or review written under a grant
    does not bring its author into the case's scope once the grant has
    ended."""
    grants = _table("break_glass_grants")
    return sa.exists().where(
        grants.c.case_id == case_id,
        grants.c.user_id == user_id,
        grants.c.granted_at <= written_at,
        grants.c.expires_at > written_at,
    )


def covers(user_id: int, case_id: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """True where the case ``case_id`` (a column of another table) is in
    ``user_id``'s scope, tested for that case alone: an ``IN`` over the
    scope's cases would test every case of the database."""
    if has_every_case(user_id):
        return sa.true()
    cases = _table("cases")
    return sa.or_(
        on_every_board(user_id),
        sa.exists()
        .where(cases.c.id == case_id, in_scope(user_id))
        .correlate_except(cases),
    )


def readable(user_id: int) -> sa.ColumnElement[bool]:
    """True for the rows of ``cases`` that ``user_id`` reads: in scope, or
    under a running break-glass grant."""
    if has_every_case(user_id):
        return sa.true()
    cases = _table("cases")
    grants = _table("break_glass_grants")
    return sa.or_(
        in_scope(user_id),
        sa.exists().where(
            grants.c.case_id == cases.c.id,
            grants.c.user_id == user_id,
            grants.c.expires_at > utcnow(),
        ),
    )


def patient_readable(user_id: int, registers: bool = False) -> sa.ColumnElement[bool]:
    """True for the rows of ``patients`` with a case ``user_id`` reads; and,
    for those who register patients (``registers``), the patients with no
    case yet, whose first case is being registered."""
    patients = _table("patients")
    cases = _table("cases")
    of_patient = cases.c.patient_id == patients.c.id
    readable_case = sa.exists().where(of_patient, readable(user_id))
    if not registers:
        return readable_case
    return sa.or_(readable_case, ~sa.exists().where(of_patient))


def sits_at(user_id: int, meeting: Any) -> bool:
    """Whether ``user_id`` sits on the meeting's board, chairs it or was
    recorded present at it: those who may read its agenda."""
    if meeting.chair_id == user_id:
        return True
    memo = _memo()
    key = (user_id, -meeting.id)
    if key not in memo:
        attendances = _table("attendances")
        memo[key] = bool(
            db.session.scalar(
                sa.select(
                    sa.or_(
                        sa.literal(meeting.board_id).in_(board_ids_of(user_id)),
                        sa.exists().where(
                            attendances.c.meeting_id == meeting.id,
                            attendances.c.user_id == user_id,
                            attendances.c.present.is_(True),
                        ),
                    )
                )
            )
        )
    return memo[key]


def _memo() -> dict[tuple[int, int], bool]:
    if not has_request_context():
        return {}
    if "case_scope" not in g:
        g.case_scope = {}
    return g.case_scope


def scoped_ids(user_id: int, case_ids: Iterable[int]) -> set[int]:
    """Which of ``case_ids`` are in ``user_id``'s scope: one query for a page
    of cases, remembered for the rest of the request."""
    wanted = {int(i) for i in case_ids}
    if has_every_case(user_id):
        return wanted
    memo = _memo()
    unknown = {i for i in wanted if (user_id, i) not in memo}
    if unknown:
        cases = _table("cases")
        found = set(
            db.session.scalars(
                sa.select(cases.c.id).where(cases.c.id.in_(unknown), in_scope(user_id))
            )
        )
        for case_id in unknown:
            memo[(user_id, case_id)] = case_id in found
    return {i for i in wanted if memo[(user_id, i)]}


@dataclass(frozen=True)
class Grant:
    """A running break-glass grant, as the rule and the audit need it."""

    id: int
    user_id: int
    case_id: int
    reason: str
    expires_at: datetime


def remember_grant(grant: Grant) -> None:
    """Flag this request's audit entries about the case with the grant, and
    show the banner (``g.break_glass``: case id -> Grant)."""
    if has_request_context():
        g.setdefault("break_glass", {})[grant.case_id] = grant


def running_grant(user_id: int, case_id: int) -> Grant | None:
    """``user_id``'s unexpired break-glass grant on the case, if any."""
    if has_request_context():
        known = g.get("break_glass", {}).get(case_id)
        if known is not None and known.user_id == user_id:
            return known
    grants = _table("break_glass_grants")
    row = db.session.execute(
        sa.select(grants.c.id, grants.c.reason, grants.c.expires_at)
        .where(
            grants.c.user_id == user_id,
            grants.c.case_id == case_id,
            grants.c.expires_at > utcnow(),
        )
        .order_by(grants.c.expires_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    grant = Grant(row.id, user_id, case_id, row.reason, row.expires_at)
    remember_grant(grant)
    return grant


def readable_ids(user_id: int, case_ids: Iterable[int]) -> set[int]:
    """Which of ``case_ids`` ``user_id`` reads: in scope or under a running
    grant (one query, and a second for the cases out of scope)."""
    wanted = {int(i) for i in case_ids}
    readable = scoped_ids(user_id, wanted)
    outside = wanted - readable
    if outside:
        grants = _table("break_glass_grants")
        rows = db.session.execute(
            sa.select(
                grants.c.id, grants.c.case_id, grants.c.reason, grants.c.expires_at
            )
            .where(
                grants.c.user_id == user_id,
                grants.c.case_id.in_(outside),
                grants.c.expires_at > utcnow(),
            )
            .order_by(grants.c.expires_at)
        )
        for row in rows:
            remember_grant(
                Grant(row.id, user_id, row.case_id, row.reason, row.expires_at)
            )
            readable.add(row.case_id)
    return readable


def may_read_case(user_id: int, case_id: int) -> bool:
    """In scope, or under a running grant (the permission is checked apart)."""
    return bool(scoped_ids(user_id, [case_id])) or (
        running_grant(user_id, case_id) is not None
    )


def forget() -> None:
    """Drop what this request remembered (after a change of membership,
    lead or key worker within the request)."""
    if has_request_context():
        g.pop("case_scope", None)
        g.pop("on_every_board", None)


@dataclass
class Facts:
    """What :func:`reference_scope` looks at, as plain data (for tests)."""

    case_board: int
    lead_clinician: int | None = None
    key_worker: int | None = None
    #: (board of the meeting, people recorded present) per agenda listing.
    listings: list[tuple[int, set[int]]] = field(default_factory=list)
    review_authors: set[int] = field(default_factory=set)
    annotation_authors: set[int] = field(default_factory=set)


def reference_scope(user_id: int, boards: set[int], facts: Facts) -> bool:
    """The rule of this module in plain Python: the SQL must agree with it."""
    return (
        facts.case_board in boards
        or user_id in (facts.lead_clinician, facts.key_worker)
        or any(board in boards for board, _ in facts.listings)
        or any(user_id in present for _, present in facts.listings)
        or user_id in facts.review_authors
        or user_id in facts.annotation_authors
    )
