"""Home page: each role lands on what it works with."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from tumorboard.auth.permissions import (
    Permission,
    Role,
    authenticated,
    has_permission,
    public,
)
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db

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
