"""Patient search, registration and record."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tumorboard.auth.permissions import Permission, permission_required
from tumorboard.cases.models import Case
from tumorboard.errors import ServiceError, apply_to_form
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.patients import services
from tumorboard.patients.forms import PatientForm
from tumorboard.patients.models import Patient

bp = Blueprint("patients", __name__, url_prefix="/patients")

_MRN_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9-]+$")


@bp.route("/")
@permission_required(Permission.PATIENT_READ)
def index():
    query = request.args.get("q", "").strip()[:100]
    results = services.search_patients(query) if query else []
    return render_template("patients/index.html", query=query, results=results)


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.PATIENT_WRITE)
def new():
    form = PatientForm()
    existing = None
    if request.method == "GET":
        query = request.args.get("q", "").strip()
        if _MRN_LIKE.match(query):
            form.mrn.data = query.upper()
        elif query:
            form.family_name.data = query
    if form.validate_on_submit():
        try:
            patient = services.create_patient(current_user, form.service_data())
        except services.DuplicateMRN as error:
            db.session.rollback()
            existing = db.session.get(Patient, error.existing.id)
            apply_to_form(form, error)
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
        else:
            db.session.commit()
            flash(f"Patient {patient.display_name} registered.", "success")
            return redirect(url_for("cases.new", patient_id=patient.id))
    return render_template(
        "patients/form.html", form=form, patient=None, existing=existing
    ), (400 if form.errors else 200)


@bp.route("/<int:patient_id>")
@permission_required(Permission.PATIENT_READ)
def detail(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.patient_id == patient.id)
        .options(joinedload(Case.lead_clinician))
        .order_by(Case.referral_date.desc(), Case.id.desc())
    ).all()
    services.record_read(current_user, patient)
    db.session.commit()
    return render_template("patients/detail.html", patient=patient, cases=cases)


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.PATIENT_WRITE)
def edit(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = PatientForm(obj=patient if request.method == "GET" else None)
    existing = None
    if form.validate_on_submit():
        try:
            services.update_patient(
                current_user, patient, form.service_data(), form.version.data
            )
        except services.DuplicateMRN as error:
            db.session.rollback()
            existing = db.session.get(Patient, error.existing.id)
            apply_to_form(form, error)
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
            # The form keeps what was typed; the next save compares with the
            # version now shown alongside it.
            patient = db.session.get(Patient, patient_id)
            show_current_version(form, patient.version)
        else:
            db.session.commit()
            flash("Patient record updated.", "success")
            return redirect(url_for("patients.detail", patient_id=patient.id))
    return render_template(
        "patients/form.html", form=form, patient=patient, existing=existing
    ), (400 if form.errors else 200)
