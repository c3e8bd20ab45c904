"""scripts/bench.py: bad input is refused with a clear message and exit code
before anything is built, a failed run leaves no database behind, and the
database it builds holds the companions of every case. Nothing is timed."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, pg_url
from tumorboard.extensions import db

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


bench = _load("bench")
bench_data = _load("bench_data")


def test_a_busy_port_is_refused_before_anything_is_built(capsys, tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        code = bench.main(["--cases", "10", "--port", str(port)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is not free" in err
    assert "--port" in err


def test_the_baselines_port_is_checked_too(capsys):
    """The baseline is served on the port after ``--port``."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.socket() as before:
            # The port before it, free (or the test would see that one refused).
            before.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            before.bind(("127.0.0.1", port - 1))
        code = bench.main(["--cases", "10", "--port", str(port - 1)])
    assert code == 2
    assert f"port {port} on 127.0.0.1 is not free" in capsys.readouterr().err


def test_an_unreachable_database_is_refused_with_its_address(capsys):
    # Port 1 on loopback: nothing listens there, the refusal is immediate.
    code = bench.main(["--database-url", "postgresql://bench:s3cret@127.0.0.1:1/none"])
    assert code == 2
    err = capsys.readouterr().err
    assert (
        "cannot reach the database at postgresql+psycopg://bench:***@127.0.0.1:1/none"
        in err
    )
    assert "s3cret" not in err


@pytest.mark.parametrize(
    "url, message",
    [
        ("sqlite:///tmp/x.db", "must be a PostgreSQL URL"),
        ("not a url", "is not a database URL"),
    ],
)
def test_a_database_url_that_is_not_postgresql_is_refused(capsys, url, message):
    assert bench.main(["--database-url", url]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "option",
    ["--cases=0", "--workers=0", "--seconds=0", "--port=65535", "--rounds=0"],
)
def test_impossible_numbers_are_refused_by_the_argument_parser(option):
    with pytest.raises(SystemExit) as stop:
        bench.parse_args([option])
    assert stop.value.code == 2


def test_the_rounds_of_a_page_are_pooled_before_their_percentiles():
    """A page's figures come from the answers of all its rounds together."""
    pooled = bench.Timed()
    pooled.add(bench.Timed([10.0, 30.0], 1.0, {500: 1}))
    pooled.add(bench.Timed([20.0, 40.0, 50.0], 2.0, {500: 2, 0: 1}))
    figures = pooled.figures()
    assert (figures.requests, figures.rps, figures.p50) == (5, 5 / 3, 30.0)
    assert figures.p95 == 50.0
    assert figures.errors == {500: 3, 0: 1}
    assert bench.Timed([], 1.0, {503: 4}).figures().requests == 0


def test_a_failed_sqlite_run_leaves_no_database_file(tmp_path):
    with pytest.raises(RuntimeError), bench.scratch_database(None, tmp_path) as env:
        path = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
        engine = sa.create_engine(env["DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE half (id INTEGER)"))
        engine.dispose()
        assert path.exists()
        raise RuntimeError("building failed half-way")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")
def test_a_failed_postgresql_run_drops_its_schema(tmp_path):
    engine = sa.create_engine(pg_url())
    with pytest.raises(RuntimeError), bench.scratch_database(PG_URL, tmp_path) as env:
        schema = env["TUMORBOARD_SQLALCHEMY_ENGINE_OPTIONS"].split("search_path=")[1]
        schema = schema.split('"')[0]
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE TABLE "{schema}".half (id INTEGER)'))
        raise RuntimeError("building failed half-way")
    with engine.connect() as connection:
        left = connection.scalar(
            sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :name"),
            {"name": schema},
        )
    engine.dispose()
    assert left == 0


def test_the_built_database_holds_every_case_with_its_companions(app):
    counts = bench_data.populate(80)
    assert counts["cases"] == 80
    # Copies of cases past work-up bring their reviews, discussed ones their
    # agenda item, recommendation and actions, and each copy 10 audit entries.
    assert counts["discipline_reviews"] > 80
    assert counts["recommendations"] > 0 and counts["action_items"] > 0
    assert counts["meetings"] >= 2 * 52
    copied = db.session.scalar(
        sa.text(
            "SELECT count(*) FROM audit_entries a JOIN cases c ON c.id = a.case_id"
            " JOIN patients p ON p.id = c.patient_id WHERE p.mrn LIKE 'B%'"
        )
    )
    assert copied == 10 * (80 - 32)
