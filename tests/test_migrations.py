"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import PG_URL, pg_engine_options, pg_url, temporary_pg_schema
from tumorboard import create_app
from tumorboard.extensions import db


def _diff_after_upgrade(app) -> list:
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        return diff


def test_sqlite_upgrade_head_matches_models(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
        }
    )
    assert _diff_after_upgrade(app) == []
    with app.app_context():
        downgrade(revision="base")
        tables = sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
    assert tables == ["alembic_version"]


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
def test_postgresql_upgrade_head_matches_models():
    with temporary_pg_schema("tbmig") as schema:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": pg_url(),
                "SQLALCHEMY_ENGINE_OPTIONS": pg_engine_options(schema),
            }
        )
        try:
            assert _diff_after_upgrade(app) == []
            with app.app_context():
                downgrade(revision="base")
        finally:
            with app.app_context():
                db.engine.dispose()
