"""Reading the search box: typed text → words → a full-text condition and a rank.

Every word must start a word of the case (AND of prefixes). SQLite answers
from its FTS5 table, PostgreSQL from a GIN index over the same words; both see
exactly the words ``clinical.search_terms.fold_words`` made, so they return the
same cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from tumorboard.cases.search.models import (
    FTS_TABLE,
    NAMES_FTS_TABLE,
    PG_FUNCTION,
    CaseSearch,
)
from tumorboard.cases.search.text import MAX_WORD_LENGTH
from tumorboard.clinical.search_terms import code_word, fold_words
from tumorboard.db import prebuilt
from tumorboard.errors import InvalidInput

#: Longest search accepted, in characters (the search box and the service).
MAX_QUERY_LENGTH = 200

#: The PostgreSQL index expression; queries repeat it so the planner uses the index.
PG_DOCUMENT = getattr(sa.func, PG_FUNCTION)(CaseSearch.document)


@dataclass(frozen=True)
class SearchQuery:
    """The words of a search, ready for either database."""

    words: tuple[str, ...]
    #: The letters and digits typed, run together, when the search may be an
    #: MRN or a reference typed with spaces or dashes ("demo-100 009").
    joined: str
    #: Everything typed as an MRN key, for the exact-MRN rank.
    mrn: str

    @property
    def fts5(self) -> str:
        """SQLite FTS5 MATCH expression: quoted prefixes, so nothing typed is
        read as FTS syntax."""
        terms = " AND ".join(f'"{w}"*' for w in self.words)
        return f'({terms}) OR "{self.joined}"*' if self.joined else terms

    @property
    def names_fts5(self) -> str:
        """SQLite FTS5 MATCH expression of the names' table: every word starts
        one of the patient's names (``rank`` 1)."""
        return " AND ".join(f'"{w}"*' for w in self.words)

    @property
    def tsquery(self) -> str:
        """PostgreSQL tsquery text with the same meaning as ``fts5``."""
        terms = " & ".join(f"'{w}':*" for w in self.words)
        return f"({terms}) | '{self.joined}':*" if self.joined else terms


def parse_query(text: str) -> SearchQuery | None:
    """The words of ``text``; None when it holds no letter or digit.

    Raises InvalidInput when ``text`` is longer than ``MAX_QUERY_LENGTH``.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"The search is {len(text):,} characters long; use at most "
            f"{MAX_QUERY_LENGTH} characters.",
            "q",
        )
    terms: list[str] = []
    for chunk in text.split():
        joined = code_word(chunk)
        terms.extend([joined] if joined else fold_words(chunk))
    words = tuple(dict.fromkeys(term[:MAX_WORD_LENGTH] for term in terms))
    if not words:
        return None
    everything = "".join(fold_words(text))[:MAX_WORD_LENGTH]
    has_digit = any(ch.isdigit() for ch in everything)
    return SearchQuery(
        words=words,
        joined=everything if len(words) > 1 and has_digit else "",
        mrn=everything,
    )


def matches(query: SearchQuery, dialect: str) -> sa.ColumnElement[bool]:
    """Condition on ``case_search`` rows that the full-text index answers."""
    if dialect == "sqlite":
        return CaseSearch.case_id.in_(_fts_rows(FTS_TABLE, query.fts5))
    return PG_DOCUMENT.op("@@")(sa.cast(query.tsquery, postgresql.TSQUERY))


def matching_ids(query: SearchQuery, dialect: str) -> sa.Select:
    """The case ids the full-text index matches, read off the index alone
    where the database can (SQLite's FTS5 table holds one row per case of
    ``case_search``, which holds one per case)."""
    if dialect == "sqlite":
        return _fts_rows(FTS_TABLE, query.fts5)
    return sa.select(CaseSearch.case_id).where(matches(query, dialect))


def _fts_rows(table: str, expression: str | sa.BindParameter) -> sa.Select:
    """SQLite: the rowids (case ids) of an FTS5 table's matches."""
    return (
        sa.select(sa.literal_column("rowid").label("case_id"))
        .select_from(sa.table(table))
        .where(sa.literal_column(table).op("MATCH")(expression))
    )


def ranked_keys(
    query: SearchQuery, offset: int, limit: int
) -> tuple[sa.Select, dict[str, object]]:
    """SQLite: the case ids of ``query``'s matches from ``offset``, at most
    ``limit``, in ``rank`` order then newest first, each with the number of
    matches: one statement (with its parameters) that does not read the
    matches' rows of ``case_search``.

    Each rank is read from an index that gives its cases newest first: the
    exact MRNs from the MRN keys' index, the names from the names' FTS5 table
    and the rest from the document's, and no rank needs more than
    ``offset + limit`` of them. Every case whose names hold every word also
    holds them in its document, so the names' matches are matches, and the
    rest is not read at all while the names fill the page. The number of
    matches is counted off the document's FTS5 table alone.
    """
    return _ranked_keys(), {
        "document": query.fts5,
        "names": query.names_fts5,
        "mrn": query.mrn,
        "upto": offset + limit,
        "offset": offset,
        "limit": limit,
    }


@prebuilt
def _ranked_keys() -> sa.Select:
    """``ranked_keys``' statement; its words, MRN and page are parameters."""
    rowid = sa.literal_column("rowid")
    document, names = sa.bindparam("document"), sa.bindparam("names")
    upto = sa.bindparam("upto", type_=sa.Integer)
    everything = _fts_rows(FTS_TABLE, document)
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    exact = sa.select(CaseSearch.case_id).where(
        CaseSearch.mrn_key == sa.bindparam("mrn"),
        sa.exists()
        .where(fts.c.rowid == CaseSearch.case_id)
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(document)),
    )
    by_name = _fts_rows(NAMES_FTS_TABLE, names)
    named = sa.select(sa.func.count()).select_from(by_name.subquery())
    tiers = [
        exact.add_columns(sa.literal(0).label("tier")),
        by_name.add_columns(sa.literal(1).label("tier"))
        .where(rowid.not_in(exact))
        .order_by(rowid.desc())
        .limit(upto),
        everything.add_columns(sa.literal(2).label("tier"))
        # Evaluated once, before the scan: the names alone fill the page.
        .where(named.scalar_subquery() < upto)
        .where(rowid.not_in(exact), rowid.not_in(by_name))
        .order_by(rowid.desc())
        .limit(upto),
    ]
    # SQLite takes a LIMIT inside a UNION only from a subquery.
    ranked = sa.union_all(*(sa.select(tier.subquery()) for tier in tiers)).subquery()
    total = sa.select(sa.func.count()).select_from(everything.subquery())
    return (
        sa.select(ranked.c.case_id, total.scalar_subquery())
        .order_by(ranked.c.tier, ranked.c.case_id.desc())
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


def rank(query: SearchQuery) -> sa.ColumnElement[int]:
    """0 for an exact MRN, 1 when every word starts one of the patient's names,
    2 otherwise."""
    padded_names = sa.literal(" ") + CaseSearch.names
    in_names = sa.and_(*(padded_names.like(f"% {word}%") for word in query.words))
    return sa.case((CaseSearch.mrn_key == query.mrn, 0), (in_names, 1), else_=2)
