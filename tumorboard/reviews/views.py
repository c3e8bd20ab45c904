"""Discipline reviews, their history, the staging and readiness panels, and
the "waiting for me" worklist."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
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
from tumorboard.errors import Conflict, ServiceError, apply_to_form
from tumorboard.extensions import db
from tumorboard.reviews import readiness, schemas, services, worklists
from tumorboard.reviews import staging as review_staging
from tumorboard.reviews.forms import WaiverForm, WithdrawWaiverForm, review_form_class
from tumorboard.reviews.models import ReadinessWaiver, ReviewRevision

bp = Blueprint("reviews", __name__)


def _load_case(case_id: int) -> Case:
    return db.first_or_404(
        sa.select(Case).where(Case.id == case_id).options(joinedload(Case.patient))
    )


def _schema_or_404(discipline: str) -> schemas.Schema:
    try:
        return schemas.schema_for(discipline)
    except ServiceError:
        abort(404)


def apply_review_error(form, error: ServiceError) -> None:
    """Attach a service error to its field, also inside row lists
    (``rows-0-field``), or to the form itself."""
    field = None
    parts = (error.field or "").split("-")
    if len(parts) == 1:
        field = form._fields.get(parts[0])
    elif len(parts) == 3 and parts[1].isdigit() and parts[0] in form._fields:
        entries = form._fields[parts[0]].entries
        index = int(parts[1])
        if index < len(entries):
            field = entries[index].form._fields.get(parts[2])
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        apply_to_form(form, error)


# Review pages ---------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/reviews/<discipline>")
@permission_required(Permission.CASE_READ)
def show(case_id: int, discipline: str):
    case = _load_case(case_id)
    patient = case.patient  # kept: a commit or rollback expires the case
    schema = _schema_or_404(discipline)
    review = services.get_review(case, schema.discipline)
    history = []
    if review is not None:
        services.record_review_read(
            current_user, case, review, f"revision {review.current_number}"
        )
        db.session.commit()
        history = services.revisions(review)
    revision = history[0] if history else None
    return render_template(
        "reviews/show.html",
        case=case,
        patient=patient,
        schema=schema,
        review=review,
        revision=revision,
        groups=schemas.display(schema, revision.data) if revision else [],
        history=history,
        can_write=can_write_review(current_user, case, schema.discipline),
    )


@bp.route("/cases/<int:case_id>/reviews/<discipline>/revisions/<int:number>")
@permission_required(Permission.CASE_READ)
def revision(case_id: int, discipline: str, number: int):
    case = _load_case(case_id)
    patient = case.patient  # kept: a commit or rollback expires the case
    schema = _schema_or_404(discipline)
    review = services.get_review(case, schema.discipline)
    if review is None:
        abort(404)
    history = services.revisions(review)
    chosen = next((r for r in history if r.number == number), None)
    if chosen is None:
        abort(404)
    services.record_review_read(current_user, case, review, f"revision {number}")
    db.session.commit()
    return render_template(
        "reviews/show.html",
        case=case,
        patient=patient,
        schema=schema,
        review=review,
        revision=chosen,
        groups=schemas.display(schema, chosen.data),
        history=history,
        can_write=can_write_review(current_user, case, schema.discipline),
    )


@bp.route("/cases/<int:case_id>/reviews/<discipline>/diff")
@permission_required(Permission.CASE_READ)
def diff(case_id: int, discipline: str):
    case = _load_case(case_id)
    patient = case.patient  # kept: a commit or rollback expires the case
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
    db.session.commit()
    return render_template(
        "reviews/diff.html",
        case=case,
        patient=patient,
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
    case = _load_case(case_id)
    patient = case.patient  # kept: a commit or rollback expires the case
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
            try:
                saved = services.save_review(
                    current_user,
                    case,
                    schema.discipline,
                    form.service_data(),
                    form.base.data,
                )
            except ServiceError as error:
                db.session.rollback()
                apply_review_error(form, error)
                if isinstance(error, Conflict):
                    review = services.get_review(_load_case(case_id), schema.discipline)
                    if review is not None:
                        newer = review.current_revision
                        # The next save is a deliberate overwrite of what the
                        # author has now seen.
                        form.base.data = review.current_number
                        form.base.raw_data = [str(review.current_number)]
            else:
                db.session.commit()
                flash(f"{schema.title} saved as revision {saved.number}.", "success")
                return redirect(
                    url_for("reviews.show", case_id=case.id, discipline=discipline)
                )
        if form.errors or form.form_errors:
            status = 400
    else:
        data = (
            schemas.to_form_data(schema, review.current_revision.data) if review else {}
        )
        form = form_class(data=data, base=review.current_number if review else 0)
        if review is not None:
            # The form shows the current review, so opening it is a read.
            services.record_review_read(
                current_user,
                case,
                review,
                f"revision {review.current_number}, opened for editing",
            )
            db.session.commit()
    return render_template(
        "reviews/form.html",
        case=case,
        patient=patient,
        schema=schema,
        review=review,
        form=form,
        newer=newer,
        newer_groups=schemas.display(schema, newer.data) if newer else [],
    ), status


# Readiness ----------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/readiness/waivers", methods=["POST"])
@permission_required(Permission.READINESS_WAIVE)
def waive(case_id: int):
    case = _load_case(case_id)
    patient = case.patient  # kept: a commit or rollback expires the case
    form = WaiverForm()
    if form.validate_on_submit():
        try:
            services.waive_item(
                current_user, case, form.item.data, form.reason.data, form.kind.data
            )
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
        else:
            db.session.commit()
            flash("Readiness item waived; the reason is on the checklist.", "success")
            return redirect(url_for("cases.detail", case_id=case.id) + "#readiness")
    checklist = readiness.check(_load_case(case_id))
    return render_template(
        "reviews/waive.html",
        case=case,
        patient=patient,
        form=form,
        item=checklist.item(form.item.data or ""),
    ), 400


@bp.route(
    "/cases/<int:case_id>/readiness/waivers/<int:waiver_id>/withdraw", methods=["POST"]
)
@permission_required(Permission.READINESS_WAIVE)
def withdraw_waiver(case_id: int, waiver_id: int):
    case = _load_case(case_id)
    waiver = db.get_or_404(ReadinessWaiver, waiver_id)
    if waiver.case_id != case.id:
        abort(404)
    form = WithdrawWaiverForm()
    if not form.validate_on_submit():
        flash("The form expired; nothing was changed.", "error")
    else:
        try:
            services.withdraw_waiver(current_user, case, waiver)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Waiver withdrawn; the item counts as missing again.", "success")
    return redirect(url_for("cases.detail", case_id=case.id) + "#readiness")


# Worklist -------------------------------------------------------------------------


@bp.route("/worklist")
@permission_required(Permission.WORKLIST_READ)
def worklist():
    kind = worklists.worklist_for(current_user)
    page = worklists.page_for(
        current_user,
        kind,
        request.args.get("page", 1, type=int),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "reviews/worklist.html",
        worklist=kind,
        page=page,
        blocked=sum(1 for e in page.items if e.checklist and not e.checklist.is_ready),
    )


# Case page panels -------------------------------------------------------------------


def _reviews_panel(user, case) -> dict:
    reviews = services.case_reviews(case.id)
    return {
        "reviews": [
            {
                "discipline": discipline,
                "review": reviews.get(discipline),
                "title": schemas.SCHEMAS[discipline].title,
                "can_write": can_write_review(user, case, discipline),
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
register_panel(
    CasePanel(
        name="review_summaries",
        template="reviews/_panel_reviews.html",
        load=_reviews_panel,
        slot="presentation",
        order=20,
    )
)
register_panel(
    CasePanel(
        name="staging_summary",
        template="reviews/_panel_staging.html",
        load=_staging_panel,
        slot="presentation",
        order=25,
    )
)
