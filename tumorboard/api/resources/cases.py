"""Cases: the worklist by cursor, one case, intake, edits and status moves."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.board_schemas import CasePatch
from tumorboard.api.core import (
    access,
    etag_of,
    page,
    per_method_access,
    required_version,
)
from tumorboard.api.fhir import export
from tumorboard.api.problems import Problem, problem
from tumorboard.api.schemas import (
    CaseCreate,
    CaseIn,
    CaseListQuery,
    CaseOut,
    CasePage,
    FhirBundle,
    RecommendationList,
    TransitionIn,
)
from tumorboard.audit import services as audit
from tumorboard.auth.permissions import Permission, can_view_case
from tumorboard.cases import listing, services
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.patients.models import Patient
from tumorboard.recommendations.services import queries as recommendation_queries

#: The media type of FHIR JSON.
FHIR_JSON = "application/fhir+json"

bp = Blueprint("api_cases", __name__, url_prefix="/cases", description="Cases")


def visible_case(case_id: int) -> Case:
    """The case if the caller may see it; otherwise 404, as if it did not
    exist (the access scope must not reveal what it hides)."""
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        raise Problem(404, f"There is no case {case_id}.")
    return case


@bp.route("/")
@access(Permission.CASE_READ)
@bp.arguments(CaseListQuery, location="query", as_kwargs=True)
@bp.response(200, CasePage)
def index(limit: int, cursor: int | None = None, **filters: Any):
    """The worklist, newest case first, one page per cursor; audited."""
    after = cursor
    stmt = listing.case_list_query(
        listing.CaseFilters(
            **filters,
            sort="referral",
            viewer_id=current_user.id,
            readable_only=True,
        )
    )
    stmt = stmt.order_by(None).order_by(Case.id.desc())
    if after is not None:
        stmt = stmt.where(Case.id < after)
    found = list(db.session.scalars(stmt.limit(limit + 1)).unique())
    result = page(found, limit)
    services.record_list_read(
        current_user,
        "the case list (API)",
        {**filters, "cursor": cursor, "limit": limit},
        result["items"],
    )
    return result


@bp.route("/", methods=["POST"])
@access(Permission.CASE_WRITE)
@bp.arguments(CaseCreate)
@bp.response(201, CaseOut)
def create(data: dict[str, Any]):
    """Register a case in status referred for an existing patient."""
    patient = db.session.get(Patient, data.pop("patient_id"))
    if patient is None:
        raise Problem(
            422,
            "There is no such patient.",
            errors=[{"field": "patient_id", "message": "No patient with this id."}],
        )
    case = services.create_case(current_user, patient, _with_defaults(data))
    g.etag = etag_of(case)
    return case


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Optional intake fields the service reads, left empty; the board, when
    not named, is the caller's only board (or the only active one)."""
    for key in services.CASE_FIELDS:
        data.setdefault(key, None)
    if data["board_id"] is None:
        data["board_id"] = services.default_board_id(current_user)
    return data


@bp.route("/<int:case_id>")
class CaseRecord(MethodView):
    """One case: read, or replace or change its intake data. One URL rule for
    every method, so an impossible id is a 404 whatever the method."""

    decorators = [per_method_access]

    @access(Permission.CASE_READ)
    @bp.response(200, CaseOut)
    @problem(bp, 404, "No such case, or not visible to the caller")
    def get(self, case_id: int):
        """One case, with its ETag; audited."""
        case = visible_case(case_id)
        services.record_read(current_user, case, "through the API")
        g.etag = etag_of(case)
        return case

    @access(Permission.CASE_WRITE)
    @bp.arguments(CaseIn)
    @bp.response(200, CaseOut)
    @problem(bp, 404, "No such case, or not visible to the caller")
    @problem(bp, 412, "If-Match names an older version")
    @problem(bp, 428, "If-Match is missing")
    def put(self, data: dict[str, Any], case_id: int):
        """Replace the intake data of a case (If-Match required)."""
        case = visible_case(case_id)
        version = required_version(case)
        services.update_case(current_user, case, _with_defaults(data), version)
        db.session.flush()
        g.etag = etag_of(case)
        return case

    @access(Permission.CASE_WRITE)
    @bp.arguments(CasePatch)
    @bp.response(200, CaseOut)
    @problem(bp, 404, "No such case, or not visible to the caller")
    @problem(bp, 412, "If-Match names an older version")
    @problem(bp, 428, "If-Match is missing")
    def patch(self, data: dict[str, Any], case_id: int):
        """Change some intake fields of a case, the others kept (If-Match
        required); the whole intake is checked as on the form."""
        case = visible_case(case_id)
        version = required_version(case)
        current = {key: getattr(case, key) for key in services.CASE_FIELDS}
        services.update_case(current_user, case, {**current, **data}, version)
        db.session.flush()
        g.etag = etag_of(case)
        return case


@bp.route("/<int:case_id>/transitions", methods=["POST"])
@access(Permission.CASE_TRANSITION)
@bp.arguments(TransitionIn)
@bp.response(200, CaseOut)
@problem(bp, 404, "No such case, or not visible to the caller")
@problem(bp, 412, "If-Match names an older version")
@problem(bp, 428, "If-Match is missing")
def transition(data: dict[str, Any], case_id: int):
    """Move the case to another status as the workflow table allows (If-Match
    required; a reason where the table asks for one)."""
    case = visible_case(case_id)
    version = required_version(case)
    services.transition_case(
        current_user, case, data["target"], reason=data.get("reason"), version=version
    )
    db.session.flush()
    g.etag = etag_of(case)
    return case


@bp.route("/<int:case_id>/fhir")
@access(Permission.CASE_READ)
@problem(bp, 404, "No such case, or not visible to the caller")
@bp.response(200, FhirBundle, content_type=FHIR_JSON)
def fhir(case_id: int):
    """The case as a FHIR R4B Bundle (collection) with mCODE profiles; audited."""
    case = visible_case(case_id)
    patient = db.session.get(Patient, case.patient_id)
    bundle = export.case_bundle(case, patient)
    audit.record(
        current_user,
        "case.fhir.download",
        "case",
        case.id,
        f"Exported case {case.reference} as a FHIR bundle",
        case_id=case.id,
        patient_id=case.patient_id,
    )
    response = jsonify(bundle)
    response.mimetype = FHIR_JSON
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{case.reference}-fhir.json"'
        )
    return response


@bp.route("/<int:case_id>/recommendations")
@access(Permission.CASE_READ)
@bp.response(200, RecommendationList)
@problem(bp, 404, "No such case, or not visible to the caller")
def recommendations(case_id: int):
    """Every revision of every board recommendation of the case, newest
    first (signed, drafts and superseded ones); audited."""
    case = visible_case(case_id)
    history = recommendation_queries.case_history(case.id)
    services.record_read(current_user, case, "(its board decisions) through the API")
    return {"items": history}
