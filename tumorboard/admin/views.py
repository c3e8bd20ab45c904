"""Read-only audit log for administrators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Optional

from tumorboard.audit.services import entries_query
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    Permission,
    can_see_audit_values,
    permission_required,
)
from tumorboard.extensions import db
from tumorboard.forms import SelectField, coerce_int_or_none, max_length, strip_filter

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

ENTITY_TYPES = ["case", "patient", "user"]


class AuditFilterForm(FlaskForm):
    """Filters for the audit log (GET, no CSRF)."""

    class Meta:
        csrf = False

    actor = SelectField("Who", coerce=coerce_int_or_none)
    action = StringField(
        "Action starts with", filters=[strip_filter], validators=[max_length(64)]
    )
    entity_type = SelectField(
        "Record type",
        choices=[("", "Any")] + [(t, t.capitalize()) for t in ENTITY_TYPES],
        default="",
    )
    case_id = StringField(
        "Case number", filters=[strip_filter], validators=[Optional()]
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])


@bp.route("/")
@permission_required(Permission.AUDIT_READ)
def index():
    users = db.session.scalars(sa.select(User).order_by(User.name)).all()
    form = AuditFilterForm(request.args)
    form.actor.choices = [(None, "Anyone")] + [(u.id, u.name) for u in users]
    valid = form.validate()
    case_id = None
    if form.case_id.data:
        digits = form.case_id.data.upper().removeprefix("TB-").lstrip("0")
        if digits.isdigit():
            case_id = int(digits)
        else:
            form.case_id.errors.append("Enter a case number such as TB-00012.")
            valid = False
    stmt = (
        entries_query(
            actor_id=form.actor.data,
            action=form.action.data or None,
            entity_type=form.entity_type.data or None,
            case_id=case_id,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        if valid
        else entries_query()
    )
    page = db.paginate(
        stmt, per_page=current_app.config["PAGE_SIZE"] * 2, error_out=False
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/index.html",
        form=form,
        page=page,
        args=args,
        # Administrators have no access to clinical data: they see which fields
        # changed, not the values (which hold diagnoses, notes and names).
        show_values=can_see_audit_values(current_user),
    )
