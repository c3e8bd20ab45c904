"""The migration creates the full-text index and fills it for existing cases;
``flask search rebuild`` rewrites it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests import factories
from tests.conftest import BACKENDS
from tests.reviews.factories import make_review
from tests.test_migrations import empty_database
from tumorboard.auth import scope
from tumorboard.cases import listing
from tumorboard.cases.search import CaseSearch
from tumorboard.extensions import db


def search_plan(q: str) -> str:
    """The database's plan for the worklist search (sequential and plain index
    scans off on PostgreSQL, so a usable full-text index is always chosen over
    a small table)."""
    stmt = listing.case_list_query(listing.CaseFilters(q=q))
    compiled = stmt.compile(dialect=db.engine.dialect)
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        params = tuple(compiled.params[k] for k in compiled.positiontup)
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
        return "\n".join(row[-1] for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    # Nor a plain index scan of a sort index (the worklist's order), which a
    # tiny table would make cheaper than the full-text index's bitmap scan.
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    return "\n".join(row[0] for row in rows)


def uses_the_full_text_index(q: str) -> bool:
    plan = search_plan(q)
    if db.engine.dialect.name == "sqlite":
        return "case_search_fts VIRTUAL TABLE INDEX" in plan
    return "ix_case_search_document" in plan


def found(q: str) -> list[int]:
    stmt = listing.case_list_query(listing.CaseFilters(q=q))
    return [case.id for case in db.session.scalars(stmt).unique()]


def full_text_index_exists() -> bool:
    if db.engine.dialect.name == "sqlite":
        sql = "SELECT count(*) FROM sqlite_master WHERE name = 'case_search_fts'"
    else:
        sql = (
            "SELECT count(*) FROM pg_indexes "
            "WHERE indexname = 'ix_case_search_document' "
            "AND schemaname = current_schema()"
        )
    return db.session.execute(sa.text(sql)).scalar() == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_fills_the_index_for_existing_cases(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        assert full_text_index_exists()
        patient = factories.make_patient(
            mrn="DEMO-100009", given_name="Anna-Lena", family_name="Müller"
        )
        case = factories.make_case(
            patient, site_code="C40.2", clinical_question="Biopsy route?"
        )
        make_review(case, "pathology", who_entity="conventional_osteosarcoma")
        other = factories.make_case(site_code="C41.2")
        db.session.commit()
        case_id, other_id = case.id, other.id
        db.session.remove()

        downgrade(revision="e1f2a3b4c5d6")
        assert "case_search" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        assert full_text_index_exists()
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(CaseSearch)) == 2
        )
        for q in ("mull", "demo-100 009", "femur", "osteosarcoma femur", "9180/3"):
            assert found(q) == [case_id], q
        assert found("vertebral") == [other_id]
        assert uses_the_full_text_index("osteosarcoma femur")

        result = app.test_cli_runner().invoke(args=["search", "rebuild"])
        assert result.exit_code == 0, result.output
        assert "Search index rebuilt for 2 cases." in result.output
        assert found("osteosarcoma femur") == [case_id]
        db.session.remove()


def test_create_all_makes_the_full_text_index_too(app, make_case):
    assert full_text_index_exists()
    make_case()
    assert uses_the_full_text_index("osteosarcoma femur")
    assert uses_the_full_text_index("demo-100 009")


def names_index_rows() -> int:
    sql = (
        "SELECT count(*) FROM case_search_names_fts "
        "WHERE case_search_names_fts MATCH 'berg*'"
    )
    return db.session.execute(sa.text(sql)).scalar()


def test_upgrade_fills_sqlites_names_index_for_existing_cases(tmp_path):
    """SQLite reads the ranks of a search's matches from an FTS5 table of the
    names; the migration that adds it fills it for the cases already there,
    and its downgrade removes it with its triggers."""
    with empty_database("sqlite", tmp_path) as app, app.app_context():
        upgrade(revision="03212bc909b9")
        text = factories.make_case(clinical_question="Seen by Dr Bergman?")
        name = factories.make_case(factories.make_patient(family_name="Berg"))
        db.session.commit()
        text_id, name_id = text.id, name.id
        db.session.remove()

        upgrade()
        assert names_index_rows() == 1
        viewer = factories.make_user("coordinator")
        db.session.commit()
        with app.test_request_context():
            scope.remember_on_every_board(viewer.id, True)
            filters = listing.CaseFilters(q="berg", viewer_id=viewer.id)
            keys = db.session.execute(*listing.search_keys(filters)(0, 50)).all()
        assert keys == [(name_id, 2), (text_id, 2)]
        factories.make_case(factories.make_patient(given_name="Bergit"))
        db.session.commit()
        assert names_index_rows() == 2
        db.session.remove()

        downgrade(revision="03212bc909b9")
        objects = (
            db.session.execute(
                sa.text("SELECT name FROM sqlite_master WHERE name LIKE '%names%'")
            )
            .scalars()
            .all()
        )
        assert objects == []
        factories.make_case(factories.make_patient(family_name="Bergman"))
        db.session.commit()
        db.session.remove()
