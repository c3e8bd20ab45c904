"""The privacy officer's review of break-glass access.

Every grant is listed with who asked, for which case (its reference, never
the patient), why, when, and what was opened under it (the audit entries
that name the grant); the officer marks each grant reviewed with a note.
Grants left unreviewed longer than ``BREAK_GLASS_REVIEW_DAYS`` are overdue.
Like the administrator, the officer sees no clinical values.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import IntegerField, TextAreaField
from wtforms.fields import HiddenField
from wtforms.validators import Optional

from tumorboard.audit.models import AuditEntry
from tumorboard.auth.permissions import Permission, permission_required
from tumorboard.cases import breakglass
from tumorboard.cases.breakglass import BreakGlassGrant
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.forms import (
    SelectField,
    max_length,
    required,
    show_current_version,
    strip_filter,
)
from tumorboard.validation import REASON_LIMIT
from tumorboard.web import REFUSED, attempt

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

#: The list's views: what waits for review, what is overdue, everything.
SHOWN = {
    "unreviewed": "Awaiting review",
    "overdue": "Overdue for review",
    "all": "All grants",
}


class GrantFilterForm(FlaskForm):
    """Which grants to list (GET, no CSRF)."""

    class Meta:
        csrf = False

    shown = SelectField("Show", choices=list(SHOWN.items()), default="unreviewed")


class ReviewForm(FlaskForm):
    """The privacy officer's conclusion on one grant."""

    note = TextAreaField(
        "Review note",
        filters=[strip_filter],
        validators=[
            required("Write what you found, even if the access was justified."),
            max_length(REASON_LIMIT),
        ],
        description="Whether the reason held, and what was done about it if not.",
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


def _counts(overdue_days: int) -> tuple[int, int]:
    waiting = breakglass.grants_query(unreviewed=True).order_by(None)
    overdue = breakglass.grants_query(
        unreviewed=True, older_than_days=overdue_days
    ).order_by(None)
    count = sa.func.count()
    return (
        db.session.scalar(sa.select(count).select_from(waiting.subquery())),
        db.session.scalar(sa.select(count).select_from(overdue.subquery())),
    )


@bp.route("/")
@permission_required(Permission.PRIVACY_REVIEW)
def index():
    form = GrantFilterForm(request.args)
    if not form.validate():
        form.shown.data = "unreviewed"
    days = current_app.config["BREAK_GLASS_REVIEW_DAYS"]
    shown = form.shown.data
    stmt = breakglass.grants_query(
        unreviewed=shown != "all",
        older_than_days=days if shown == "overdue" else None,
    )
    page = db.paginate(
        stmt,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    waiting, overdue = _counts(days)
    return render_template(
        "privacy/index.html",
        form=form,
        page=page,
        args={k: v for k, v in request.args.items() if k != "page" and v},
        waiting=waiting,
        overdue=overdue,
        days=days,
        now=utcnow(),
    )


def _grant_or_404(grant_id: int) -> BreakGlassGrant:
    return db.first_or_404(
        breakglass.grants_query().where(BreakGlassGrant.id == grant_id).order_by(None)
    )


@bp.route("/grants/<int:grant_id>", methods=["GET", "POST"])
@permission_required(Permission.PRIVACY_REVIEW)
def grant(grant_id: int):
    found = _grant_or_404(grant_id)
    form = ReviewForm(version=found.version)
    if form.validate_on_submit():
        reviewed = attempt(
            form,
            breakglass.review,
            current_user,
            found,
            form.note.data,
            form.version.data,
        )
        if reviewed is not REFUSED:
            flash(f"Grant {found.id} marked reviewed.", "success")
            return redirect(url_for("privacy.index"))
        found = _grant_or_404(grant_id)
        show_current_version(form, found.version)
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.break_glass_grant_id == found.id)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at, AuditEntry.id)
        .limit(500)
    ).all()
    return render_template(
        "privacy/grant.html",
        grant=found,
        entries=entries,
        form=form,
        now=utcnow(),
    ), (400 if form.errors else 200)
