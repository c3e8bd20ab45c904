"""Discipline reviews, their history, and the staging and readiness panels."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline
from tumorboard.auth.permissions import (
    Permission,
    authorize,
    can_waive_readiness,
    can_write_review,
    permission_required,
)
from tumorboard.cases.models import BiopsyStatus, Case
from tumorboard.cases.panels import CasePanel, register_panel
from tumorboard.cases.services import record_read as record_case_read
from tumorboard.extensions import db
from tumorboard.reviews import readiness, schemas, services
from tumorboard.reviews import staging as review_staging
from tumorboard.reviews.forms import (
    ReviewFormBase,
    WaiverForm,
    WithdrawWaiverForm,
    review_form_class,
)
from tumorboard.reviews.models import (
    ReadinessDeclaration,
    ReadinessWaiver,
    ReviewRevision,
)
from tumorboard.web import REFUSED, attempt

bp = Blueprint("reviews", __name__)


def _load_case(case_id: int) -> Case:
    return db.first_or_404(
        sa.select(Case).where(Case.id == case_id).options(joinedload(Case.patient))
    )


def _schema_or_404(discipline: str) -> schemas.Schema:
    schema = schemas.find_schema(discipline)
    if schema is None:
        abort(404)
    return schema


class _ReviewFormErrors:
    """The review form as :func:`attempt` reports a refused save on it: the
    message goes to the field it names, also inside a row list
    (``rows-0-field``), or to the form itself."""

    def __init__(self, form: ReviewFormBase):
        self._form = form
        self.form_errors = form.form_errors

    def __getattr__(self, name: str):
        field = self._form.field_named(name)
        if field is None:
            raise AttributeError(name)
        return field


# Review pages ---------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/reviews/<discipline>")
@permission_required(Permission.CASE_READ)
def show(case_id: int, discipline: str):
    """The current revision of a discipline's review, with its history."""
    case = _load_case(case_id)
    schema = _schema_or_404(discipline)
    review = services.get_review(case, schema.discipline)
    history = []
    if review is not None:
        services.record_review_read(
            current_user, case, review, f"revision {review.current_number}"
        )
        history = services.revisions(review)
    else:
        # No review yet, but the page names the patient.
        record_case_read(
            current_user, case, f"(no {schema.discipline.label.lower()} review yet)"
        )
    revision = history[0] if history else None
    return render_template(
        "reviews/show.html",
        case=case,
        patient=case.patient,
        schema=schema,
        review=review,
        revision=revision,
        groups=schemas.display(schema, revision.data) if revision else [],
        scores=schemas.score_lines(revision.scores) if revision else [],
        history=history,
        can_write=can_write_review(current_user, case, schema.discipline),
    )


@bp.route("/cases/<int:case_id>/reviews/<discipline>/revisions/<int:number>")
@permission_required(Permission.CASE_READ)
def revision(case_id: int, discipline: str, number: int):
    """One revision of a discipline's review."""
    case = _load_case(case_id)
    schema = _schema_or_404(discipline)
    review = services.get_review(case, schema.discipline)
    if review is None:
        abort(404)
    history = services.revisions(review)
    chosen = next((r for r in history if r.number == number), None)
    if chosen is None:
        abort(404)
    services.record_review_read(current_user, case, review, f"revision {number}")
    return render_template(
        "reviews/show.html",
        case=case,
        patient=case.patient,
        schema=schema,
        review=review,
        revision=chosen,
        groups=schemas.display(schema, chosen.data),
        scores=schemas.score_lines(chosen.scores),
        history=history,
        can_write=can_write_review(current_user, case, schema.discipline),
    )


@bp.route("/cases/<int:case_id>/reviews/<discipline>/diff")
@permission_required(Permission.CASE_READ)
def diff(case_id: int, discipline: str):
    """The changes between two revisions of a discipline's review."""
    case = _load_case(case_id)
    schema = _schema_or_404(discipline)
    review = services.get_review(case, schema.discipline)
    if review is None:
        abort(404)
    history = services.revisions(review)
    by_number = {r.number: r for r in history}
    new_number = request.args.get("to", type=int) or review.current_number
    old_number = request.args.get("from", type=int) or max(1, new_number - 1)
    old, new = by_number.get(old_number), by_number.get(new_number)
    if old is None or new is None:
        abort(404)
    services.record_review_read(
        current_user,
        case,
        review,
        f"changes from revision {old_number} to {new_number}",
    )
    return render_template(
        "reviews/diff.html",
        case=case,
        patient=case.patient,
        schema=schema,
        review=review,
        old=old,
        new=new,
        changes=schemas.compare(schema, old.data, new.data),
        history=history,
    )


