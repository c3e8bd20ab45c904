"""Patients: search by MRN or name, and one patient's record."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.core import access, etag_of
from tumorboard.api.problems import Problem, problem
from tumorboard.api.schemas import PatientList, PatientOut, PatientSearchQuery
from tumorboard.auth.permissions import Permission
from tumorboard.extensions import db
from tumorboard.patients import services
from tumorboard.patients.models import Patient

bp = Blueprint("api_patients", __name__, url_prefix="/patients", description="Patients")


@bp.route("/")
@access(Permission.PATIENT_READ)
@bp.arguments(PatientSearchQuery, location="query", as_kwargs=True)
@bp.response(200, PatientList)
def search(q: str):
    """Search patients by MRN or name words (at most 50 results); audited."""
    results = services.search_patients(q, actor=current_user) if q.strip() else []
    if results or q.strip():
        services.record_search(current_user, q, results)
    return {"items": results}


@bp.route("/<int:patient_id>")
@access(Permission.PATIENT_READ)
@bp.response(200, PatientOut)
@problem(bp, 404, "No such patient, or not visible to the caller")
def detail(patient_id: int):
    """One patient's record, with its ETag; audited."""
    patient = db.session.get(Patient, patient_id)
    if patient is None or not services.may_read(current_user, patient):
        raise Problem(404, f"There is no patient {patient_id}.")
    services.record_read(current_user, patient, "through the API")
    g.etag = etag_of(patient)
    return patient
