"""Load benchmark: the main pages under gunicorn beside a bare list page.

Usage: ``python scripts/bench.py [--cases 20000] [--baseline-cases 1000]
[--database-url postgresql://...] [--port 8100] [--seconds 8]``

For each database size (``--baseline-cases``, then ``--cases``) it builds a
throwaway database (a SQLite file in a temporary folder, or a schema of its
own in the PostgreSQL database of ``--database-url``, dropped afterwards
whatever happens; see scripts/bench_data.py for what it holds), counts the
SQL statements of each page in-process, starts gunicorn (``--workers`` sync
workers, ``gunicorn.conf.py``) on loopback (the full size on ``--port``, the
baseline on the port after it) and signs in as the coordinator. Then, page
after page, it sends requests from ``--connections`` concurrent clients for
``--seconds`` in all to each size, in ``--rounds`` rounds that alternate the
baseline and the full size: a machine whose speed drifts during the run
weighs on both sizes of a page alike. It prints per page req/s, p50 and
p95, SQL statements per request, the p50 as a multiple of the bare
one-query 50-row list served by the same server in the same run, and the
p50 at the baseline size beside the full size (growth). Every timed
response must be a 200: a redirect to the sign-in page would time the wrong
thing. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

USER_AGENT = "tumorboard-bench"
EMAIL = "coordinator@example.org"
PASSWORD = "tumorboard-demo"  # noqa: S105 (synthetic demo account)


class BenchError(Exception):
    """Bad input or a failed step, told to the person as one line."""


@dataclass
class Figures:
    requests: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    sql: int | None = None
    errors: dict[int, int] = field(default_factory=dict)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument(
        "--baseline-cases",
        type=int,
        default=1000,
        help="the smaller size the growth is measured from (0: only --cases)",
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL; the benchmark works in a schema of its own there",
    )
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="the seconds of each page are split into rounds that alternate "
        "the two sizes",
    )
    args = parser.parse_args(argv)
    for name in ("cases", "workers", "connections", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.baseline_cases < 0 or args.seconds <= 0:
        parser.error("--baseline-cases must be 0 or more and --seconds positive")
    if not 1 <= args.port <= 65534:
        parser.error(
            "--port must be between 1 and 65534 (the next port serves the baseline)"
        )
    return args


def check_port(port: int) -> None:
    """Refuse a port something already listens on (or that cannot be bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: connections of an earlier run in TIME_WAIT do
        # not make the port busy, a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise BenchError(
                f"port {port} on 127.0.0.1 is not free ({error.strerror}); "
                "choose another with --port"
            ) from None


