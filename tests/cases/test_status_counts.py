"""The numbers of cases by status (tumorboard.cases.status_counts) are what a
count of the cases gives, whatever moves the cases, and roll back with the
transaction that moved them."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import BACKENDS, shared_database_app
from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.cases import listing, services, status_counts
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db


def _counted() -> dict[CaseStatus, int]:
    """The numbers a count of every case gives."""
    rows = db.session.execute(
        sa.select(Case.status, sa.func.count()).group_by(Case.status)
    ).all()
    return {CaseStatus(status): n for status, n in rows}


def _kept() -> dict[CaseStatus, int]:
    return {s: n for s, n in status_counts.by_status(CaseStatus).items() if n}


def test_new_cases_moves_and_deletions_are_counted(app):
    coordinator = factories.make_user("coordinator")
    referred = [factories.make_case() for _ in range(3)]
    factories.make_case(status=CaseStatus.WORKUP)
    db.session.flush()
    assert _kept() == _counted()
    assert _kept()[CaseStatus.REFERRED] >= 3

    services.transition_case(coordinator, referred[0], CaseStatus.WORKUP)
    referred[1].status = CaseStatus.WITHDRAWN
    referred[1].status_reason = "Treated elsewhere."
    db.session.flush()
    assert _kept() == _counted()

    # A change of another field, or a status set to what it was, moves nothing.
    before = _kept()
    referred[2].clinical_question = "Biopsy route and staging?"
    referred[2].status = CaseStatus.REFERRED
    db.session.flush()
    assert _kept() == before

    search_row = db.metadata.tables["case_search"]
    db.session.execute(
        search_row.delete().where(search_row.c.case_id == referred[2].id)
    )
    db.session.delete(referred[2])
    db.session.flush()
    assert _kept() == _counted()


def test_the_numbers_roll_back_with_the_change(app):
    case = factories.make_case()
    db.session.commit()
    before = _kept()
    savepoint = db.session.begin_nested()
    case.status = CaseStatus.WORKUP
    db.session.flush()
    assert _kept() != before
    savepoint.rollback()
    assert _kept() == before == _counted()


def test_recount_counts_rows_written_around_the_application(app):
    factories.make_case()
    db.session.flush()
    db.session.execute(sa.update(Case).values(status=CaseStatus.READY))
    assert _kept() != _counted()
    result = app.test_cli_runner().invoke(args=["cases", "recount"])
    assert result.exit_code == 0, result.output
    assert "ready" in result.output
    assert _kept() == _counted()


def test_my_work_shows_the_kept_numbers(app, client, login_as):
    login_as("coordinator")
    for _ in range(2):
        factories.make_case(status=CaseStatus.READY)
    db.session.commit()
    ready = status_counts.by_status([CaseStatus.READY])[CaseStatus.READY]
    assert ready == _counted()[CaseStatus.READY]
    page = client.get("/")
    assert page.status_code == 200
    assert f">{ready}<" in page.text.replace(" ", "")


def _run_together(*targets) -> None:
    """Run each of ``targets`` in a thread of its own and wait for them all."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


@pytest.fixture(params=BACKENDS)
def shared_app(request, tmp_path):
    with shared_database_app(
        request.param, {"ENV_NAME": "testing"}, tmp_path, "tbcounts"
    ) as app:
        yield app


def test_concurrent_moves_lose_no_count(shared_app):
    """Two writers move their own cases back and forth between work-up and
    ready at the same time: each change adds to the stored number in the
    database, so none is lost."""
    with shared_app.app_context():
        ids = [[factories.make_case().id for _ in range(4)] for _ in range(2)]
        db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(mine: list[int], first: CaseStatus, second: CaseStatus) -> None:
        try:
            with shared_app.app_context():
                start.wait(10)
                for round_ in range(6):
                    target = first if round_ % 2 == 0 else second
                    for case_id in mine:
                        db.session.get(Case, case_id).status = target
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    _run_together(
        lambda: writer(ids[0], CaseStatus.WORKUP, CaseStatus.READY),
        lambda: writer(ids[1], CaseStatus.READY, CaseStatus.WORKUP),
    )
    assert errors == []
    with shared_app.app_context():
        assert _kept() == _counted() == {CaseStatus.READY: 4, CaseStatus.WORKUP: 4}


