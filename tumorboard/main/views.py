"""Home page ("My work"), the worklist, and the health checks."""

from __future__ import annotations

import logging

import redis
import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tumorboard.auth.permissions import (
    Permission,
    Role,
    authenticated,
    permission_required,
    public,
)
from tumorboard.cases.services import record_list_read
from tumorboard.extensions import db, limiter
from tumorboard.main import home, worklists
from tumorboard.recommendations.services import count_awaiting_signature

log = logging.getLogger(__name__)

bp = Blueprint("main", __name__)

#: Seconds the readiness check waits for Redis before calling it unavailable;
#: ``READINESS_TIMEOUT`` overrides it.
DEFAULT_READINESS_TIMEOUT = 2.0


@bp.app_template_global()
def signatures_waiting() -> int:
    """Drafts waiting for the signed-in person's signature, for the count
    beside "My work": counted once per request, and only when a page's
    navigation asks for it."""
    if not current_user.is_authenticated:
        return 0
    if "signatures_waiting" not in g:
        g.signatures_waiting = count_awaiting_signature(current_user)
    return g.signatures_waiting


@bp.route("/")
@authenticated
def index():
    """My work: what waits for the signed-in person (the administrator's work
    is the account list, the privacy officer's the break-glass reviews)."""
    if Role(current_user.role) == Role.ADMIN:
        return redirect(url_for("auth.users"))
    if Role(current_user.role) == Role.PRIVACY_OFFICER:
        return redirect(url_for("privacy.index"))
    work = home.home_for(current_user)
    if work.signatures_waiting is not None:
        # The navigation shows the count the page has just made.
        g.signatures_waiting = work.signatures_waiting
    shown = {
        row.case.id: row.case
        for section in work.sections
        for row in section.rows
        if row.case is not None
    }
    if shown:
        record_list_read(current_user, "My work", {}, shown.values())
    return render_template("main/index.html", home=work)


@bp.route("/healthz")
@public
@limiter.exempt
def health():
    """Liveness: the process answers. Touches neither the database nor Redis,
    so that an outage there does not get healthy workers restarted."""
    return {"status": "ok"}


@bp.route("/readyz")
@public
@limiter.exempt
def ready():
    """Readiness: the database answers ``SELECT 1`` and, when the app uses
    Redis, Redis answers ``PING``. 200 when all do, 503 otherwise."""
    checks = {"database": _database_check()}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        checks["redis"] = _redis_check(redis_url)
    all_ok = all(state == "ok" for state in checks.values())
    return (
        {"status": "ok" if all_ok else "unavailable", "checks": checks},
        200 if all_ok else 503,
    )


def _database_check() -> str:
    # A connection of its own, outside the request's session and transaction.
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        cause = getattr(error, "orig", None) or error
        log.warning(
            "readiness: database unavailable: %s: %s",
            type(cause).__name__,
            (str(cause).strip().splitlines() or [""])[0],
        )
        return "unavailable"
    return "ok"


def _redis_check(url: str) -> str:
    timeout = float(
        current_app.config.get("READINESS_TIMEOUT", DEFAULT_READINESS_TIMEOUT)
    )
    client = redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        client.ping()
    except Exception as error:
        log.warning("readiness: Redis unavailable: %s", error)
        return "unavailable"
    finally:
        client.close()
    return "ok"


@bp.route("/worklist")
@permission_required(Permission.WORKLIST_READ)
def worklist():
    """The cases waiting for the signed-in user."""
    kind = worklists.worklist_for(current_user)
    page = worklists.page_for(
        current_user,
        kind,
        request.args.get("page", 1, type=int),
        current_app.config["PAGE_SIZE"],
    )
    record_list_read(
        current_user,
        "the worklist",
        {"worklist": kind.kind, "page": page.page},
        (entry.case for entry in page.items),
    )
    return render_template(
        "main/worklist.html",
        worklist=kind,
        page=page,
        blocked=sum(1 for e in page.items if e.checklist and not e.checklist.is_ready),
    )