def driver_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def check_database(url: str) -> None:
    """Refuse a URL that is not PostgreSQL or that does not answer in 5 s."""
    try:
        parsed = sa.engine.make_url(driver_url(url))
    except sa.exc.ArgumentError:
        raise BenchError(f"--database-url is not a database URL: {url!r}") from None
    if parsed.get_backend_name() != "postgresql":
        raise BenchError(
            "--database-url must be a PostgreSQL URL (postgresql://...); "
            "without it the benchmark uses a temporary SQLite file"
        )
    where = parsed.render_as_string(hide_password=True)
    engine = sa.create_engine(parsed, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        reason = (str(error.orig).strip().splitlines() or ["no answer"])[-1]
        raise BenchError(f"cannot reach the database at {where}: {reason}") from None
    finally:
        engine.dispose()


@contextlib.contextmanager
def scratch_database(url: str | None, workdir: Path) -> Iterator[dict[str, str]]:
    """A database of its own for one run, gone afterwards whatever happens:
    a SQLite file in ``workdir`` or a new schema in the PostgreSQL database.
    Yields the environment that points the app at it."""
    if url is None:
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield {
                "DATABASE_URL": f"sqlite:///{path}",
                "TUMORBOARD_SQLALCHEMY_ENGINE_OPTIONS": "{}",
            }
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(driver_url(url), connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        options = {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={schema}"},
        }
        yield {
            "DATABASE_URL": url,
            "TUMORBOARD_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(options),
        }
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def app_environment(database: dict[str, str], instance: Path) -> dict[str, str]:
    """Environment of the served app: development settings (no MFA for the
    coordinator), generous rate limits, keys of its own."""
    return {
        **os.environ,
        **database,
        "TUMORBOARD_ENV": "development",
        "TUMORBOARD_INSTANCE_PATH": str(instance),
        "SECRET_KEY": secrets.token_hex(32),
        "TUMORBOARD_AUDIT_HMAC_KEY": secrets.token_hex(32),
        "TUMORBOARD_MFA_ENCRYPTION_KEY": "YmVuY2gtbWZhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=",
        "TUMORBOARD_RATELIMIT_ENABLED": "false",
        "TUMORBOARD_ARGON2_PROFILE": '"cheapest"',
    }


def build(env: dict[str, str], n_cases: int) -> dict[str, str]:
    """Create the schema and fill it; return the pages to time, by name."""
    import bench_data

    from tumorboard import create_app
    from tumorboard.extensions import db

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        counts = bench_data.populate(n_cases)
        took = time.perf_counter() - started
        print(
            f"  built in {took:.0f} s: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()),
            flush=True,
        )
        pages = pages_for(db.session, n_cases, app.config["PAGE_SIZE"])
        pages = {name: path for name, path in pages.items() if path}
        sql = count_statements(app, db.engine, pages)
        db.engine.dispose()
    return pages, sql


def pages_for(session, n_cases: int, page_size: int) -> dict[str, str | None]:
    from tumorboard.models import AgendaItem, Case, Meeting

    case_id = session.scalar(sa.select(sa.func.max(Case.id)))
    # The next meeting with an agenda, and its first case.
    meeting_id, item_id = session.execute(
        sa.select(Meeting.id, sa.func.min(AgendaItem.id))
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.status.in_(["published", "planned"]))
        .group_by(Meeting.id, Meeting.starts_at)
        .order_by(Meeting.starts_at)
        .limit(1)
    ).one_or_none() or (None, None)
    deep = max(1, int(n_cases / page_size * 0.6))
    return {
        "worklist /cases/": "/cases/",
        "search ?q=Family12": "/cases/?q=Family12",
        "deep page (60% in)": f"/cases/?page={deep}",
        "case page": f"/cases/{case_id}",
        "my work /": "/",
        "waiting for me /worklist": "/worklist",
        "meeting page": f"/meetings/{meeting_id}" if meeting_id else None,
        "presentation mode": f"/meetings/{meeting_id}/present/{item_id}"
        if meeting_id
        else None,
        "overdue": "/recommendations/overdue",
        "my actions": "/actions/mine",
        "quality dashboard": "/quality/",
        "notifications": "/notifications/",
    }


def count_statements(app, engine, pages: dict[str, str]) -> dict[str, int]:
    """SQL statements of one request per page, in-process, signed in."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    counted: dict[str, int] = {}
    statements: list[str] = []

    def on_execute(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for name, path in pages.items():
            client.get(path)  # warm caches the way the served app does
            statements.clear()
            response = client.get(path)
            if response.status_code != 200:
                raise BenchError(f"{path} answered {response.status_code} in-process")
            counted[name] = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
    return counted


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[None]:
    """gunicorn with the production config serving bench_server:app."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--pythonpath",
        f"{ROOT},{ROOT / 'scripts'}",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        # Other gunicorns on the machine use the default control socket.
        "--no-control-socket",
        "bench_server:app",
    ]
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        command, cwd=ROOT, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(
                    f"gunicorn stopped with exit code {process.returncode}"
                )
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.3)
        yield
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def sign_in(port: int) -> str:
    """Sign in over HTTP; return the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/login", timeout=30) as answer:
        form = answer.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if token is None:
        raise BenchError("the sign-in page has no CSRF token")
    data = urllib.parse.urlencode(
        {
            "csrf_token": html.unescape(token.group(1)),
            "email": EMAIL,
            "password": PASSWORD,
        }
    ).encode()
    with opener.open(f"{base}/login", data=data, timeout=30) as answer:
        if answer.url.rstrip("/").endswith("/login"):
            raise BenchError("signing in as the coordinator failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def load(port: int, path: str, cookie: str, connections: int, seconds: float) -> Timed:
    """``connections`` clients request ``path`` back to back for ``seconds``."""
    timings: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"User-Agent": USER_AGENT, "Cookie": cookie}

    def client() -> None:
        mine: list[float] = []
        bad: dict[int, int] = {}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 0
            if status == 200:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                bad[status] = bad.get(status, 0) + 1
        connection.close()
        with lock:
            timings.extend(mine)
            for status, count in bad.items():
                errors[status] = errors.get(status, 0) + count

    threads = [threading.Thread(target=client) for _ in range(connections)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Timed(timings, time.perf_counter() - began, errors)


@dataclass
class Timed:
    """The latencies (ms) of the 200 answers of one or more loads, how long
    the loads took in all and the other answers by status."""

    timings: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: dict[int, int] = field(default_factory=dict)

    def add(self, other: Timed) -> None:
        self.timings += other.timings
        self.elapsed += other.elapsed
        for status, count in other.errors.items():
            self.errors[status] = self.errors.get(status, 0) + count

    def figures(self) -> Figures:
        timings = sorted(self.timings)
        if not timings:
            return Figures(errors=self.errors)
        return Figures(
            requests=len(timings),
            rps=len(timings) / self.elapsed,
            p50=statistics.median(timings),
            p95=timings[min(len(timings) - 1, int(len(timings) * 0.95))],
            errors=self.errors,
        )


@dataclass
class Server:
    """One size's database, served: where, signed in as whom, what to time."""

    port: int
    cookie: str
    pages: dict[str, str]
    sql: dict[str, int]


