"""The quality dashboard over HTTP: who sees which indicator, filters refused
with clear errors, drill-downs, CSV, audited reads, a fixed number of queries."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.quality import dataset
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.quality.indicators import INDICATORS, MANAGEMENT

ARGS = "start=2026-01-01&end=2026-03-31"


@pytest.fixture
def data(app):
    built = dataset.build()
    db.session.commit()
    return built


def _titles(page: str) -> list[str]:
    return [i.title for i in INDICATORS if f'id="{i.key}-title"' in page]


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def test_the_coordinator_sees_every_indicator_with_its_chart(client, login_as, data):
    login_as("coordinator")
    response = client.get(f"/quality/?{ARGS}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _titles(page) == [i.title for i in INDICATORS]
    # Accessible SVG: a role, a title and a description naming the numbers.
    assert page.count('role="img"') == len(INDICATORS)
    assert '<title id="quorum-svg-title">Quorate meetings by month</title>' in page
    assert "Jan 26 100; Feb 26 0." in page
    # The numbers beside the chart, and the not computable count.
    assert "1 not computable" in page
    read = _entries("quality.read")[-1]
    assert read.changes["query"] == {"start": "2026-01-01", "end": "2026-03-31"}


def test_a_clinician_sees_the_quality_lead_view(client, login_as, data):
    login_as("radiologist")
    page = client.get(f"/quality/?{ARGS}").get_data(as_text=True)
    shown = _titles(page)
    assert shown == [i.title for i in INDICATORS if i.audience != MANAGEMENT]
    assert "Ready at discussion" not in shown


def test_a_chair_sees_the_operational_indicators_too(client, data):
    from tests import factories

    factories.sign_in(client, data.chair.email)
    page = client.get(f"/quality/?{ARGS}").get_data(as_text=True)
    assert "Ready at discussion" in _titles(page)


def test_the_administrator_is_refused(client, login_as, data):
    login_as("admin")
    assert client.get(f"/quality/?{ARGS}").status_code == 403


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("start=&end=2026-03-31", "start", "Enter the start date."),
        ("start=2026-01-01&end=", "end", "Enter the end date."),
        ("start=2026-13-01&end=2026-03-31", "start", "must be a date such as"),
        (
            "start=2026-03-31&end=2026-01-01",
            "end",
            "The range ends (01 Jan 2026) before it starts (31 Mar 2026).",
        ),
        ("start=2026-01-01&end=2026-03-31&board=999999", "board", "from the list"),
        ("start=2026-01-01&end=2026-03-31&case_type=x", "case_type", "from the list"),
    ],
)
def test_bad_filters_come_back_with_a_clear_error(
    client, login_as, data, query, field, message
):
    login_as("coordinator")
    response = client.get(f"/quality/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert 'role="img"' not in page
    # What was typed is kept.
    if "2026-03-31" in query:
        assert 'value="2026-03-31"' in page


def test_a_board_without_meetings_shows_empty_figures(client, login_as, data):
    from tests.meetings import factories as mf

    board = mf.make_board(name="Quiet board")
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/quality/?{ARGS}&board={board.id}").get_data(as_text=True)
    assert "No meeting in this range for Quiet board" in page
    assert "No data" in page


def test_drill_down_from_quorum_lists_the_meetings(client, login_as, data):
    login_as("coordinator")
    response = client.get(f"/quality/quorum/list?{ARGS}&part=not_quorate")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tue 10 Feb 2026" in page and "Tue 13 Jan 2026" not in page
    assert "Pathology" in page
    entry = _entries("quality.list")[-1]
    assert entry.changes["meeting_ids"] == [data.meetings["m2"].id]
    everyone = client.get(f"/quality/quorum/list?{ARGS}&part=all").get_data(
        as_text=True
    )
    assert everyone.count("<tr>") == 1 + 3  # head and M1, M2, M3


def test_drill_down_lists_cases_and_audits_them(client, login_as, data):
    login_as("coordinator")
    response = client.get(f"/quality/unplanned_excision/list?{ARGS}&part=numerator")
    page = response.get_data(as_text=True)
    c2 = data.cases["c2"]
    assert c2.reference in page and data.cases["c1"].reference not in page
    entry = _entries("quality.list")[-1]
    assert entry.changes["case_ids"] == [c2.id]
    assert entry.changes["patient_ids"] == [c2.patient_id]
    assert entry.request_path == "/quality/unplanned_excision/list"


def test_drill_down_refuses_unknown_parts_and_indicators(client, login_as, data):
    login_as("coordinator")
    assert client.get(f"/quality/quorum/list?{ARGS}&part=nonsense").status_code == 404
    assert client.get(f"/quality/nonsense/list?{ARGS}").status_code == 404


def test_csv_by_month(client, login_as, data):
    login_as("coordinator")
    response = client.get(f"/quality/quorum.csv?{ARGS}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "quorum-2026-01-01-2026-03-31.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["month", "numerator", "denominator", "not computable", "percent"],
        ["2026-01", "1", "1", "0", "100.0"],
        ["2026-02", "0", "1", "1", "0.0"],
        ["all", "1", "2", "1", "50.0"],
    ]
    assert _entries("quality.download")[-1].entity_id == "quorum"
    interval = client.get(f"/quality/referral_to_discussion.csv?{ARGS}")
    assert interval.get_data(as_text=True).splitlines()[-1] == "all,3,1,21.0,31"


def test_csv_refused_for_an_indicator_the_user_may_not_see(client, login_as, data):
    login_as("radiologist")
    assert client.get(f"/quality/readiness.csv?{ARGS}").status_code == 403
    assert client.get(f"/quality/readiness/list?{ARGS}").status_code == 403
    assert client.get(f"/quality/quorum.csv?{ARGS}").status_code == 200
    assert not _entries("quality.download")[:-1]


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, login_as, count_queries, app
):
    login_as("coordinator")
    dataset.build()
    db.session.commit()
    with count_queries() as small:
        assert client.get(f"/quality/?{ARGS}").status_code == 200
    # Twice the boards, meetings and cases: the same statements.
    dataset.build(suffix=" again")
    db.session.commit()
    with count_queries() as large:
        assert client.get(f"/quality/?{ARGS}").status_code == 200
    assert large.count == small.count
    assert small.count <= 45, small.statements


def test_the_case_type_filter_is_named(client, login_as, data):
    login_as("coordinator")
    page = client.get(f"/quality/?{ARGS}&case_type=skeletal_metastasis").get_data(
        as_text=True
    )
    assert "skeletal metastasis cases only" in page


def test_a_median_of_one_day_reads_in_the_singular(client, login_as, data):
    login_as("coordinator")
    page = client.get(f"/quality/?{ARGS}").get_data(as_text=True)
    assert "<strong>1 day</strong> median · 90th percentile 2 days" in page
