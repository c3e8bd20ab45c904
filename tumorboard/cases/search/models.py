"""The case search index: one row of folded words per case, and the full-text
index over it (SQLite FTS5, PostgreSQL GIN)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tumorboard.db import DDL_ONLY_NAMES
from tumorboard.extensions import db

#: The SQLite FTS5 table mirroring ``case_search.document`` (external content,
#: kept in step by triggers), and the PostgreSQL expression index.
FTS_TABLE = "case_search_fts"
GIN_INDEX = "ix_case_search_document"
PG_FUNCTION = "case_search_words"
#: SQLite: the FTS5 table of the patients' names alone, and the index of the
#: MRN keys, which read the ranks of a search's matches (``search.ranked_keys``).
NAMES_FTS_TABLE = "case_search_names_fts"
MRN_INDEX = "ix_case_search_mrn_key"
DDL_ONLY_NAMES.update({FTS_TABLE, GIN_INDEX, NAMES_FTS_TABLE, MRN_INDEX})

#: SQLite: the names' FTS5 table, kept in step like the document's, and the
#: MRN keys' index.
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
]

#: DDL per dialect; the migration repeats these statements (it cannot import
#: them). Written out in full rather than formatted from the names above.
SEARCH_DDL = {
    "sqlite": [
        "CREATE VIRTUAL TABLE case_search_fts USING fts5(document, "
        "content='case_search', content_rowid='case_id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        "CREATE TRIGGER case_search_fts_insert AFTER INSERT ON case_search BEGIN "
        "INSERT INTO case_search_fts(rowid, document) "
        "VALUES (new.case_id, new.document); END",
        "CREATE TRIGGER case_search_fts_delete AFTER DELETE ON case_search BEGIN "
        "INSERT INTO case_search_fts(case_search_fts, rowid, document) "
        "VALUES ('delete', old.case_id, old.document); END",
        "CREATE TRIGGER case_search_fts_update AFTER UPDATE ON case_search BEGIN "
        "INSERT INTO case_search_fts(case_search_fts, rowid, document) "
        "VALUES ('delete', old.case_id, old.document); "
        "INSERT INTO case_search_fts(rowid, document) "
        "VALUES (new.case_id, new.document); END",
        *NAMES_DDL,
    ],
    "postgresql": [
        # The words as lexemes, exactly as stored (no parser, so both databases
        # split them alike). A PL/pgSQL function, because its declared cost
        # steers the planner to the index: the built-in expression is costed as
        # nearly free, and a sequential scan computing it for every row is not.
        "CREATE OR REPLACE FUNCTION case_search_words(document text) RETURNS "
        "tsvector LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$ "
        "BEGIN RETURN array_to_tsvector(string_to_array(document, ' ')); END $$",
        "CREATE INDEX ix_case_search_document ON case_search "
        "USING gin (case_search_words(document))",
    ],
}
assert all(
    FTS_TABLE in statement or NAMES_FTS_TABLE in statement or MRN_INDEX in statement
    for statement in SEARCH_DDL["sqlite"]
) and all(PG_FUNCTION in statement for statement in SEARCH_DDL["postgresql"])


class CaseSearch(db.Model):
    """The words a case is found by, rebuilt from the case, its patient and the
    sources other features register (see ``cases.search.text``)."""

    __tablename__ = "case_search"

    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    #: The patient's MRN without dashes or spaces, lower case ("demo100009"):
    #: an exact match ranks first.
    mrn_key: Mapped[str] = mapped_column(sa.String(20))
    #: The patient's folded names ("anna lena muller"): matches rank second.
    names: Mapped[str] = mapped_column(sa.String(250))
    #: Every searchable word of the case, folded (``clinical.search_terms``).
    document: Mapped[str] = mapped_column(sa.Text)


def create_search_index(connection) -> None:
    """Create the full-text index for the connection's dialect."""
    for statement in SEARCH_DDL.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


@sa.event.listens_for(CaseSearch.__table__, "after_create")
def _after_create(target, connection, **kw) -> None:
    create_search_index(connection)


@sa.event.listens_for(CaseSearch.__table__, "before_drop")
def _before_drop(target, connection, **kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {NAMES_FTS_TABLE}")


@sa.event.listens_for(CaseSearch.__table__, "after_drop")
def _after_drop(target, connection, **kw) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}(text)")