def serve_size(
    args, workdir: Path, stack: contextlib.ExitStack, n_cases: int, port: int
) -> Server:
    """Build a database of ``n_cases`` and serve it on ``port`` until
    ``stack`` closes (the database is dropped then too)."""
    print(f"{n_cases} cases:", flush=True)
    database = stack.enter_context(scratch_database(args.database_url, workdir))
    env = app_environment(database, workdir / f"instance-{n_cases}")
    pages, sql = build(env, n_cases)
    stack.enter_context(gunicorn(env, port, args.workers))
    timed = {
        "bare ping /_bare/ping": "/_bare/ping",
        "bare list /_bare/list": "/_bare/list",
        "/healthz": "/healthz",
        **pages,
    }
    return Server(port, sign_in(port), timed, {**sql, "bare list /_bare/list": 1})


def run(args, workdir: Path) -> tuple[dict[str, Figures], dict[str, Figures] | None]:
    """Serve both sizes at once and time each page in rounds that alternate
    the sizes, page after page: a machine whose speed drifts during the run
    (shared virtual machines do) then weighs on both sizes of a page alike."""
    sizes = [args.cases]
    if args.baseline_cases and args.baseline_cases != args.cases:
        sizes = [args.baseline_cases, args.cases]
    results: dict[int, dict[str, Figures]] = {n: {} for n in sizes}
    with contextlib.ExitStack() as stack:
        servers = {
            n: serve_size(args, workdir, stack, n, args.port + (n != args.cases))
            for n in sizes
        }
        print("timing:", flush=True)
        for name in servers[args.cases].pages:
            timed = {
                n: Timed() for n, server in servers.items() if name in server.pages
            }
            for _ in range(args.rounds):
                for n in timed:
                    server = servers[n]
                    timed[n].add(
                        load(
                            server.port,
                            server.pages[name],
                            server.cookie,
                            args.connections,
                            args.seconds / args.rounds,
                        )
                    )
            for n, pooled in timed.items():
                figures = pooled.figures()
                figures.sql = servers[n].sql.get(name)
                results[n][name] = figures
                print(f"  {name} at {n}: p50 {figures.p50:.1f} ms", flush=True)
    base = results[sizes[0]] if len(sizes) > 1 else None
    return results[args.cases], base


def table(full: dict[str, Figures], base: dict[str, Figures] | None, args) -> str:
    bare = full["bare list /_bare/list"].p50 or float("nan")
    ping = full["bare ping /_bare/ping"].p50 or float("nan")
    small = f"p50@{args.baseline_cases}" if base else ""
    lines = [
        f"{'page':32} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4} "
        f"{'x bare':>7} {small:>10} {'growth':>7}"
    ]
    for name, figures in full.items():
        reference = ping if name == "/healthz" else bare
        earlier = base.get(name) if base else None
        lines.append(
            f"{name[:32]:32} {figures.rps:7.0f} {figures.p50:8.1f} {figures.p95:8.1f} "
            + (f"{figures.sql:4d} " if figures.sql is not None else "   - ")
            + f"{figures.p50 / reference:7.2f} "
            + (
                f"{earlier.p50:10.1f} {figures.p50 / earlier.p50:7.2f}"
                if earlier and earlier.p50
                else f"{'':>10} {'':>7}"
            )
        )
        if figures.errors:
            lines.append(f"{'':32} non-200 answers: {figures.errors}")
    lines.append("x bare: p50 / bare list p50 (/healthz: / bare ping p50)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check_port(args.port)
        check_port(args.port + 1)
        if args.database_url:
            check_database(args.database_url)
        with tempfile.TemporaryDirectory(prefix="tumorboard-bench-") as tmp:
            full, base = run(args, Path(tmp))
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n{where}, {args.cases} cases, gunicorn {args.workers} sync workers, "
        f"{args.connections} connections x {args.seconds:g} s per page, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(table(full, base, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
