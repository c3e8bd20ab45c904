"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import BACKENDS, pg_engine_options, pg_url, temporary_pg_schema
from tumorboard import create_app, demo
from tumorboard.cases.models import Case
from tumorboard.db import include_name
from tumorboard.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@contextmanager
def empty_database(backend: str, tmp_path: Path) -> Iterator:
    """An app on a new, empty database of ``backend`` (dropped afterwards)."""
    if backend == "sqlite":
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
            }
        )
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()
        return
    with temporary_pg_schema("tbmig") as schema:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": pg_url(),
                "SQLALCHEMY_ENGINE_OPTIONS": pg_engine_options(schema),
            }
        )
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_head_matches_models_and_downgrades_to_base(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    # Full-text tables and indexes made by DDL beside the models.
                    "include_name": include_name,
                },
            )
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_head_makes_the_audit_log_append_only(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_entries (at, action, entity_type, entity_id,"
                    " summary, changes) VALUES (CURRENT_TIMESTAMP, 'test.write',"
                    " 'test', '1', 'A test entry', '{}')"
                )
            )
        for statement in (
            "UPDATE audit_entries SET summary = 'changed'",
            "DELETE FROM audit_entries",
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text(statement))
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT summary FROM audit_entries")) == (
                "A test entry"
            )


def test_migrations_do_not_import_the_application():
    for path in MIGRATIONS.glob("*.py"):
        text = path.read_text()
        assert "import tumorboard" not in text, path.name
        assert "from tumorboard" not in text, path.name


def _insert_before_the_location(conn) -> None:
    """A patient, a user and two cases as the last released schema (c4a1d2e3f405)
    had them; the second case has a pathology review."""
    now = "2026-11-30 09:00:00"
    conn.execute(
        sa.text(
            "INSERT INTO patients (id, mrn, given_name, family_name, birth_date,"
            " sex, version, created_at, updated_at) VALUES (1, 'MIG0001', 'Ada',"
            " 'Migrated', '1970-02-03', 'female', 1, :now, :now)"
        ),
        {"now": now},
    )
    conn.execute(
        sa.text(
            "INSERT INTO users (id, email, name, role, password_hash, is_active,"
            " login_id, version, created_at, updated_at) VALUES (1,"
            " 'path@example.org', 'Dr Path', 'pathologist', 'x', :yes, 'login-1',"
            " 1, :now, :now)"
        ),
        {"now": now, "yes": True},
    )
    for case_id, site in ((1, "C40.2"), (2, "C41.4")):
        conn.execute(
            sa.text(
                "INSERT INTO cases (id, patient_id, case_type, site_code, laterality,"
                " presentation, clinical_question, referral_source,"
                " referring_clinician, referral_date, urgency, biopsy_status,"
                " status, status_changed_at, version, created_at, updated_at)"
                " VALUES (:id, 1, 'primary_bone_tumour', :site, 'left',"
                " 'Knee pain.', 'Biopsy route?', 'internal', 'Dr Old',"
                " '2026-11-20', 'urgent', 'done_at_centre', 'workup', :now, 3,"
                " :now, :now)"
            ),
            {"id": case_id, "site": site, "now": now},
        )
    conn.execute(
        sa.text(
            "INSERT INTO discipline_reviews (id, case_id, discipline, current_number,"
            " version, created_at, updated_at) VALUES (1, 2, 'pathology', 2, 1,"
            " :now, :now)"
        ),
        {"now": now},
    )
    for number, entity in ((1, "non_diagnostic"), (2, "ewing_sarcoma")):
        conn.execute(
            sa.text(
                "INSERT INTO review_revisions (review_id, number, author_id, data,"
                " scores, changes, created_at) VALUES (1, :number, 1, :data, '{}',"
                " '{}', :now)"
            ),
            {
                "number": number,
                "data": json.dumps({"who_entity": entity}),
                "now": now,
            },
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_cases_keep_their_topography_and_are_flagged_for_the_bone(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade(revision="c4a1d2e3f405")
        with db.engine.begin() as conn:
            _insert_before_the_location(conn)
        upgrade(revision="e1f2a3b4c5d6")
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT id, site_code, bone, bone_segment, working_diagnosis,"
                    " confirmed_diagnosis, version FROM cases ORDER BY id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, "C40.2", None, None, None, None, 3),
            # The current pathology revision's diagnosis, not the first one's.
            (2, "C41.4", None, None, None, "ewing_sarcoma", 3),
        ]
        # Read through today's models, which need the head's columns.
        upgrade()
        first, second = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
        assert first.location_to_complete and second.location_to_complete
        assert first.location_label == (
            "Long bones of lower limb and associated joints, left"
        )
        assert second.diagnosis_label == "Ewing sarcoma (confirmed)"
        db.session.remove()
        # The new invariants hold in the migrated database too.
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "UPDATE cases SET bone = 'femur', bone_end = 'distal',"
                        " bone_segment = 'diaphysis' WHERE id = 1"
                    )
                )
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE cases SET bone_end = 'distal'"))
        downgrade(revision="c4a1d2e3f405")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM cases")) == 2
            assert "bone" not in {
                c["name"] for c in sa.inspect(conn).get_columns("cases")
            }


def test_sqlite_enforces_foreign_keys_again_after_the_location_migration(tmp_path):
    with empty_database("sqlite", tmp_path) as app, app.app_context():
        upgrade(revision="c4a1d2e3f405")
        with db.engine.begin() as conn:
            _insert_before_the_location(conn)
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_agenda_items_learn_which_have_their_recommendation(backend, tmp_path):
    """3c952deaa510 sets the flag of every item with a recommendation: the
    demo board, loaded at the head, is taken back before the flag and
    migrated again."""
    flagged_sql = sa.text(
        "SELECT id FROM agenda_items WHERE has_recommendation ORDER BY id"
    )
    decided_sql = sa.text(
        "SELECT DISTINCT agenda_item_id FROM recommendations ORDER BY agenda_item_id"
    )
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        demo.load()
        db.session.commit()
        db.session.remove()
        with db.engine.connect() as conn:
            decided = conn.scalars(decided_sql).all()
            assert conn.scalars(flagged_sql).all() == decided
            undecided = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM agenda_items WHERE NOT has_recommendation"
                )
            )
        assert decided and undecided
        downgrade(revision="8817c8edabfd")
        upgrade()
        with db.engine.connect() as conn:
            assert conn.scalars(flagged_sql).all() == decided
