"""Key-first pages (tumorboard.pagination) hold exactly what OFFSET over the
whole SELECT holds, in the same order, for every sort of the case list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from tumorboard.cases import listing
from tumorboard.cases.models import Case, Urgency
from tumorboard.extensions import db
from tumorboard.pagination import paginate

PER_PAGE = 7


@pytest.fixture
def cases(app):
    """23 cases with repeated referral dates, urgencies and family names, so
    that the sorts have ties that only the id breaks."""
    urgencies = [Urgency.ROUTINE, Urgency.URGENT, Urgency.EMERGENCY]
    made = []
    for n in range(23):
        patient = factories.make_patient(family_name=f"Family{n % 4}")
        made.append(
            factories.make_case(
                patient,
                referral_date=date(2026, 3, 1) + timedelta(days=n % 5),
                urgency=urgencies[n % 3],
            )
        )
    db.session.commit()
    return made


@pytest.mark.parametrize("sort", [*listing.SORTS, listing.RELEVANCE])
def test_every_page_matches_offset_over_the_whole_select(cases, sort):
    query = listing.case_list_query(listing.CaseFilters(sort=sort))
    seen = []
    for page in range(1, 5):
        expected = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
        got = paginate(query, Case.id, page=page, per_page=PER_PAGE, error_out=False)
        assert [c.id for c in got.items] == [c.id for c in expected.items]
        by_keys = paginate(
            query,
            Case.id,
            page=page,
            per_page=PER_PAGE,
            error_out=False,
            rows=listing.case_rows_query(),
        )
        assert [c.id for c in by_keys.items] == [c.id for c in expected.items]
        # Knowing the total, a page past the middle is read from the end.
        known = paginate(
            query, Case.id, page=page, per_page=PER_PAGE, error_out=False, total=23
        )
        assert [c.id for c in known.items] == [c.id for c in expected.items]
        assert (got.total, got.pages) == (23, 4)
        seen += [c.id for c in got.items]
    assert sorted(seen) == sorted(c.id for c in cases)


@pytest.mark.parametrize(("page", "offset"), [(2, 7), (3, 2), (4, 0), (5, 0)])
def test_a_page_past_the_middle_skips_the_fewer_rows(
    cases, count_queries, page, offset
):
    """With the total known, a page past the middle of the list skips the
    rows after it, in the opposite order, rather than those before it; a
    page after the last is empty."""
    query = listing.case_list_query(listing.CaseFilters(sort="urgency"))
    expected = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    with count_queries() as counter:
        got = paginate(
            query, Case.id, page=page, per_page=PER_PAGE, error_out=False, total=23
        )
    assert [c.id for c in got.items] == [c.id for c in expected.items]
    assert len(got.items) == {2: 7, 3: 7, 4: 2, 5: 0}[page]
    keys = counter.statements[0]
    if page == 2:
        assert "ORDER BY CASE" in keys and "END DESC" not in keys
    else:
        assert "END DESC, cases.referral_date DESC, cases.id DESC" in keys
    assert counter.parameters[0][-1] == offset


def test_a_search_pages_in_rank_order(cases):
    query = listing.case_list_query(listing.CaseFilters(q="femur"))
    expected = db.paginate(query, page=2, per_page=PER_PAGE)
    got = paginate(query, Case.id, page=2, per_page=PER_PAGE)
    assert [c.id for c in got.items] == [c.id for c in expected.items]
    assert len(got.items) == PER_PAGE


def test_rows_come_with_their_eager_loads(cases, count_queries):
    query = listing.case_list_query(listing.CaseFilters())
    db.session.expire_all()
    with count_queries() as counter:
        page = paginate(query, Case.id, page=3, per_page=PER_PAGE)
        names = [c.patient.family_name for c in page.items]
    # the page's keys, its rows with their patients, the count
    assert counter.count == 3, counter.statements
    assert len(names) == PER_PAGE


def test_rows_are_loaded_by_their_keys_alone(cases, count_queries):
    """With ``rows``, the filters choose the page's keys and the rows are
    looked up by id alone: the statement that loads them filters on nothing
    else, so the database cannot read a status's index instead."""
    filters = listing.CaseFilters(urgency=Urgency.URGENT.value, sort="urgency")
    query = listing.case_list_query(filters)
    expected = db.paginate(query, page=1, per_page=PER_PAGE)
    db.session.expire_all()
    with count_queries() as counter:
        got = paginate(
            query, Case.id, page=1, per_page=PER_PAGE, rows=listing.case_rows_query()
        )
        names = [c.patient.family_name for c in got.items]
    assert [c.id for c in got.items] == [c.id for c in expected.items]
    assert len(names) == PER_PAGE
    keys, loaded, _count = counter.statements
    assert "cases.urgency = " in keys
    assert "cases.urgency = " not in loaded
    assert "cases.id IN " in loaded


def test_a_page_past_the_end_is_empty_or_404(cases, app):
    query = listing.case_list_query(listing.CaseFilters())
    assert paginate(query, Case.id, page=9, error_out=False).items == []
    with app.test_request_context(), pytest.raises(Exception) as raised:
        paginate(query, Case.id, page=9)
    assert getattr(raised.value, "code", None) == 404
