"""The count beside "My work" in the navigation: the drafts waiting for the
signed-in person's signature (issue 10, item 4), by the same rule as the home
page's "Waiting for your signature" list, in one COUNT query per page and
none for people who never sign."""

from __future__ import annotations

import re

from tests import factories
from tests.factories import sign_in, signing_proof
from tests.recommendations import factories as rf
from tumorboard.extensions import db
from tumorboard.main import home
from tumorboard.recommendations import services as rec_services

NAV = re.compile(r'<nav aria-label="Main">.*?</nav>', re.S)


def _nav(client, url: str = "/cases/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return NAV.search(response.text).group(0)


def _draft(setup, coordinator):
    return rec_services.record_recommendation(coordinator, setup.item, rf.rec_data())


def test_the_count_follows_drafts_created_and_signed(client):
    setup = rf.discussed_item()
    coordinator = factories.make_user("coordinator")
    db.session.commit()
    sign_in(client, setup.chair.email)

    nav = _nav(client)
    assert ">My work</a>" in nav
    assert "waiting for your signature" not in nav

    first = _draft(setup, coordinator)
    db.session.commit()
    nav = _nav(client)
    assert 'My work <span class="nav-count">(1)</span>' in nav
    assert 'aria-label="My work, 1 recommendation waiting for your signature"' in nav

    second = _draft(rf.discussed_item(chair=setup.chair), coordinator)
    # A draft of a meeting someone else chairs is not theirs to sign.
    _draft(rf.discussed_item(), coordinator)
    db.session.commit()
    nav = _nav(client)
    assert '<span class="nav-count">(2)</span>' in nav
    assert 'aria-label="My work, 2 recommendations waiting for your signature"' in nav

    for rec in (first, second):
        rec_services.sign_recommendation(
            setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
        )
        db.session.commit()
    nav = _nav(client)
    assert "nav-count" not in nav
    assert "waiting for your signature" not in nav


def test_the_count_is_the_home_page_list(client):
    """One rule: the navigation's number is the home section's count."""
    setup = rf.discussed_item()
    coordinator = factories.make_user("coordinator")
    for _ in range(3):
        _draft(rf.discussed_item(chair=setup.chair), coordinator)
    db.session.commit()
    sign_in(client, setup.chair.email)
    page = client.get("/").text
    with client.application.test_request_context():
        section = home.signature_section(setup.chair)
    assert section.count == 3
    assert "(3)</span>" in NAV.search(page).group(0)
    assert "3 recommendations waiting for your signature" in page
    assert "Waiting for your signature" in page


def test_one_count_query_for_a_clinician(client, count_queries):
    setup = rf.discussed_item()
    _draft(setup, factories.make_user("coordinator"))
    db.session.commit()
    sign_in(client, setup.chair.email)
    client.get("/cases/")
    with count_queries() as counter:
        assert "(1)</span>" in _nav(client)
    counts = [s for s in counter.statements if "recommendations" in s]
    assert len(counts) == 1, counter.statements
    assert "count(" in counts[0].lower()


def test_the_home_page_counts_once(client, count_queries):
    """My work already counts the drafts for its list: the navigation shows
    that number instead of counting again."""
    setup = rf.discussed_item()
    _draft(setup, factories.make_user("coordinator"))
    db.session.commit()
    sign_in(client, setup.chair.email)
    client.get("/")
    with count_queries() as counter:
        assert "(1)</span>" in _nav(client, "/")
    counts = [
        s
        for s in counter.statements
        if "count(" in s.lower()
        and "recommendations.state" in s
        and "meetings.chair_id" in s
    ]
    assert len(counts) == 1, counts


def test_no_query_for_someone_who_never_signs(client, login_as, count_queries):
    setup = rf.discussed_item()
    _draft(setup, factories.make_user("coordinator"))
    db.session.commit()
    login_as("coordinator")
    client.get("/cases/")
    with count_queries() as counter:
        nav = _nav(client)
    assert "nav-count" not in nav
    assert not [s for s in counter.statements if "meetings.chair_id" in s]


def test_an_error_page_does_not_count(client, count_queries):
    """An error page may follow a failed transaction: its menu runs no query."""
    setup = rf.discussed_item()
    _draft(setup, factories.make_user("coordinator"))
    db.session.commit()
    sign_in(client, setup.chair.email)
    with count_queries() as counter:
        response = client.get("/cases/424242")
    assert response.status_code == 404
    assert ">My work</a>" in NAV.search(response.text).group(0)
    assert not [s for s in counter.statements if "meetings.chair_id" in s]
