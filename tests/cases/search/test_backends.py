"""SQLite (FTS5) and PostgreSQL (GIN) return the same cases in the same order
for the same data and the same searches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import factories
from tests.conftest import (
    BASE_CONFIG,
    PG_URL,
    pg_engine_options,
    pg_url,
    temporary_pg_schema,
)
from tests.reviews.factories import make_review
from tumorboard import create_app
from tumorboard.cases import listing
from tumorboard.cases.search import MAX_QUERY_LENGTH
from tumorboard.extensions import db

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs TEST_DATABASE_URL to compare with PostgreSQL"
)

PATIENTS = [
    ("DEMO-100009", "Anna-Lena", "Müller"),
    ("DEMO-100010", "Anna Lena", "Muller"),
    ("AB-1", "Søren", "Østergaard"),
    ("A1-B", "Zoë", "O'Brien"),
    ("XY-2E5", "José", "García-Márquez"),
    ("BERG", "Ida", "Holm"),
    ("Q-77", "Ida", "Berg"),
]
CASES = [
    # patient index, site, question, pathology diagnosis
    (0, "C40.2", "Suspected osteosarcoma: biopsy route?", "conventional_osteosarcoma"),
    (1, "C41.2", "Osteosarcoma of T11, L2-L3 stenosis?", None),
    (2, "C40.0", "Lesion 2e5x of the humerus, NEAR the elbow?", "ewing_sarcoma"),
    (3, "C41.4", 'Sacral chordoma "AND" OR (not) *?', None),
    (4, "C40.3", "Calcaneal cyst: observation?", "simple_bone_cyst"),
    (5, "C41.3", "Rib lesion seen by Dr Bergman?", None),
    (6, "C40.2", "Distal femur: chondrosarcoma grade 2–3?", "metastasis"),
    (0, "C41.0", "Skull base lesion, 9180/3 on outside review?", None),
]
QUERIES = [
    "osteosarcoma femur",
    "osteosarcoma",
    "osteo",
    "femur",
    "tibia",
    "humerus",
    "vertebral",
    "mull",
    "MÜLLER anna",
    "anna lena muller",
    "DEMO100009",
    "demo-100 009",
    "demo 100",
    "demo",
    "ab-1",
    "a1",
    "ostergaard soren",
    "o'brien",
    "garcia marquez",
    "2e5",
    "2e5x",
    "l2-l3",
    "t11",
    "c40.2",
    "c41",
    "9180/3",
    "ewing",
    "berg",
    "near",
    "and or not",
    '"and"',
    "* : & | ! ( )",
    "chordoma AND",
    "tb-0000",
    "a",
    "1",
    "zzz",
]


def _load_fixtures() -> None:
    pathologist = factories.make_user("pathologist")
    patients = [
        factories.make_patient(
            mrn=mrn, given_name=given, family_name=family, birth_date=date(1970, 1, 1)
        )
        for mrn, given, family in PATIENTS
    ]
    for index, site, question, diagnosis in CASES:
        case = factories.make_case(
            patients[index], site_code=site, clinical_question=question
        )
        if diagnosis == "metastasis":
            make_review(
                case,
                "pathology",
                author=pathologist,
                who_entity="metastasis",
                primary_histology="Renal cell carcinoma",
                grade=None,
            )
        elif diagnosis:
            make_review(case, "pathology", author=pathologist, who_entity=diagnosis)
    db.session.commit()


@pytest.fixture(scope="module")
def databases() -> Iterator[dict[str, Flask]]:
    """The same fixtures on a SQLite file and in a PostgreSQL schema."""
    with ExitStack() as stack:
        schema = stack.enter_context(temporary_pg_schema("tbsearch"))
        apps = {
            "sqlite": create_app(
                {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
            ),
            "postgresql": create_app(
                {
                    **BASE_CONFIG,
                    "SQLALCHEMY_DATABASE_URI": pg_url(),
                    "SQLALCHEMY_ENGINE_OPTIONS": pg_engine_options(schema),
                }
            ),
        }
        for app in apps.values():
            with app.app_context():
                db.create_all()
                _load_fixtures()
        # An in-memory SQLite database lives as long as its pooled connection.
        yield apps
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def results(app: Flask, text: str) -> list[str]:
    """References of the cases found for ``text``, in rank order."""
    with app.app_context():
        stmt = listing.case_list_query(listing.CaseFilters(q=text))
        found = [f"TB-{c.id:05d}" for c in db.session.scalars(stmt).unique()]
        db.session.remove()
        return found


@pytest.mark.parametrize("text", QUERIES)
def test_both_databases_find_the_same_cases(databases, text):
    sqlite = results(databases["sqlite"], text)
    assert sqlite == results(databases["postgresql"], text)


def test_the_comparison_is_not_empty(databases):
    assert results(databases["sqlite"], "osteosarcoma femur") == ["TB-00001"]
    assert results(databases["sqlite"], "demo-100 009") == ["TB-00008", "TB-00001"]
    assert len(results(databases["sqlite"], "a")) == len(CASES)
    with databases["postgresql"].app_context():
        plan = db.session.execute(sa.text("SELECT count(*) FROM case_search")).scalar()
        assert plan == len(CASES)


@given(
    text=st.lists(
        st.sampled_from(
            [w for q in QUERIES for w in q.split()]
            + ["\x00", "ü", "-", ".", "/", "2", "e", "x", "'", '"', "*"]
        ),
        max_size=6,
    ).map(" ".join)
    | st.text(max_size=40)
)
@settings(max_examples=80, deadline=None)
def test_random_searches_agree(databases, text):
    text = text[:MAX_QUERY_LENGTH]
    assert results(databases["sqlite"], text) == results(databases["postgresql"], text)
