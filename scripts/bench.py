"""Benchmark the main pages against a database of synthetic cases.

Usage: ``python scripts/bench.py [--cases 20000] [--requests 50] [--database-url URL]``

Builds a throwaway database (SQLite file by default), fills it with synthetic
patients and cases in bulk, then times requests through the WSGI app in-process
and prints median and 95th-percentile latency and the SQL statements per
request. Nothing is asserted: the figures are for people to read.
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tumorboard import create_app  # noqa: E402
from tumorboard.auth.passwords import hash_password  # noqa: E402
from tumorboard.cases.search import rebuild as rebuild_search  # noqa: E402
from tumorboard.clinical import catalogue  # noqa: E402
from tumorboard.extensions import db  # noqa: E402
from tumorboard.models import (  # noqa: E402
    AgendaItem,
    Board,
    Case,
    Meeting,
    Patient,
    Recommendation,
    User,
)

PASSWORD = "benchmark-password"


def populate(n_cases: int) -> None:
    """Insert users, ``n_cases`` patients and one case each, in bulk."""
    rng = random.Random(42)
    db.session.add_all(
        [
            User(
                email="coord@bench.test",
                name="Bench Coordinator",
                role="coordinator",
                password_hash=hash_password(PASSWORD),
            ),
            *[
                User(
                    email=f"ortho{i}@bench.test",
                    name=f"Dr Ortho {i}",
                    role="orthopedic_oncologist",
                    password_hash="x",
                )
                for i in range(10)
            ],
        ]
    )
    db.session.flush()
    leads = list(
        db.session.scalars(sa.select(User.id).where(User.role != "coordinator"))
    )
    sites = [t.code for t in catalogue.TOPOGRAPHIES]
    statuses = ["referred", "workup", "ready", "listed", "follow_up", "closed"]
    today = date.today()
    batch = 5000
    for start in range(0, n_cases, batch):
        size = min(batch, n_cases - start)
        db.session.execute(
            sa.insert(Patient),
            [
                {
                    "mrn": f"B{start + i:08d}",
                    "given_name": rng.choice(["Ana", "Ben", "Chen", "Dara", "Eli"]),
                    "family_name": f"Family{rng.randrange(50000):05d}",
                    "birth_date": date(1940, 1, 1)
                    + timedelta(days=rng.randrange(25000)),
                    "sex": rng.choice(["female", "male"]),
                }
                for i in range(size)
            ],
        )
        first_id = db.session.scalar(
            sa.select(Patient.id).where(Patient.mrn == f"B{start:08d}")
        )
        db.session.execute(
            sa.insert(Case),
            [
                {
                    "patient_id": first_id + i,
                    "case_type": "primary_bone_tumour",
                    "site_code": rng.choice(sites),
                    "laterality": "left",
                    "presentation": "Synthetic presentation.",
                    "clinical_question": "Synthetic question?",
                    "referral_source": "internal",
                    "referring_clinician": "Dr Bench",
                    "referral_date": today - timedelta(days=rng.randrange(700)),
                    "urgency": rng.choice(["routine", "urgent", "emergency"]),
                    "biopsy_status": "not_biopsied",
                    "status": rng.choice(statuses),
                    "lead_clinician_id": rng.choice(leads),
                }
                for i in range(size)
            ],
        )
        db.session.commit()
    populate_history(rng, leads[0])
    # Bulk inserts bypass the flush events that keep the search index.
    rebuild_search(db.session)
    db.session.commit()


def populate_history(rng: random.Random, chair_id: int) -> None:
    """Two weekly boards over the last two years, closed meetings, and one
    discussion with a signed recommendation for every case past discussion
    (a second one for a tenth of them): what the quality dashboard reads."""
    boards = [
        Board(
            name=name,
            kind=kind,
            required_disciplines=["radiology", "pathology"],
            weekday=weekday,
            start_time=clock(16, 0),
            timezone="UTC",
            duration_minutes=120,
            minutes_per_case=10,
            capacity=400,
        )
        for name, kind, weekday in (
            ("Bench sarcoma board", "bone_sarcoma", 1),
            ("Bench metastasis board", "skeletal_metastasis", 3),
        )
    ]
    db.session.add_all(boards)
    db.session.flush()
    today = date.today()
    first = today - timedelta(days=728)
    meetings = []
    for week in range(104):
        for board in boards:
            day = first + timedelta(days=7 * week + board.weekday)
            starts = datetime.combine(day, clock(16, 0), tzinfo=UTC)
            quorate = rng.random() > 0.1
            meetings.append(
                {
                    "board_id": board.id,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "status": "closed",
                    "chair_id": chair_id,
                    "is_quorate": quorate,
                    "missing_disciplines": [] if quorate else ["pathology"],
                    "started_at": starts,
                    "closed_at": starts + timedelta(minutes=rng.randrange(60, 150)),
                }
            )
    db.session.execute(sa.insert(Meeting), meetings)
    held = db.session.execute(
        sa.select(Meeting.id, Meeting.starts_at).order_by(Meeting.starts_at)
    ).all()
    cases = db.session.execute(
        sa.select(Case.id, Case.referral_date).where(
            Case.status.in_(["follow_up", "closed"])
        )
    ).all()
    items, recs = [], []
    next_item = (db.session.scalar(sa.select(sa.func.max(AgendaItem.id))) or 0) + 1
    days = [starts.date() for _, starts in held]
    for case_id, referred in cases:
        # One of the next eight meetings after the referral (a second one
        # later for a tenth of the cases).
        first = bisect.bisect_left(days, referred) + rng.randrange(8)
        chosen = held[first : first + 1]
        if rng.random() < 0.1:
            chosen += held[first + 8 : first + 9]
        for position, (meeting_id, starts) in enumerate(chosen, start=1):
            items.append(
                {
                    "id": next_item,
                    "meeting_id": meeting_id,
                    "case_id": case_id,
                    "position": position,
                    "question": "Synthetic question?",
                    "planned_minutes": 10,
                    "status": "discussed",
                    "discussed_at": starts,
                    "standard_of_care": rng.random() < 0.15,
                }
            )
            done = rng.random()
            recs.append(
                {
                    "agenda_item_id": next_item,
                    "case_id": case_id,
                    "current_key": next_item,
                    "state": "signed",
                    "conference_type": "pre_therapeutic",
                    "intent": "curative",
                    "types": [{"code": "surgery", "detail": "limb_salvage"}],
                    "start_by": starts.date() + timedelta(days=21),
                    "signed_by_id": chair_id,
                    "signed_at": starts + timedelta(days=rng.randrange(0, 5)),
                    "implementation_status": "completed"
                    if done < 0.7
                    else "not_started",
                    "implementation_date": starts.date()
                    + timedelta(days=rng.randrange(3, 40))
                    if done < 0.7
                    else None,
                }
            )
            next_item += 1
    for start in range(0, len(items), 5000):
        db.session.execute(sa.insert(AgendaItem), items[start : start + 5000])
        db.session.execute(sa.insert(Recommendation), recs[start : start + 5000])
    db.session.commit()


def measure(client, engine, path: str, n: int) -> tuple[float, float, int]:
    """Median and p95 milliseconds, and statements per request, for GET ``path``."""
    statements = []

    def on_execute(*args) -> None:
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    timings = []
    for _ in range(n):
        statements.clear()
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    sa.event.remove(engine, "before_cursor_execute", on_execute)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            populate(args.cases)
            print(
                f"populated {args.cases} cases in {time.perf_counter() - started:.1f} s"
            )
            case_id = db.session.scalar(sa.select(sa.func.max(Case.id)))
            engine = db.engine
        client = app.test_client()
        client.post("/login", data={"email": "coord@bench.test", "password": PASSWORD})
        pages = [
            "/cases/",
            "/cases/?page=50",
            "/cases/?sort=urgency",
            "/cases/?status=ready&urgency=urgent",
            "/cases/?q=Family12",
            "/cases/?q=B0000123",
            "/cases/?q=femur",
            f"/cases/{case_id}",
            "/patients/?q=family99",
            # A year of indicators (the default range), beside the worklist.
            "/quality/",
        ]
        print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'SQL':>5}")
        medians = {}
        for path in pages:
            median, p95, count = measure(client, engine, path, args.requests)
            medians[path] = median
            print(f"{path:40} {median:10.1f} {p95:8.1f} {count:5d}")
        ratio = medians["/quality/"] / medians["/cases/"]
        print(f"quality dashboard / worklist (median): {ratio:.1f}x (target <= 3x)")
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
