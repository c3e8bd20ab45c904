"""FHIR referrals: a Bundle in, a case in ``referred`` out."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema, fields

from tumorboard.api.core import access, etag_of
from tumorboard.api.fhir import referrals
from tumorboard.api.problems import problem
from tumorboard.api.schemas import FhirBundle, ImportResult
from tumorboard.auth.permissions import Permission

FHIR_JSON = "application/fhir+json"

bp = Blueprint("api_fhir", __name__, url_prefix="/fhir", description="FHIR referrals")


@bp.errorhandler(referrals.ReferralRefused)
def refused(error: referrals.ReferralRefused):
    """Every problem of the bundle as an OperationOutcome (nothing was stored:
    the request's transaction was rolled back)."""
    response = jsonify(referrals.outcome(error.issues))
    response.status_code = 422
    response.mimetype = FHIR_JSON
    return response


def invalid_body(error):
    """A body that is not even shaped like a Bundle, as an OperationOutcome."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    issues = [
        referrals.Issue(f"Bundle.{name}", " ".join(map(str, problems)))
        for name, problems in (messages.get("json") or {}).items()
    ] or [referrals.Issue("Bundle", error.description or "Not a FHIR Bundle.")]
    return refused(referrals.ReferralRefused(issues))


class OperationOutcomeSchema(Schema):
    """A FHIR OperationOutcome: one issue per problem, with its path."""

    class Meta:
        unknown = INCLUDE

    resourceType = fields.String()  # noqa: N815
    issue = fields.List(fields.Dict())


@bp.route("/referrals", methods=["POST"])
@access(Permission.CASE_WRITE)
@bp.arguments(FhirBundle, content_type=FHIR_JSON)
@bp.response(201, ImportResult)
@problem(bp, 413, "The bundle is larger than the server accepts")
@bp.alt_response(
    422,
    schema=OperationOutcomeSchema,
    content_type=FHIR_JSON,
    description="The bundle cannot be imported: every problem, nothing stored",
)
def import_referral(bundle: dict[str, Any]):
    """Import a referral Bundle (Patient + Condition, optional ServiceRequest
    and DocumentReferences): the patient is matched by MRN or registered, and
    a case is created in referred. A bad bundle gets a 422 OperationOutcome
    naming each problem (path and message), and nothing is stored."""
    case, patient, created = referrals.import_referral(current_user, bundle)
    g.etag = etag_of(case)
    return {"case": case, "patient_id": patient.id, "patient_created": created}
