"""Application factory, configuration and HTTP-wide behaviour."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import on_backend
from tests.factories import MFA_KEY
from tumorboard import SQLITE_MMAP_BYTES, create_app
from tumorboard.extensions import db


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TUMORBOARD_SECRET_KEY", raising=False)
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TUMORBOARD_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_production_reads_secret_and_database_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TUMORBOARD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example.org/board")
    monkeypatch.setenv("TUMORBOARD_AUDIT_HMAC_KEY", "k" * 40)
    monkeypatch.setenv("TUMORBOARD_MFA_ENCRYPTION_KEY", MFA_KEY)
    app = create_app()
    assert app.config["SECRET_KEY"] == "s3cret-from-env"
    assert app.config["AUDIT_HMAC_KEY"] == "k" * 40
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://db.example.org/board"
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["ALLOW_DEMO_DATA"] is False


def test_production_refuses_to_start_without_the_audit_key(tmp_path, monkeypatch):
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TUMORBOARD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example.org/board")
    monkeypatch.delenv("TUMORBOARD_AUDIT_HMAC_KEY", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY is not set"):
        create_app()


def test_development_generates_one_secret_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TUMORBOARD_ENV", "development")
    first = create_app()
    second = create_app()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").read_text().strip() == first.config["SECRET_KEY"]
    assert first.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'tumorboard.db'}"
    )


def test_unknown_environment_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TUMORBOARD_ENV", "staging")
    with pytest.raises(RuntimeError, match="not one of development, testing"):
        create_app()


def test_health_endpoint_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_page_gets_the_404_page(client, login_as):
    login_as("coordinator")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.text


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("exception", "title"),
    [
        ("stale", "Changed by someone else"),
        ("integrity", "Conflicts with an existing record"),
    ],
)
def test_crossed_saves_get_a_409_page_not_a_500(
    app, client, login_as, exception, title
):
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from tumorboard.auth.permissions import ACCESS_ATTR, AUTHENTICATED

    def crossed():
        if exception == "stale":
            raise StaleDataError("UPDATE statement on table 'cases' expected 1 row")
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    setattr(crossed, ACCESS_ATTR, AUTHENTICATED)
    app.add_url_rule("/crossed", "crossed", crossed)
    login_as("coordinator")
    response = client.get("/crossed")
    assert response.status_code == 409
    assert title in response.text


def test_a_sqlite_file_is_read_through_memory_mapping(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'board.db'}",
        }
    )
    with app.app_context():
        with db.engine.connect() as connection:
            mapped = connection.execute(sa.text("PRAGMA mmap_size")).scalar()
            journal = connection.execute(sa.text("PRAGMA journal_mode")).scalar()
        db.engine.dispose()
    assert (mapped, journal) == (SQLITE_MMAP_BYTES, "wal")


@on_backend("postgresql")
def test_postgresql_connections_run_without_jit(app, backend):
    """PostgreSQL's JIT compiled the access-scoped worklist for longer than
    the query ran; the app's connections turn it off."""
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {})
    if backend == "postgresql":
        assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
        assert "-c jit=off" in options["options"]
    else:
        # SQLite has no JIT and takes no server options.
        assert "options" not in options


def test_server_options_of_the_database_url_are_kept():
    """``?options=`` in DATABASE_URL (a search path, say) survives the
    settings the app adds to every PostgreSQL connection."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "postgresql://tb@127.0.0.1:1/tb"
            "?options=-csearch_path%3Dboard",
            "DATABASE_STATEMENT_TIMEOUT_MS": 20000,
        }
    )
    given = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    assert given == "-csearch_path=board -c statement_timeout=20000 -c jit=off"
