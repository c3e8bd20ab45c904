"""Health checks, and what users see while the database is down: a 503 page
with ``Retry-After``, never a traceback or the bare server error page.

"Down" is an application pointed at a database that cannot be reached: a
closed port for PostgreSQL, a file in a missing folder for SQLite.
"""

from __future__ import annotations

import pytest

from tumorboard import create_app
from tumorboard.auth.sessions import TOKEN_KEY
from tumorboard.extensions import login_manager

DOWN_URLS = {
    "sqlite": "sqlite:////nonexistent-folder/tumorboard.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/none",
}
#: Redis on a closed port.
DOWN_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def down_app(backend, tmp_path):
    """An application whose database cannot be reached."""
    return create_app(
        {
            "ENV_NAME": "testing",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": DOWN_URLS[backend],
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )


@pytest.fixture
def down_client(down_app):
    return down_app.test_client()


def _sign_in_without_database(app, client) -> None:
    """Give ``client`` the session cookie of a signed-in user, as a user who
    signed in before the database went away has."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session["_user_id"] = "signed-in-before-the-outage"
        session["_fresh"] = True
        session["_id"] = identifier
        session[TOKEN_KEY] = "a-session-token-from-before-the-outage"


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    assert "Temporarily unavailable" in response.text
    assert "Traceback" not in response.text
    assert "Internal Server Error" not in response.text
    assert "OperationalError" not in response.text


# -- /healthz and /readyz -----------------------------------------------------------


def test_healthz_answers_without_the_database(down_client):
    response = down_client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_runs_no_query(client, count_queries):
    with count_queries() as counter:
        assert client.get("/healthz").status_code == 200
    assert counter.count == 0


def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_is_503_when_the_database_is_down(down_client):
    response = down_client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "unavailable"},
    }


def test_health_checks_need_no_sign_in_and_no_cache(client):
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("app_config", [{"REDIS_URL": DOWN_REDIS}])
def test_readyz_is_503_when_redis_is_down(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
    }


class _AnsweringRedis:
    pings: list[str] = []

    def __init__(self, url):
        self.url = url

    @classmethod
    def from_url(cls, url, **options):
        assert options["socket_connect_timeout"] <= 5
        return cls(url)

    def ping(self):
        self.pings.append(self.url)
        return True

    def close(self):
        pass


@pytest.mark.parametrize("app_config", [{"REDIS_URL": "redis://cache:6379/0"}])
def test_readyz_pings_redis_when_the_app_uses_it(client, monkeypatch):
    monkeypatch.setattr("tumorboard.main.views.redis.Redis", _AnsweringRedis)
    _AnsweringRedis.pings.clear()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
    }
    assert _AnsweringRedis.pings == ["redis://cache:6379/0"]


def test_readyz_does_not_ask_redis_when_the_app_uses_none(client, monkeypatch):
    monkeypatch.setattr("tumorboard.main.views.redis.Redis", _AnsweringRedis)
    _AnsweringRedis.pings.clear()
    assert client.get("/readyz").status_code == 200
    assert _AnsweringRedis.pings == []


# -- connecting gives up quickly -------------------------------------------------------


def _engine_options(tmp_path, **config) -> dict:
    app = create_app(
        {"ENV_NAME": "testing", "UPLOAD_FOLDER": str(tmp_path / "uploads"), **config}
    )
    return app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_a_postgresql_connection_gives_up_after_five_seconds(tmp_path):
    options = _engine_options(tmp_path, SQLALCHEMY_DATABASE_URI=DOWN_URLS["postgresql"])
    assert options["connect_args"]["connect_timeout"] == 5
    assert options["pool_pre_ping"] is True


def test_the_connect_timeout_is_configurable_and_explicit_options_win(tmp_path):
    url = DOWN_URLS["postgresql"]
    options = _engine_options(
        tmp_path, SQLALCHEMY_DATABASE_URI=url, DATABASE_CONNECT_TIMEOUT=2
    )
    assert options["connect_args"]["connect_timeout"] == 2
    options = _engine_options(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 9, "x": 1}},
    )
    assert options["connect_args"] == {
        "connect_timeout": 9,
        "x": 1,
        "options": "-c jit=off",
    }


def test_sqlite_gets_no_connect_timeout(tmp_path):
    options = _engine_options(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert "connect_args" not in options


# -- pages while the database is down --------------------------------------------


def test_a_public_page_that_reads_the_database_is_a_503(down_client):
    assert_unavailable_page(down_client.get("/calendar/boards/1/token.ics"))


def test_signing_in_while_the_database_is_down_is_a_503(down_client):
    response = down_client.post(
        "/login", data={"email": "someone@example.org", "password": "secret-words"}
    )
    assert_unavailable_page(response)


@pytest.mark.parametrize("path", ["/", "/cases/", "/cases/1", "/worklist"])
def test_a_signed_in_user_gets_the_503_page(down_app, down_client, path):
    _sign_in_without_database(down_app, down_client)
    assert_unavailable_page(down_client.get(path))


def test_an_error_page_that_needs_the_database_becomes_the_503_page(
    down_app, down_client
):
    # The 404 page shows the signed-in user's menu, which needs the database.
    _sign_in_without_database(down_app, down_client)
    assert_unavailable_page(down_client.get("/no/such/page"))


def test_a_page_that_needs_no_database_still_works(down_client):
    response = down_client.get("/login")
    assert response.status_code == 200
    assert "Sign in" in response.text or "sign in" in response.text


def test_the_wait_is_configurable(backend, tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": DOWN_URLS[backend],
            "UNAVAILABLE_RETRY_AFTER": 120,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    response = app.test_client().get("/calendar/boards/1/token.ics")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "120"


def test_in_production_mode_a_lost_database_is_still_the_503_page(down_app):
    # Without TESTING, unhandled errors are not re-raised but shown as pages.
    down_app.testing = False
    down_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = down_app.test_client()
    _sign_in_without_database(down_app, client)
    assert_unavailable_page(client.get("/cases/"))


# -- error pages are the application's, never the server's bare page ----------------


def _add_public_route(app, rule, view):
    from tumorboard.auth.permissions import public

    app.add_url_rule(rule, view.__name__, public(view))


def test_a_wrong_method_keeps_the_allow_header(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Method not allowed" in response.text


def test_an_http_error_without_its_own_page_gets_the_application_page(app, client):
    from flask import abort

    def gone_for_good():
        abort(410)

    _add_public_route(app, "/gone-for-good", gone_for_good)
    response = client.get("/gone-for-good")
    assert response.status_code == 410
    assert "Error 410" in response.text
    assert "tumorboard" in response.text


def test_an_unexpected_error_in_production_mode_is_the_500_page(app, client):
    def broken():
        raise RuntimeError("unexpected")

    _add_public_route(app, "/broken", broken)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "RuntimeError" not in response.text


def test_when_the_error_page_itself_fails_a_plain_page_is_shown(
    app, client, monkeypatch
):
    def broken():
        raise RuntimeError("unexpected")

    def failing_template(*args, **kwargs):
        raise RuntimeError("template broken")

    _add_public_route(app, "/broken", broken)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr("tumorboard.errors.render_template", failing_template)
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Internal Server Error" not in response.text
    assert "template broken" not in response.text
