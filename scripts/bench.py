"""Benchmark the main pages against a database of synthetic cases.

Usage: ``python scripts/bench.py [--cases 20000] [--requests 50] [--database-url URL]``

Builds a throwaway database (SQLite file by default), fills it with synthetic
patients and cases in bulk, then times requests through the WSGI app in-process
and prints median and 95th-percentile latency and the SQL statements per
request. Nothing is asserted: the figures are for people to read.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tumorboard import create_app  # noqa: E402
from tumorboard.auth.passwords import hash_password  # noqa: E402
from tumorboard.cases.search import rebuild as rebuild_search  # noqa: E402
from tumorboard.clinical import catalogue  # noqa: E402
from tumorboard.extensions import db  # noqa: E402
from tumorboard.models import Case, Patient, User  # noqa: E402

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
    # Bulk inserts bypass the flush events that keep the search index.
    rebuild_search(db.session)
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
        ]
        print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'SQL':>5}")
        for path in pages:
            median, p95, count = measure(client, engine, path, args.requests)
            print(f"{path:40} {median:10.1f} {p95:8.1f} {count:5d}")
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
