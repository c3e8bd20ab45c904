"""Patient search, registration and record."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.auth.permissions import Permission, authorize, permission_required
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.patients import services
from tumorboard.patients.forms import PatientForm
from tumorboard.patients.models import Patient
from tumorboard.patients.panels import patient_panels
from tumorboard.web import REFUSED, attempt

bp = Blueprint("patients", __name__, url_prefix="/patients")


def _holder_of_mrn(form: PatientForm, patient: Patient | None = None) -> Patient | None:
    """After a refused save: the other patient who holds the typed MRN, to link."""
    if not form.mrn.errors or not form.mrn.data:
        return None
    holder = services.find_by_mrn(form.mrn.data)
    return holder if holder is not None and holder is not patient else None


def _probable_duplicates(
    form: PatientForm, patient: Patient | None = None
) -> list[Patient]:
    """After a save refused as a probable duplicate: the patients to compare."""
    if not form.different_patient.errors:
        return []
    data = form.service_data()
    return services.probable_duplicates(
        data["mrn"],
        data["given_name"],
        data["family_name"],
        data["birth_date"],
        exclude_id=patient.id if patient else None,
    )


_MRN_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9-]+$")


@bp.route("/")
@permission_required(Permission.PATIENT_READ)
def index():
    query = request.args.get("q", "").strip()[:100]
    results = services.search_patients(query, actor=current_user) if query else []
    if query:
        services.record_search(current_user, query, results)
    return render_template("patients/index.html", query=query, results=results)


def _record_shown(existing: Patient | None, duplicates: list[Patient]) -> None:
    """Audit the patients the form shows: the holder of a typed MRN and the
    probable duplicates it warns about."""
    if existing is not None:
        services.record_read(current_user, existing, "as the holder of a typed MRN")
    for patient in duplicates:
        if patient is not existing:
            services.record_read(current_user, patient, "as a probable duplicate")


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.PATIENT_WRITE)
def new():
    form = PatientForm()
    existing = None
    duplicates: list[Patient] = []
    if request.method == "GET":
        query = request.args.get("q", "").strip()
        if _MRN_LIKE.match(query):
            form.mrn.data = query.upper()
        elif query:
            form.family_name.data = query
    if form.validate_on_submit():
        patient = attempt(
            form,
            services.create_patient,
            current_user,
            form.service_data(),
            confirmed_different=form.different_patient.data,
        )
        if patient is not REFUSED:
            flash(f"Patient {patient.display_name} registered.", "success")
            return redirect(url_for("cases.new", patient_id=patient.id))
        existing = _holder_of_mrn(form)
        duplicates = _probable_duplicates(form)
    _record_shown(existing, duplicates)
    return render_template(
        "patients/form.html",
        form=form,
        patient=None,
        existing=existing,
        duplicates=duplicates,
    ), (400 if form.errors else 200)


@bp.route("/<int:patient_id>")
@permission_required(Permission.PATIENT_READ)
def detail(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    authorize(
        services.may_read(current_user, patient),
        "This patient has no case of your work: open the case by its reference "
        "to ask for access.",
    )
    services.record_read(current_user, patient)
    return render_template(
        "patients/detail.html",
        patient=patient,
        panels=patient_panels.load("main", current_user, patient),
    )


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.PATIENT_WRITE)
def edit(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    authorize(
        services.may_read(current_user, patient),
        "This patient has no case of your boards.",
    )
    form = PatientForm(obj=patient if request.method == "GET" else None)
    existing = None
    duplicates: list[Patient] = []
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.update_patient,
            current_user,
            patient,
            form.service_data(),
            form.version.data,
            confirmed_different=form.different_patient.data,
        )
        if saved is not REFUSED:
            flash("Patient record updated.", "success")
            return redirect(url_for("patients.detail", patient_id=patient.id))
        existing = _holder_of_mrn(form, patient)
        duplicates = _probable_duplicates(form, patient)
        if existing is None and not duplicates:
            # The form keeps what was typed; the next save compares with the
            # version now shown alongside it.
            show_current_version(form, patient.version)
    services.record_read(current_user, patient, "for editing")
    _record_shown(existing, duplicates)
    return render_template(
        "patients/form.html",
        form=form,
        patient=patient,
        existing=existing,
        duplicates=duplicates,
    ), (400 if form.errors else 200)
