"""tumorboard: a multidisciplinary bone-tumour board."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, request
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config
from tumorboard import audit, extensions, inputs, requestlog
from tumorboard.auth import mfa_keys
from tumorboard.documents import seal
from tumorboard.instance_keys import instance_key, random_hex
from tumorboard.web import App

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the application: load config, initialise extensions, register blueprints.

    ``config`` is a config class, or a mapping of overrides applied on top of the
    class named by ``TUMORBOARD_ENV`` (``development`` by default).
    """
    app = App(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get(
            "TUMORBOARD_INSTANCE_PATH", str(ROOT / "instance")
        ),
    )
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = config
        config = None
    if config is None:
        env_name = overrides.get("ENV_NAME") or os.environ.get(
            "TUMORBOARD_ENV", "development"
        )
        if env_name not in CONFIGS:
            raise RuntimeError(
                f"TUMORBOARD_ENV={env_name!r} is not one of {', '.join(CONFIGS)}"
            )
        config = CONFIGS[env_name]
    app.config.from_object(config)
    if not app.config.get("TESTING"):
        app.config.from_prefixed_env("TUMORBOARD")
        for key in ("SECRET_KEY", "DATABASE_URL"):
            if os.environ.get(key):
                target = "SQLALCHEMY_DATABASE_URI" if key == "DATABASE_URL" else key
                app.config[target] = os.environ[key]
    app.config.update(overrides)
    _finish_config(app)
    _trust_proxies(app)
    # JSON log lines in production; first, so that every request, refused
    # ones included, gets its id and its log line.
    requestlog.init_app(app)
    # The audit chain's key (production refuses to start without one) and the
    # audit log's JSON-lines copy.
    audit.init_app(app)
    # The key of the second factors' secrets (production refuses to start
    # without one).
    mfa_keys.install_key(app)
    # The certificate that seals letters and minutes, if configured (a
    # configured one that cannot be used stops the start-up).
    seal.init_app(app)

    # ``tumorboard.db`` is the module of column types; the extension is reached
    # through ``extensions`` so the package attribute is never shadowed.
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    # Before the blueprints: their ``<int:...>`` rules take the bounded converter.
    inputs.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_security(app)

    from tumorboard.cli import register_cli
    from tumorboard.errors import register_error_handlers

    register_error_handlers(app)
    # After the HTML error pages: the API answers with problem documents.
    from tumorboard.api import init_app as init_api

    init_api(app)
    register_cli(app)
    return app


def _finish_config(app: Flask) -> None:
    """Fill in what depends on the environment: database URL and secret key."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        uri = f"sqlite:///{Path(app.instance_path) / 'tumorboard.db'}"
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("postgresql"):
        _bound_connect_time(app)
        _bound_statement_time(app)
        _without_jit(app)
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        for key, value in (app.config.get("DATABASE_POOL") or {}).items():
            options.setdefault(key, value)
    # Whatever SQLALCHEMY_ENGINE_OPTIONS says: a connection broken by a
    # database restart is replaced before use rather than failing a request.
    options.setdefault("pool_pre_ping", True)
    if app.config.get("DATABASE_HIDE_PARAMETERS"):
        options.setdefault("hide_parameters", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("REDIS_URL") and os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"

    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError(
                "SECRET_KEY is not set. Production refuses to start without it: "
                "set SECRET_KEY (the same value in every worker)."
            )
        # Development keeps one generated secret so sessions survive restarts.
        app.config["SECRET_KEY"] = instance_key(
            Path(app.instance_path) / "secret_key", random_hex
        )


def _trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, take the client's
    address, scheme, host and port from their X-Forwarded-* headers; with
    none (the default) those headers are ignored, as anyone can send them."""
    count = app.config.get("TRUSTED_PROXY_COUNT") or 0
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise RuntimeError(
            f"TRUSTED_PROXY_COUNT={count!r} is not a number of proxies (0, 1, 2...)"
        )
    if count:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )


#: Seconds to wait for a PostgreSQL connection before the request gets the
#: 503 page; ``DATABASE_CONNECT_TIMEOUT`` overrides it.
DEFAULT_CONNECT_TIMEOUT = 5


