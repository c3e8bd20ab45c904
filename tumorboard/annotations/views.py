"""Annotation threads on the case page; edit, delete and history."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tumorboard.annotations import services
from tumorboard.annotations.forms import (
    AnnotationForm,
    DeleteAnnotationForm,
    EditAnnotationForm,
)
from tumorboard.annotations.mentions import suggestions
from tumorboard.annotations.models import Annotation
from tumorboard.annotations.rendering import render_markdown
from tumorboard.auth.permissions import (
    Permission,
    authorize,
    can_annotate,
    can_change_annotation,
    permission_required,
)
from tumorboard.cases.models import Case
from tumorboard.cases.panels import CasePanel, register_panel
from tumorboard.cases.services import record_read as record_case_read
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.reviews.models import DisciplineReview
from tumorboard.reviews.services import case_reviews
from tumorboard.web import REFUSED, attempt

bp = Blueprint("annotations", __name__)


def _load_case(case_id: int) -> Case:
    return db.first_or_404(
        sa.select(Case).where(Case.id == case_id).options(joinedload(Case.patient))
    )


def _case_reviews(case_id: int) -> list[DisciplineReview]:
    return sorted(case_reviews(case_id).values(), key=lambda review: review.id)


def _case_url(case_id: int, anchor: str = "annotations") -> str:
    return url_for("cases.detail", case_id=case_id) + f"#{anchor}"


@bp.route("/cases/<int:case_id>/annotations", methods=["POST"])
@permission_required(Permission.ANNOTATION_WRITE)
def create(case_id: int):
    case = _load_case(case_id)
    form = AnnotationForm(reviews=_case_reviews(case.id))
    if form.validate_on_submit():
        note = attempt(
            form,
            services.create_annotation,
            current_user,
            case,
            form.body.data,
            review_id=form.review_id.data,
            parent_id=form.parent_id.data,
        )
        if note is not REFUSED:
            flash("Annotation added.", "success")
            return redirect(_case_url(case.id, f"annotation-{note.id}"))
        case = _load_case(case_id)
    record_case_read(current_user, case, "to annotate it")
    return render_template(
        "annotations/form.html",
        case=case,
        patient=case.patient,
        form=form,
        action=url_for("annotations.create", case_id=case.id),
        title="Add an annotation",
    ), 400


@bp.route("/cases/<int:case_id>/mentions")
@permission_required(Permission.ANNOTATION_WRITE)
def mentions(case_id: int):
    """People who may be mentioned in the case's notes (the autocomplete):
    handles, names and roles only, no patient data."""
    case = db.get_or_404(Case, case_id)
    authorize(can_annotate(current_user, case), "You cannot annotate this case.")
    return jsonify(suggestions(request.args.get("q", ""), case))


def _load_note(annotation_id: int) -> tuple[Annotation, Case]:
    note = db.get_or_404(Annotation, annotation_id)
    return note, _load_case(note.case_id)


@bp.route("/annotations/<int:annotation_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.ANNOTATION_WRITE)
def edit(annotation_id: int):
    note, case = _load_note(annotation_id)
    authorize(
        can_change_annotation(current_user, note),
        "Only the author edits an annotation.",
    )
    if note.is_deleted:
        abort(404)
    if not case.is_open:
        flash(
            "The case is closed or withdrawn; its annotations can no longer be "
            "changed.",
            "error",
        )
        return redirect(_case_url(case.id, f"annotation-{note.id}"))
    form = EditAnnotationForm()
    if request.method == "GET":
        form.body.data = note.body
        form.version.data = note.version
    status = 200
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.edit_annotation,
            current_user,
            case,
            note,
            form.body.data,
            form.version.data,
        )
        if saved is not REFUSED:
            flash("Annotation updated; the earlier text is kept.", "success")
            return redirect(_case_url(case.id, f"annotation-{note.id}"))
        note, case = _load_note(annotation_id)
        show_current_version(form, note.version)
    if form.errors or form.form_errors:
        status = 400
    services.record_read(current_user, case, note, "opened for editing")
    return render_template(
        "annotations/form.html",
        case=case,
        patient=case.patient,
        form=form,
        note=note,
        current_html=render_markdown(note.body),
        action=url_for("annotations.edit", annotation_id=note.id),
        title="Edit your annotation",
    ), status


@bp.route("/annotations/<int:annotation_id>/delete", methods=["GET", "POST"])
@permission_required(Permission.ANNOTATION_WRITE)
def delete(annotation_id: int):
    """Show the note to be deleted; delete it on confirmation."""
    note, case = _load_note(annotation_id)
    authorize(
        can_change_annotation(current_user, note),
        "Only the author deletes an annotation.",
    )
    if note.is_deleted:
        flash("This annotation was already deleted; nothing was changed.", "info")
        return redirect(_case_url(case.id))
    form = DeleteAnnotationForm()
    if request.method == "POST" and request.form.get("confirmed") == "yes":
        if not form.validate_on_submit():
            flash("The form expired; nothing was deleted.", "error")
            return redirect(_case_url(case.id))
        deleted = attempt(
            None,
            services.delete_annotation,
            current_user,
            case,
            note,
            form.version.data,
        )
        if deleted is not REFUSED:
            flash("Annotation deleted; you can still see its history.", "success")
        return redirect(_case_url(case.id))
    if not case.is_open:
        flash(
            "The case is closed or withdrawn; its annotations can no longer be "
            "changed.",
            "error",
        )
        return redirect(_case_url(case.id, f"annotation-{note.id}"))
    if request.method == "POST":
        flash("Confirm deleting the annotation; nothing was deleted yet.", "info")
        return redirect(url_for("annotations.delete", annotation_id=note.id))
    form.version.data = note.version
    services.record_read(current_user, case, note, "to delete it")
    return render_template(
        "annotations/delete.html",
        case=case,
        patient=case.patient,
        note=note,
        html=render_markdown(note.body),
        form=form,
    )


@bp.route("/annotations/<int:annotation_id>/history")
@permission_required(Permission.ANNOTATION_WRITE)
def history(annotation_id: int):
    note, case = _load_note(annotation_id)
    revisions = services.annotation_history(current_user, note)
    services.record_read(current_user, case, note, "its history")
    return render_template(
        "annotations/history.html",
        case=case,
        patient=case.patient,
        note=note,
        revisions=[(r, render_markdown(r.body)) for r in revisions],
    )


def _annotations_panel(user, case) -> dict:
    threads = services.threads(case.id)
    reviews = _case_reviews(case.id)
    rendered = {
        note.id: render_markdown(note.body)
        for thread in threads
        for note in [thread.root, *thread.replies]
        if not note.is_deleted
    }
    return {
        "threads": threads,
        "html": rendered,
        "can_annotate": can_annotate(user, case) and case.is_open,
        "case_open": case.is_open,
        "form": AnnotationForm(formdata=None, reviews=reviews),
        "delete_form": DeleteAnnotationForm(formdata=None),
        "user_id": user.id,
    }


register_panel(
    CasePanel(
        name="annotations",
        template="annotations/_panel.html",
        load=_annotations_panel,
        slot="main",
        order=60,
    )
)


def _notes_panel(user, case) -> dict:
    """The annotation threads, read-only, for the meeting-room screen."""
    threads = services.threads(case.id)
    return {
        "threads": threads,
        "html": {
            note.id: render_markdown(note.body)
            for thread in threads
            for note in [thread.root, *thread.replies]
            if not note.is_deleted
        },
    }


register_panel(
    CasePanel(
        name="annotation_notes",
        template="annotations/_present_notes.html",
        load=_notes_panel,
        slot="presentation_side",
        order=30,
    )
)
