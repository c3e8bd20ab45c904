"""The benchmark's database: the demo board grown to N cases.

``populate(n_cases)`` loads the demo data through the services (accounts,
32 cases in every status, discipline reviews and their revisions, two boards
with meetings, agendas, attendance, signed recommendations and action items,
and the audit entries all of that writes), then copies those rows in bulk
until there are ``n_cases`` cases: each copy gets its own patient, the
template case's reviews and revisions, a place on one of the boards' past
meetings (a year of weekly meetings at least, more when the boards' capacity
needs it) with the template's recommendation and action items when the
template was discussed, and 10 audit entries. Copied audit entries are not
sealed in the HMAC chain (``flask audit verify`` would name them).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa

from tumorboard import demo
from tumorboard.cases import status_counts
from tumorboard.cases.search import rebuild as rebuild_search
from tumorboard.extensions import db

#: Rows per INSERT statement.
BATCH = 2000
#: Audit entries per copied case.
AUDIT_PER_CASE = 10
GIVEN = ["Ana", "Ben", "Chen", "Dara", "Eli", "Farah", "Goran", "Hana", "Ivo"]


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def _rows(name: str, *where: sa.ColumnElement[bool]) -> list[dict]:
    table = _table(name)
    query = sa.select(table).where(*where).order_by(table.c.id)
    return [dict(row._mapping) for row in db.session.execute(query)]


class Ids:
    """Hands out explicit primary keys after the highest one in each table."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def next(self, name: str) -> int:
        if name not in self._next:
            table = _table(name)
            top = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
            self._next[name] = top + 1
        value = self._next[name]
        self._next[name] = value + 1
        return value


class Writer:
    """Buffers rows per table and inserts them in batches, parents first."""

    ORDER = (
        "patients",
        "cases",
        "discipline_reviews",
        "review_revisions",
        "meetings",
        "attendances",
        "agenda_items",
        "recommendations",
        "action_items",
        "audit_entries",
    )

    def __init__(self) -> None:
        self.pending: dict[str, list[dict]] = defaultdict(list)
        self.count = 0

    def add(self, name: str, row: dict) -> None:
        self.pending[name].append(row)
        self.count += 1
        if self.count >= BATCH * 4:
            self.flush()

    def flush(self) -> None:
        for name in self.ORDER:
            rows = self.pending.pop(name, [])
            for start in range(0, len(rows), BATCH):
                db.session.execute(sa.insert(_table(name)), rows[start : start + BATCH])
        self.count = 0
        db.session.commit()


def _by(rows: Iterable[dict], key: str) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def _past_meetings(writer: Writer, ids: Ids, n_items: int) -> list[list[int]]:
    """Weekly closed meetings before the demo's, per board, with attendance;
    returns each meeting's id once per free place, per board: a place at each
    meeting (newest first) before a second place at any, so that the
    discussions a small database holds are spread over the year, a few at
    each meeting, as a small centre's are, rather than filling its last
    weeks and leaving the months before empty."""
    meetings = _rows("meetings")
    attendance = _by(_rows("attendances"), "meeting_id")
    boards = _rows("boards")
    places: list[list[int]] = []
    first_start = min(m["starts_at"] for m in meetings)
    weeks = max(52, math.ceil(n_items / max(1, sum(b["capacity"] for b in boards))))
    for board in boards:
        own = [m for m in meetings if m["board_id"] == board["id"]]
        closed = [m for m in own if m["closed_at"] is not None] or own
        template = closed[0]
        held: list[int] = []
        for week in range(1, weeks + 1):
            shift = timedelta(weeks=week) + (template["starts_at"] - first_start)
            meeting_id = ids.next("meetings")
            row = {**template, "id": meeting_id, "status": "closed"}
            for column in (
                "starts_at",
                "ends_at",
                "published_at",
                "started_at",
                "closed_at",
                "created_at",
                "updated_at",
            ):
                if row.get(column) is not None:
                    row[column] = row[column] - shift
            row["closed_at"] = row["closed_at"] or row["ends_at"]
            writer.add("meetings", row)
            for present in attendance.get(template["id"], []):
                writer.add(
                    "attendances",
                    {
                        **present,
                        "id": ids.next("attendances"),
                        "meeting_id": meeting_id,
                    },
                )
            held.append(meeting_id)
        places.append(held * board["capacity"])
    return places


