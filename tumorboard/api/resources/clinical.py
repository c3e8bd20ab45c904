"""A case's clinical status (diagnosis, location, performance status), a new
performance status assessment, and the staging the case page shows."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.core import access
from tumorboard.api.problems import Problem, problem
from tumorboard.api.record_schemas import (
    ClinicalStatusOut,
    PerformanceStatusIn,
    PerformanceStatusOut,
    StagingOut,
)
from tumorboard.api.resources.cases import visible_case
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.permissions import (
    Permission,
    authorize,
    can_record_performance_status,
)
from tumorboard.cases import services as cases
from tumorboard.cases.models import Case
from tumorboard.performance import services as performance
from tumorboard.performance.models import PerformanceStatus
from tumorboard.reviews import services as reviews
from tumorboard.reviews import staging as review_staging

bp = Blueprint(
    "api_clinical",
    __name__,
    url_prefix="/cases",
    description="Clinical status, performance status and staging of a case",
)


def performance_etag(case: Case, current: PerformanceStatus | None) -> str:
    """The ETag of a case's performance status: the number of its current
    assessment (0 for none), which a new assessment must be based on."""
    return f'"performance-status-{case.id}-n{current.number if current else 0}"'


def _based_on(case: Case, current: PerformanceStatus | None) -> int:
    """The assessment number the client last read, from ``If-Match``: 428
    without it, 412 when a newer assessment was recorded meanwhile (as the
    form's "based on" field)."""
    given = request.headers.get("If-Match")
    expected = performance_etag(case, current)
    if not given:
        raise Problem(
            428,
            "Send If-Match with the ETag of the clinical status you last read, "
            "so that no newer assessment is overlooked.",
        )
    if given.strip() != expected:
        raise Problem(
            412,
            "Someone recorded a newer performance status for this case since you "
            "read it. Read it again and check it before recording.",
            headers={"ETag": expected},
        )
    return current.number if current else 0


@bp.route("/<int:case_id>/clinical-status")
@access(Permission.CASE_READ)
@bp.response(200, ClinicalStatusOut)
@problem(bp, 404, "No such case, or not visible to the caller")
def clinical_status(case_id: int):
    """Working and confirmed diagnosis, location, and the performance status
    (current and every earlier assessment, newest first), with the ETag a new
    assessment needs; audited as a read of the case."""
    case = visible_case(case_id)
    history = performance.history(case)
    current = history[0] if history else None
    cases.record_read(current_user, case, "(its clinical status) through the API")
    g.etag = performance_etag(case, current)
    return {
        "case_id": case.id,
        "case_type": case.case_type,
        "working_diagnosis": case.working_diagnosis,
        "confirmed_diagnosis": case.confirmed_diagnosis,
        "diagnosis": case.diagnosis_label,
        "diagnosis_confirmed": case.diagnosis_is_confirmed,
        "known_primary": case.known_primary,
        "site_code": case.site_code,
        "bone": case.bone,
        "bone_end": case.bone_end,
        "bone_segment": case.bone_segment,
        "pelvic_zones": case.pelvic_zones,
        "vertebral_level": case.vertebral_level,
        "laterality": case.laterality,
        "location": case.location_label,
        "performance_status": {
            "current": current,
            "history": history,
            "scale": "lansky" if performance.is_child(case) else "ecog",
            "disagreement": (
                performance.disagreement_text(current.ecog, current.karnofsky)
                if current is not None and current.disagreement_confirmed
                else None
            ),
        },
    }


@bp.route("/<int:case_id>/performance-status", methods=["POST"])
@access(Permission.PERFORMANCE_RECORD)
@bp.arguments(PerformanceStatusIn)
@bp.response(201, PerformanceStatusOut)
@problem(bp, 403, "Not a treating clinician of this case, or the case is closed")
@problem(bp, 404, "No such case, or not visible to the caller")
@problem(bp, 412, "A newer assessment was recorded since the ETag was read")
@problem(bp, 428, "If-Match is missing")
def record_performance_status(data: dict[str, Any], case_id: int):
    """Record a new assessment (If-Match: the clinical status's ETag). ECOG
    and/or Karnofsky from 16 years on the day assessed, Lansky before; an ECOG
    and a Karnofsky that disagree need ``confirm_disagreement``."""
    case = visible_case(case_id)
    # Refused before the version is checked, as the form is never offered.
    authorize(
        can_record_performance_status(current_user, case),
        "You cannot record the performance status of this case.",
    )
    based_on = _based_on(case, performance.current(case))
    status = performance.record_status(
        current_user,
        case,
        assessed_on=data["assessed_on"],
        source=data["source"],
        based_on=based_on,
        ecog=data.get("ecog"),
        karnofsky=data.get("karnofsky"),
        lansky=data.get("lansky"),
        confirm_disagreement=data["confirm_disagreement"],
    )
    g.etag = performance_etag(case, status)
    return performance.current(case)


@bp.route("/<int:case_id>/staging")
@access(Permission.CASE_READ)
@bp.response(200, StagingOut)
@problem(bp, 404, "No such case, or not visible to the caller")
def staging(case_id: int):
    """AJCC 8th bone (T, N, M, grade, stage group) and Enneking staging as
    the case page derives them from the current reviews, with what is missing
    for the rest; audited as a read of the case."""
    case = visible_case(case_id)
    current = reviews.case_reviews(case.id)
    data = {Discipline(d).value: r.current_revision.data for d, r in current.items()}
    cases.record_read(current_user, case, "(its staging) through the API")
    return review_staging.derive(case, data)