def _bound_connect_time(app: Flask) -> None:
    """Give up connecting to an unreachable database after a few seconds
    instead of the operating system's minutes, unless told otherwise."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault(
        "connect_timeout",
        app.config.get("DATABASE_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
    )
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _bound_statement_time(app: Flask) -> None:
    """PostgreSQL cancels a statement after ``DATABASE_STATEMENT_TIMEOUT_MS``
    (production: below gunicorn's worker timeout, so a runaway query ends as
    an error page rather than a killed worker)."""
    timeout = app.config.get("DATABASE_STATEMENT_TIMEOUT_MS")
    if timeout:
        _server_setting(app, "statement_timeout", str(int(timeout)))


def _server_setting(app: Flask, name: str, value: str) -> None:
    """Add ``-c name=value`` to the connections' server options, after those
    the database URL (``?options=...``) or the engine options already give,
    unless they set ``name`` themselves."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    given = connect_args.get("options", url.query.get("options", ""))
    if isinstance(given, tuple):
        given = " ".join(given)
    if f"{name}=" not in given:
        given = f"{given} -c {name}={value}".strip()
    connect_args["options"] = given
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _without_jit(app: Flask) -> None:
    """Turn off PostgreSQL's JIT compilation for the app's connections. The
    access-scope filter makes the planner's cost estimates of a worklist
    large enough to compile it, and compiling took 350 ms of a 380 ms query
    that runs in 25 ms without it; the app's queries are short and many."""
    _server_setting(app, "jit", "off")


#: How much of a SQLite database file is read through memory mapping.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys on SQLite; WAL and a busy timeout for several
    workers; the database file read through memory mapping (every request
    writes its audit entry, which empties the other connections' page
    caches: mapped pages are read without a system call each)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _init_login(app: Flask) -> None:
    from tumorboard.auth import sessions

    login_manager = extensions.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # The cookie's login id must match a live server session of that person
    # (timeouts, same browser): tumorboard/auth/sessions.py.
    login_manager.user_loader(sessions.load_user)
    login_manager.unauthorized_handler(sessions.unauthorized)
    sessions.init_app(app)


def _register_blueprints(app: Flask) -> None:
    import tumorboard.auth.mfa_views  # noqa: F401  (its pages join the auth blueprint)
    import tumorboard.models  # noqa: F401  (complete metadata for Alembic)
    from tumorboard.admin.privacy import bp as privacy_bp
    from tumorboard.admin.views import bp as audit_bp
    from tumorboard.annotations.views import bp as annotations_bp
    from tumorboard.api.import_views import bp as interop_bp
    from tumorboard.api.token_views import bp as tokens_bp
    from tumorboard.attachments.views import bp as attachments_bp
    from tumorboard.auth.session_views import bp as sessions_bp
    from tumorboard.auth.views import bp as auth_bp
    from tumorboard.cases.views import bp as cases_bp
    from tumorboard.documents.views import bp as documents_bp
    from tumorboard.main.views import bp as main_bp
    from tumorboard.meetings.views import bp as meetings_bp
    from tumorboard.notifications import init_app as init_notifications
    from tumorboard.notifications.views import bp as notifications_bp
    from tumorboard.patients.views import bp as patients_bp
    from tumorboard.performance.views import bp as performance_bp
    from tumorboard.quality.views import bp as quality_bp
    from tumorboard.recommendations.views import bp as recommendations_bp
    from tumorboard.reviews.views import bp as reviews_bp

    for blueprint in (main_bp, auth_bp, sessions_bp, tokens_bp):
        app.register_blueprint(blueprint)
    for blueprint in (patients_bp, cases_bp, audit_bp, privacy_bp, interop_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(meetings_bp)
    for blueprint in (recommendations_bp, documents_bp, quality_bp):
        app.register_blueprint(blueprint)
    for blueprint in (performance_bp, reviews_bp, annotations_bp, attachments_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(notifications_bp)
    init_notifications(app)


def _register_template_helpers(app: Flask) -> None:
    from tumorboard import formatting
    from tumorboard.auth.permissions import Permission, Role, can
    from tumorboard.db import today

    app.jinja_env.globals.update(can=can, Permission=Permission, Role=Role)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.context_processor(lambda: {"today": today()})


def _register_security(app: Flask) -> None:
    """Deny undeclared endpoints; send security headers on every response."""
    from tumorboard.auth.permissions import declared_access

    # Production is served over HTTPS only; development and tests over HTTP,
    # where a browser would keep refusing plain HTTP to localhost afterwards.
    hsts = (
        f"max-age={int(app.config['HSTS_MAX_AGE'])}; includeSubDomains"
        if app.config["ENV_NAME"] == "production"
        else None
    )

    @app.before_request
    def deny_undeclared():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if view is None or declared_access(view) is None:
            log.error("endpoint %s declares no access rule", request.endpoint)
            abort(403)
        return None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
            "base-uri 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages carry patient data: never keep them in shared caches.
            headers.setdefault("Cache-Control", "no-store")
        if hsts:
            headers.setdefault("Strict-Transport-Security", hsts)
        return response