def populate(n_cases: int, seed: int = 42) -> dict[str, int]:
    """Load the demo board, then copy its cases until there are ``n_cases``."""
    demo.load()
    db.session.commit()
    rng = random.Random(seed)
    ids = Ids()
    writer = Writer()
    cases = _rows("cases")
    patients = {row["id"]: row for row in _rows("patients")}
    reviews = _by(_rows("discipline_reviews"), "case_id")
    revisions = _by(_rows("review_revisions"), "review_id")
    closed_meetings = {
        m["id"] for m in _rows("meetings") if m["status"] in ("closed", "in_progress")
    }
    items = {
        row["case_id"]: row
        for row in _rows("agenda_items")
        if row["meeting_id"] in closed_meetings and row["status"] == "discussed"
    }
    recommendations = _by(_rows("recommendations"), "agenda_item_id")
    actions = _by(_rows("action_items"), "recommendation_id")
    audit = _by(
        _rows("audit_entries", _table("audit_entries").c.case_id.isnot(None)), "case_id"
    )
    copies = max(0, n_cases - len(cases))
    discussed = sum(1 for k in range(copies) if cases[k % len(cases)]["id"] in items)
    places = _past_meetings(writer, ids, discussed)
    cursors = [0] * len(places)
    positions: dict[int, int] = defaultdict(int)

    for k in range(copies):
        template = cases[k % len(cases)]
        patient_id = ids.next("patients")
        writer.add(
            "patients",
            {
                **patients[template["patient_id"]],
                "id": patient_id,
                "mrn": f"B{k:08d}",
                "given_name": rng.choice(GIVEN),
                "family_name": f"Family{rng.randrange(50000):05d}",
            },
        )
        case_id = ids.next("cases")
        status = template["status"]
        if status == "listed" or (
            status == "discussed" and template["id"] not in items
        ):
            status = "ready"
        writer.add(
            "cases",
            {**template, "id": case_id, "patient_id": patient_id, "status": status},
        )
        for review in reviews.get(template["id"], []):
            review_id = ids.next("discipline_reviews")
            writer.add(
                "discipline_reviews", {**review, "id": review_id, "case_id": case_id}
            )
            for revision in revisions.get(review["id"], []):
                writer.add(
                    "review_revisions",
                    {
                        **revision,
                        "id": ids.next("review_revisions"),
                        "review_id": review_id,
                    },
                )
        item = items.get(template["id"])
        if item is not None:
            board = k % len(places)
            slots = places[board]
            meeting_id = slots[cursors[board] % len(slots)]
            cursors[board] += 1
            positions[meeting_id] += 1
            item_id = ids.next("agenda_items")
            writer.add(
                "agenda_items",
                {
                    **item,
                    "id": item_id,
                    "meeting_id": meeting_id,
                    "case_id": case_id,
                    "position": positions[meeting_id],
                    "carried_from_id": None,
                },
            )
            copied: dict[int, int] = {}
            for rec in recommendations.get(item["id"], []):
                rec_id = ids.next("recommendations")
                copied[rec["id"]] = rec_id
                writer.add(
                    "recommendations",
                    {
                        **rec,
                        "id": rec_id,
                        "agenda_item_id": item_id,
                        "case_id": case_id,
                        "supersedes_id": copied.get(rec["supersedes_id"]),
                        "current_key": item_id if rec["current_key"] else None,
                    },
                )
                for action in actions.get(rec["id"], []):
                    writer.add(
                        "action_items",
                        {
                            **action,
                            "id": ids.next("action_items"),
                            "recommendation_id": rec_id,
                        },
                    )
        entries = audit.get(template["id"]) or []
        for n in range(AUDIT_PER_CASE if entries else 0):
            entry = entries[n % len(entries)]
            writer.add(
                "audit_entries",
                {
                    **entry,
                    "id": ids.next("audit_entries"),
                    "case_id": case_id,
                    "patient_id": patient_id if entry["patient_id"] else None,
                    "entity_id": str(case_id)
                    if entry["entity_type"] == "case"
                    else entry["entity_id"],
                    "at": entry["at"] - timedelta(minutes=k),
                    "mac": None,
                },
            )
    writer.flush()
    _fix_sequences()
    # Bulk inserts bypass the flush events that keep the search index and
    # the numbers of cases by status.
    rebuild_search(db.session)
    status_counts.recount(db.session)
    db.session.commit()
    _settle()
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(_table(name)))
        for name in ("cases", "discipline_reviews", "meetings", "agenda_items")
        + ("recommendations", "action_items", "audit_entries")
    }


def _settle() -> None:
    """Statistics for the query planner and, on PostgreSQL, the visibility
    map that index-only scans need, as a database in service has them
    (autovacuum would gather them some time after a bulk load)."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.connect().execution_options(
        isolation_level="AUTOCOMMIT"
    ) as connection:
        connection.execute(sa.text(f"VACUUM (ANALYZE) {names}"))


def _fix_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids given explicitly."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in Writer.ORDER:
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {name}))"
            )
        )
    db.session.commit()
