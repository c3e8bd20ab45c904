"""Case search names index: SQLite's FTS5 table of patients' names and index of MRN keys

Revision ID: 1c2fe29ae581
Revises: 03212bc909b9
Create Date: 2026-12-02 17:00:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '1c2fe29ae581'
down_revision = '03212bc909b9'
branch_labels = None
depends_on = None

NAMES_DDL = [
    "CREATE VIRTUAL TABLE case_search_names_fts USING fts5(names, "
    "content='case_search', content_rowid='case_id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER case_search_names_fts_insert AFTER INSERT ON case_search BEGIN "
    "INSERT INTO case_search_names_fts(rowid, names) "
    "VALUES (new.case_id, new.names); END",
    "CREATE TRIGGER case_search_names_fts_delete AFTER DELETE ON case_search BEGIN "
    "INSERT INTO case_search_names_fts(case_search_names_fts, rowid, names) "
    "VALUES ('delete', old.case_id, old.names); END",
    "CREATE TRIGGER case_search_names_fts_update AFTER UPDATE ON case_search BEGIN "
    "INSERT INTO case_search_names_fts(case_search_names_fts, rowid, names) "
    "VALUES ('delete', old.case_id, old.names); "
    "INSERT INTO case_search_names_fts(rowid, names) "
    "VALUES (new.case_id, new.names); END",
    "CREATE INDEX ix_case_search_mrn_key ON case_search (mrn_key)",
    # Fills the new table from the rows already there.
    "INSERT INTO case_search_names_fts(case_search_names_fts) VALUES ('rebuild')",
]


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for statement in NAMES_DDL:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute("DROP INDEX IF EXISTS ix_case_search_mrn_key")
    for event in ('insert', 'delete', 'update'):
        op.execute(f"DROP TRIGGER IF EXISTS case_search_names_fts_{event}")
    op.execute("DROP TABLE IF EXISTS case_search_names_fts")
