"""Reading the search box: words, codes, limits and text that looks like syntax."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumorboard.cases import listing
from tumorboard.cases.models import Case
from tumorboard.cases.search import MAX_QUERY_LENGTH, parse_query
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db


def test_words_are_folded_and_codes_run_together():
    query = parse_query("Müller  C40.2 müller")
    assert query.words == ("muller", "c402")
    assert query.joined == "mullerc402muller"
    assert parse_query("DEMO100009").words == ("demo100009",)
    assert parse_query("demo-100 009").joined == "demo100009"
    # No digit: words stay words and nothing is run together.
    assert parse_query("anna lena").joined == ""


def test_fts_and_tsquery_quote_every_word():
    query = parse_query('"osteo*" AND (femur) OR NEAR:x & y | !z')
    assert query.fts5 == (
        '"osteo"* AND "and"* AND "femur"* AND "or"* AND "near"* AND "x"* AND "y"* '
        'AND "z"*'
    )
    assert query.tsquery.startswith("'osteo':* & 'and':* & 'femur':*")


@pytest.mark.parametrize("text", ["", "   ", "!!!", "*", '""', "\x00\x01\x7f", "–—…"])
def test_text_without_letters_or_digits_has_no_words(text):
    assert parse_query(text) is None


def test_too_long_a_search_is_refused_with_a_clear_message():
    assert parse_query("a" * MAX_QUERY_LENGTH) is not None
    with pytest.raises(InvalidInput, match="at most 200 characters") as refused:
        parse_query("a" * (MAX_QUERY_LENGTH + 1))
    assert refused.value.field == "q"


def test_a_search_without_words_finds_nothing(make_case):
    make_case()
    stmt = listing.case_list_query(listing.CaseFilters(q="!!!"))
    assert db.session.scalars(stmt).unique().all() == []


@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=MAX_QUERY_LENGTH)
    | st.lists(
        st.sampled_from(
            [
                '"',
                "*",
                ":",
                "&",
                "|",
                "!",
                "(",
                ")",
                "NEAR",
                "AND",
                "OR",
                "NOT",
                "^",
                "-",
                "+",
                "'",
                "\\",
                "%",
                "_",
                "osteo",
                "C40.2",
                "\x00",
                " ",
            ]
        ),
        max_size=30,
    ).map("".join)
)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_text_runs_without_error(app, make_case, text):
    """Whatever is typed, the query runs (no FTS syntax error, no NUL error)."""
    if db.session.scalar(sa.select(sa.func.count(Case.id))) == 0:
        make_case(clinical_question="Osteosarcoma (C40.2): NEAR the knee?")
    stmt = listing.case_list_query(listing.CaseFilters(q=text[:MAX_QUERY_LENGTH]))
    found = db.session.scalars(stmt).unique().all()
    assert len(found) <= 1