@bp.route("/cases/<int:case_id>/reviews/<discipline>/edit", methods=["GET", "POST"])
@permission_required(Permission.REVIEW_WRITE)
def edit(case_id: int, discipline: str):
    """Write the next revision of a discipline's review."""
    case = _load_case(case_id)
    schema = _schema_or_404(discipline)
    authorize(
        can_write_review(current_user, case, schema.discipline),
        f"Only {schema.discipline.label.lower()} writes this review, and only "
        "while the case is open.",
    )
    review = services.get_review(case, schema.discipline)
    form_class = review_form_class(schema, case)
    newer: ReviewRevision | None = None
    status = 200
    if request.method == "POST":
        form = form_class()
        row_key = request.form.get("add_row")
        if row_key:
            # "Add a row" re-renders the form with one more blank row, no saving.
            if not form.add_row(row_key):
                flash("No more rows can be added to that list.", "warning")
        elif form.validate_on_submit():
            saved = attempt(
                _ReviewFormErrors(form),
                services.save_review,
                current_user,
                case,
                schema.discipline,
                form.service_data(),
                form.base.data,
            )
            if saved is not REFUSED:
                flash(f"{schema.title} saved as revision {saved.number}.", "success")
                return redirect(
                    url_for("reviews.show", case_id=case.id, discipline=discipline)
                )
            status = 400
            case = _load_case(case_id)
            review = services.get_review(case, schema.discipline)
            if review is not None and review.current_number != form.base.data:
                # Someone saved a newer revision since the author opened the
                # form: show it, and make the next save a deliberate overwrite
                # of what the author has now seen.
                newer = review.current_revision
                form.base.data = review.current_number
                form.base.raw_data = [str(review.current_number)]
        if form.errors or form.form_errors:
            status = 400
    else:
        data = (
            schemas.to_form_data(schema, review.current_revision.data) if review else {}
        )
        form = form_class(data=data, base=review.current_number if review else 0)
    # The form shows the patient and the current review: opening it is a read.
    if review is not None:
        services.record_review_read(
            current_user,
            case,
            review,
            f"revision {review.current_number}, opened for editing",
        )
    else:
        record_case_read(
            current_user,
            case,
            f"to write the {schema.discipline.label.lower()} review",
        )
    return render_template(
        "reviews/form.html",
        case=case,
        patient=case.patient,
        schema=schema,
        review=review,
        form=form,
        newer=newer,
        newer_groups=schemas.display(schema, newer.data) if newer else [],
        newer_scores=schemas.score_lines(newer.scores) if newer else [],
    ), status


# Readiness ----------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/readiness/waivers", methods=["POST"])
@permission_required(Permission.READINESS_WAIVE)
def waive(case_id: int):
    """Waive a readiness item, or declare a pre-biopsy discussion."""
    case = _load_case(case_id)
    form = WaiverForm()
    if form.validate_on_submit():
        waiver = attempt(
            form,
            services.waive_item,
            current_user,
            case,
            form.item.data,
            form.reason.data,
            form.kind.data,
        )
        if waiver is not REFUSED:
            flash(
                "Pre-biopsy discussion declared; the reason is on the checklist."
                if waiver.kind == ReadinessDeclaration.PRE_BIOPSY
                else "Readiness item waived; the reason is on the checklist.",
                "success",
            )
            return redirect(url_for("cases.detail", case_id=case.id) + "#readiness")
        case = _load_case(case_id)
    record_case_read(current_user, case, "to waive a readiness item")
    checklist = readiness.check(case)
    return render_template(
        "reviews/waive.html",
        case=case,
        patient=case.patient,
        form=form,
        item=checklist.item(form.item.data or ""),
    ), 400


@bp.route(
    "/cases/<int:case_id>/readiness/waivers/<int:waiver_id>/withdraw", methods=["POST"]
)
@permission_required(Permission.READINESS_WAIVE)
def withdraw_waiver(case_id: int, waiver_id: int):
    """Withdraw a readiness waiver; the item counts as missing again."""
    case = _load_case(case_id)
    waiver = db.get_or_404(ReadinessWaiver, waiver_id)
    if waiver.case_id != case.id:
        abort(404)
    form = WithdrawWaiverForm()
    if not form.validate_on_submit():
        flash("The form expired; nothing was changed.", "error")
    elif (
        attempt(None, services.withdraw_waiver, current_user, case, waiver)
        is not REFUSED
    ):
        flash("Waiver withdrawn; the item counts as missing again.", "success")
    return redirect(url_for("cases.detail", case_id=case.id) + "#readiness")


# Case page panels -------------------------------------------------------------------


def _reviews_panel(user, case) -> dict:
    reviews = services.case_reviews(case.id)
    radiology = reviews.get(Discipline.RADIOLOGY)
    radiology_data = radiology.current_revision.data if radiology else None
    return {
        "reviews": [
            {
                "discipline": discipline,
                "review": reviews.get(discipline),
                "title": schemas.SCHEMAS[discipline].title,
                "can_write": can_write_review(user, case, discipline),
                "needed": readiness.review_is_needed(case, discipline, radiology_data),
            }
            for discipline in REVIEW_DISCIPLINES
        ]
    }


def _staging_panel(user, case) -> dict:
    reviews = services.case_reviews(case.id)
    data = {Discipline(d).value: r.current_revision.data for d, r in reviews.items()}
    return {"staging": review_staging.derive(case, data)}


def _readiness_panel(user, case) -> dict:
    return {
        "checklist": readiness.check(case),
        "can_waive": can_waive_readiness(user, case),
        "pre_biopsy_allowed": BiopsyStatus(case.biopsy_status)
        in (BiopsyStatus.NOT_BIOPSIED, BiopsyStatus.PLANNED),
        "waiver_form": WaiverForm(formdata=None),
        "withdraw_form": WithdrawWaiverForm(formdata=None),
    }


register_panel(
    CasePanel(
        name="reviews",
        template="reviews/_panel_reviews.html",
        load=_reviews_panel,
        slot="main",
        order=10,
    )
)
register_panel(
    CasePanel(
        name="readiness",
        template="reviews/_panel_readiness.html",
        load=_readiness_panel,
        slot="side",
        order=5,
    )
)
register_panel(
    CasePanel(
        name="staging",
        template="reviews/_panel_staging.html",
        load=_staging_panel,
        slot="side",
        order=20,
    )
)

# Presentation mode's panels.
import tumorboard.reviews.presentation  # noqa: E402, F401