def test_the_case_list_takes_its_total_from_the_kept_numbers(app):
    viewer = factories.make_user("coordinator")
    for status in (CaseStatus.REFERRED, CaseStatus.WORKUP, CaseStatus.WORKUP):
        factories.make_case(status=status)
    db.session.flush()

    def counted(filters: listing.CaseFilters) -> int:
        query = listing.case_list_query(filters).order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(query))

    for filters in (
        listing.CaseFilters(viewer_id=viewer.id),
        listing.CaseFilters(status=CaseStatus.WORKUP.value, viewer_id=viewer.id),
        listing.CaseFilters(sort="referral", viewer_id=viewer.id),
    ):
        assert listing.known_total(filters) == counted(filters)
    # Filters the kept numbers cannot answer are counted.
    for filters in (
        listing.CaseFilters(q="femur", viewer_id=viewer.id),
        listing.CaseFilters(urgency="urgent", viewer_id=viewer.id),
        listing.CaseFilters(key_worker_for=viewer.id, viewer_id=viewer.id),
        # Only the readable cases: known only for a viewer with every case.
        listing.CaseFilters(viewer_id=viewer.id, readable_only=True),
        listing.CaseFilters(sort="name", viewer_id=viewer.id),
    ):
        assert listing.known_total(filters) is None
    with app.test_request_context():
        scope.remember_on_every_board(viewer.id, True)
        filters = listing.CaseFilters(sort="name", viewer_id=viewer.id)
        assert listing.known_total(filters) == counted(filters)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cases/?status=ready", CaseStatus.READY),
        # The readiness gate of a coordinator on every board: every case in
        # work-up.
        ("/worklist", CaseStatus.WORKUP),
    ],
)
def test_list_pages_take_their_total_from_the_kept_numbers(
    client, login_as, count_queries, path, status
):
    """The page's total is the kept number, and no statement counts cases."""
    login_as("coordinator")
    for _ in range(3):
        factories.make_case(status=status)
    db.session.commit()
    expected = _counted()[status]
    with count_queries() as counter:
        page = client.get(path)
    assert page.status_code == 200
    assert f"{expected} in all" in page.text
    assert not [s for s in counter.statements if "count(" in s and "FROM cases" in s]


def test_a_status_change_and_the_audit_chain_are_locked_in_one_order(shared_app):
    """One writer moves a case and only then writes to the audit log;
    another writes to the audit log and then moves a case. Each number of
    cases by status stays locked to the end of its transaction, as the audit
    chain does: taking the chain first whenever the numbers change keeps the
    two writers from each waiting for the other."""
    with shared_app.app_context():
        first, second = factories.make_case().id, factories.make_case().id
        db.session.commit()
    both_started = threading.Barrier(2)
    errors: list[BaseException] = []

    def mover_then_auditor() -> None:
        try:
            with shared_app.app_context():
                db.session.get(Case, first).status = CaseStatus.WORKUP
                db.session.flush()
                try:
                    both_started.wait(2)
                except threading.BrokenBarrierError:
                    pass  # the other writer waits for this one's lock
                audit.record(None, "test.note", "case", first, "Moved first")
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    def auditor_then_mover() -> None:
        try:
            with shared_app.app_context():
                audit.record(None, "test.note", "case", second, "Noted first")
                db.session.flush()
                try:
                    both_started.wait(2)
                except threading.BrokenBarrierError:
                    pass
                db.session.get(Case, second).status = CaseStatus.WORKUP
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    _run_together(mover_then_auditor, auditor_then_mover)
    assert errors == []
    with shared_app.app_context():
        assert _kept() == _counted() == {CaseStatus.WORKUP: 2}
