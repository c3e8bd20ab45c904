"""Read-only audit log for administrators."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, ValidationError
from wtforms.validators import Optional

from tumorboard.audit.services import entries_query, listed
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    Permission,
    can_see_audit_values,
    permission_required,
)
from tumorboard.extensions import db
from tumorboard.forms import SelectField, max_length, strip_filter
from tumorboard.inputs import database_id

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

ENTITY_TYPES = ["case", "patient", "meeting", "user", "request"]

#: Labels of the record types in the filter ("request": refused requests).
ENTITY_LABELS = {"request": "Refused request"}

#: ``TB-00012`` or ``12``: ASCII digits only (``str.isdigit`` also accepts
#: "²" and other digits ``int`` refuses), at most nine so the number fits
#: every database's integer.
CASE_NUMBER = re.compile(r"(?:TB-?)?0*([1-9][0-9]{0,8})", re.ASCII | re.IGNORECASE)


def coerce_id_or_none(value):
    """An account id from the filter, or None for "Anyone"."""
    # "None" is how the "Anyone" option is sent back by the browser.
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    return database_id(str(value))


class AuditFilterForm(FlaskForm):
    """Filters for the audit log (GET, no CSRF)."""

    class Meta:
        csrf = False

    actor = SelectField("Who", coerce=coerce_id_or_none)
    action = StringField(
        "Action starts with", filters=[strip_filter], validators=[max_length(64)]
    )
    entity_type = SelectField(
        "Record type",
        choices=[("", "Any")]
        + [(t, ENTITY_LABELS.get(t, t.capitalize())) for t in ENTITY_TYPES],
        default="",
    )
    case_id = StringField(
        "Case number", filters=[strip_filter], validators=[Optional()]
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    #: The case id named by ``case_id`` once the form validated.
    case_number: int | None = None

    def validate_case_id(self, field) -> None:
        match = CASE_NUMBER.fullmatch(field.data or "")
        if match is None:
            raise ValidationError("Enter a case number such as TB-00012.")
        self.case_number = int(match.group(1))


@bp.route("/")
@permission_required(Permission.AUDIT_READ)
def index():
    users = db.session.scalars(sa.select(User).order_by(User.name)).all()
    form = AuditFilterForm(request.args)
    form.actor.choices = [(None, "Anyone")] + [(u.id, u.name) for u in users]
    valid = form.validate()
    stmt = (
        entries_query(
            actor_id=form.actor.data,
            action=form.action.data or None,
            entity_type=form.entity_type.data or None,
            case_id=form.case_number,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        if valid
        else entries_query()
    )
    page = db.paginate(
        stmt,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"] * 2,
        error_out=False,
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
        listed=listed,
    )
