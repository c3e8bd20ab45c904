"""The coordinator's pages of interoperability: import a FHIR referral from a
file, and download the registry extract."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from tumorboard.api import registry
from tumorboard.api.fhir import referrals
from tumorboard.auth.permissions import Permission, permission_required
from tumorboard.cases import services as case_services
from tumorboard.db import today
from tumorboard.forms import SelectField, coerce_int_or_none, required

bp = Blueprint("interop", __name__)


class ReferralForm(FlaskForm):
    """A FHIR referral bundle as a JSON file, and the board it is referred to."""

    board_id = SelectField(
        "Board",
        coerce=coerce_int_or_none,
        validators=[required("Choose the board the case is referred to.")],
        description="The board's members read the case; others must ask for access.",
    )
    file = FileField(
        "FHIR bundle (JSON)", validators=[FileRequired("Choose a bundle file.")]
    )


def _bundle(form: ReferralForm):
    try:
        return json.loads(form.file.data.read())
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise referrals.ReferralRefused(
            [
                referrals.Issue(
                    "file", "The file is not JSON: export the bundle as JSON."
                )
            ]
        ) from None


@bp.route("/cases/import", methods=["GET", "POST"])
@permission_required(Permission.CASE_WRITE)
def import_referral():
    form = ReferralForm()
    form.board_id.choices = [(None, "— choose —")] + case_services.board_choices()
    if not form.is_submitted():
        form.board_id.data = case_services.default_board_id(current_user)
    issues: list[referrals.Issue] = []
    if form.validate_on_submit():
        try:
            case, _patient, created = referrals.import_referral(
                current_user, _bundle(form), form.board_id.data
            )
        except referrals.ReferralRefused as refused:
            # Raised before anything was changed, or by a service whose
            # changes the request boundary rolls back: see ``_refuse``.
            issues = refused.issues
            return _refuse(form, issues)
        flash(
            f"Imported {case.reference}"
            + (" with a new patient." if created else " for an existing patient."),
            "success",
        )
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("api/import.html", form=form, issues=issues), (
        400 if form.errors else 200
    )


def _refuse(form: ReferralForm, issues: list[referrals.Issue]):
    referrals.discard_changes()
    return render_template("api/import.html", form=form, issues=issues), 422


@bp.route("/registry/extract.csv")
@permission_required(Permission.IMPLEMENTATION_MONITOR)
def registry_extract():
    body = registry.extract(current_user)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="registry-extract-{today().isoformat()}.csv"'
            )
        },
    )
