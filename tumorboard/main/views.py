"""Home page: each role lands on what it works with."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.auth.permissions import (
    Permission,
    Role,
    authenticated,
    has_permission,
    permission_required,
    public,
)
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db
from tumorboard.main import worklists

bp = Blueprint("main", __name__)


@bp.route("/")
@authenticated
def index():
    if Role(current_user.role) == Role.ADMIN:
        return redirect(url_for("auth.users"))
    counts = {}
    if has_permission(current_user, Permission.CASE_READ):
        counts = dict(
            db.session.execute(
                sa.select(Case.status, sa.func.count()).group_by(Case.status)
            ).all()
        )
    return render_template("main/index.html", counts=counts, statuses=list(CaseStatus))


@bp.route("/healthz")
@public
def health():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


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
    return render_template(
        "main/worklist.html",
        worklist=kind,
        page=page,
        blocked=sum(1 for e in page.items if e.checklist and not e.checklist.is_ready),
    )
