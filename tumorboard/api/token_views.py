"""API tokens on the account page: create (the secret shown once), list, revoke."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from tumorboard.api import tokens
from tumorboard.api.models import TOKEN_NAME_LIMIT, ApiToken, TokenScope
from tumorboard.auth.permissions import authenticated
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.forms import SelectField, max_length, required, strip_filter
from tumorboard.web import REFUSED, attempt

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    """A new API token: a name, what it may do, how long it lives."""

    name = StringField(
        "Name",
        filters=[strip_filter],
        validators=[required("Give the token a name."), max_length(TOKEN_NAME_LIMIT)],
    )
    scope = SelectField(
        "Access",
        choices=[(s.value, s.label) for s in TokenScope],
        default=TokenScope.READ.value,
        validators=[required()],
    )
    lifetime_days = SelectField(
        "Expires after",
        choices=[(str(d), f"{d} days") for d in tokens.LIFETIMES],
        default="30",
        validators=[required()],
    )


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return render_template(
        "api/tokens.html",
        form=form,
        rows=tokens.tokens_of(current_user),
        secret=secret,
        now=utcnow(),
    ), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@authenticated
def index():
    form = TokenForm()
    if form.validate_on_submit():
        created = attempt(
            form,
            tokens.create_token,
            current_user,
            form.name.data,
            form.scope.data,
            int(form.lifetime_days.data),
        )
        if created is not REFUSED:
            _token, secret = created
            flash("Token created. Copy it now: it is not shown again.", "success")
            return _page(TokenForm(formdata=None), secret)
    return _page(form, status=400 if form.errors else 200)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@authenticated
def revoke(token_id: int):
    # Someone else's token is as unknown as one that does not exist.
    row = db.first_or_404(
        sa.select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == current_user.id
        )
    )
    if attempt(None, tokens.revoke_token, current_user, row) is not REFUSED:
        flash("The token is revoked; requests made with it are refused.", "success")
    return redirect(url_for("tokens.index"))
