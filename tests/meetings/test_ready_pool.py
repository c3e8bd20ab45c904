"""The ready pool on the meeting page: most urgent and longest waiting first,
a page of cases at a time, with where the page lies in the whole pool."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.meetings import factories as mf
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.services import queries


@pytest.fixture
def pool(app):
    """Five ready cases in pool order (emergency first, then the longest
    waiting of each urgency), and a workup case that is not in the pool."""
    now = utcnow()

    def ready(urgency: str, days_waiting: int):
        case = mf.make_ready_case(urgency=urgency)
        case.status_changed_at = now - timedelta(days=days_waiting)
        return case

    routine_old, routine_new = ready("routine", 30), ready("routine", 2)
    urgent_new, urgent_old = ready("urgent", 1), ready("urgent", 9)
    emergency = ready("emergency", 0)
    mf.make_ready_case(status="workup", urgency="emergency")
    db.session.flush()
    return [emergency, urgent_old, urgent_new, routine_old, routine_new]


def test_the_pool_pages_through_the_merged_order(pool):
    ids = [case.id for case in pool]
    assert [c.id for c in services.ready_pool(limit=2)] == ids[:2]
    # An offset reads further in each urgency before the merged order is cut.
    assert [c.id for c in services.ready_pool(limit=2, offset=2)] == ids[2:4]
    assert [c.id for c in services.ready_pool(limit=2, offset=4)] == ids[4:]
    assert services.ready_pool(limit=2, offset=5) == []


@pytest.mark.parametrize(
    ("asked", "page", "shown", "first", "last"),
    [
        (1, 1, slice(0, 2), 1, 2),
        (2, 2, slice(2, 4), 3, 4),
        (3, 3, slice(4, 5), 5, 5),
        # Past the end: the last page; before the first: the first.
        (9, 3, slice(4, 5), 5, 5),
        (0, 1, slice(0, 2), 1, 2),
        (-4, 1, slice(0, 2), 1, 2),
    ],
)
def test_a_page_of_the_pool_knows_where_it_lies(
    pool, monkeypatch, asked, page, shown, first, last
):
    monkeypatch.setattr(queries, "POOL_PAGE", 2)
    found = services.ready_pool_page(asked)
    assert [c.id for c in found.cases] == [c.id for c in pool[shown]]
    assert (found.page, found.pages, found.total, found.size) == (page, 3, 5, 2)
    assert (found.first, found.last) == (first, last)


def test_an_empty_pool_is_one_empty_page(app):
    found = services.ready_pool_page(2)
    assert (found.cases, found.page, found.pages, found.total) == ([], 1, 1, 0)
    assert (found.first, found.last) == (0, 0)


def test_the_meeting_page_shows_one_page_of_the_pool_with_links(
    pool, client, login_as, monkeypatch
):
    monkeypatch.setattr(queries, "POOL_PAGE", 2)
    login_as("coordinator")
    meeting = mf.make_meeting()
    db.session.commit()
    first = client.get(f"/meetings/{meeting.id}").text
    assert "Ready for the board (5)" in first
    assert "cases 1–2 of 5" in first
    assert pool[0].reference in first and pool[1].reference in first
    assert pool[2].reference not in first
    assert f'href="/meetings/{meeting.id}?pool=2#ready-pool" rel="next"' in first
    assert 'rel="prev"' not in first

    last = client.get(f"/meetings/{meeting.id}?pool=3").text
    assert "cases 5–5 of 5" in last and "Page 3 of 3" in last
    assert pool[4].reference in last and pool[3].reference not in last
    assert f'href="/meetings/{meeting.id}?pool=2#ready-pool" rel="prev"' in last
    assert 'rel="next"' not in last

    # A page number that is not one shows the first page.
    for odd in ("abc", "", "2.5"):
        page = client.get(f"/meetings/{meeting.id}?pool={odd}")
        assert page.status_code == 200
        assert "cases 1–2 of 5" in page.text


def test_a_pool_of_one_page_has_no_page_links(pool, client, login_as):
    login_as("coordinator")
    meeting = mf.make_meeting()
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert "Ready for the board (5)" in page
    assert all(case.reference in page for case in pool)
    assert "Pages of the ready pool" not in page and "cases 1–" not in page
