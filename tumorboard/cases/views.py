"""Case worklist, intake, detail and status changes."""

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

from tumorboard.audit.models import AuditEntry
from tumorboard.auth.permissions import (
    Permission,
    can,
    can_view_case,
    permission_required,
)
from tumorboard.auth.services import clinicians
from tumorboard.cases import breakglass, listing, services
from tumorboard.cases.forms import (
    BreakGlassForm,
    CaseFilterForm,
    CaseForm,
    TransitionForm,
)
from tumorboard.cases.models import CONFIRMED_METASTASIS, Case, CaseStatus
from tumorboard.cases.panels import load_panels
from tumorboard.cases.search import MAX_QUERY_LENGTH
from tumorboard.cases.workflow import manual_transitions
from tumorboard.clinical import catalogue
from tumorboard.db import prebuilt
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.pagination import paginate
from tumorboard.panels import Panel
from tumorboard.patients import services as patient_services
from tumorboard.patients.models import Patient
from tumorboard.patients.panels import patient_panels
from tumorboard.web import REFUSED, attempt

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _worklist(title: str, mine: bool, key_worker: bool = False):
    staff = clinicians()
    form = CaseFilterForm(request.args, clinicians=staff)
    if not form.validate():
        flash("Some filters were not valid and were ignored.", "warning")
        for field in form:
            if field.errors:
                field.data = field.default
                field.errors = []
    filters = listing.CaseFilters(
        q=form.q.data or "",
        status=form.status.data or "",
        case_type=form.case_type.data or "",
        site=form.site.data or "",
        lead=form.lead.data,
        urgency=form.urgency.data or "",
        sort=form.sort.data or listing.RELEVANCE,
        mine_for=current_user.id if mine else None,
        key_worker_for=current_user.id if key_worker else None,
        viewer_id=current_user.id,
    )
    query = attempt(form, listing.case_list_query, filters)
    page = None
    if query is not REFUSED:
        page = paginate(
            query,
            Case.id,
            per_page=current_app.config["PAGE_SIZE"],
            max_per_page=100,
            error_out=False,
            rows=listing.case_rows_query(),
            total=listing.known_total(filters),
            counted=listing.search_counted(filters),
            keys=listing.search_keys(filters),
        )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    masked: set[int] = set()
    if page is not None:
        masked = services.masked_ids(current_user, page.items)
        services.record_list_read(
            current_user,
            "my patients" if key_worker else "my cases" if mine else "the case list",
            {**filters.audit_query(), "page": page.page},
            page.items,
            masked,
        )
    return render_template(
        "cases/index.html",
        title=title,
        form=form,
        page=page,
        masked=masked,
        args=args,
        mine=mine or key_worker,
        nothing_to_search=bool(filters.q) and not listing.has_search_words(filters.q),
        max_query_length=MAX_QUERY_LENGTH,
    ), (400 if page is None else 200)


@bp.route("/")
@permission_required(Permission.CASE_READ)
def index():
    return _worklist("All cases", mine=False)


@bp.route("/mine")
@permission_required(Permission.CASE_READ)
def mine():
    return _worklist("Cases I lead or registered", mine=True)


@bp.route("/my-patients")
@permission_required(Permission.CASE_READ)
def my_patients():
    """The cases whose patients the signed-in clinician is key worker for."""
    return _worklist("My patients (key worker)", mine=False, key_worker=True)


@bp.route("/new")
@permission_required(Permission.CASE_WRITE)
def start():
    flash("Find the patient first, or register a new one.", "info")
    return redirect(url_for("patients.index"))


@bp.route("/new/<int:patient_id>", methods=["GET", "POST"])
@permission_required(Permission.CASE_WRITE)
def new(patient_id: int):
    patient = db.get_or_404(Patient, patient_id)
    form = CaseForm(clinicians=clinicians(), boards=services.board_choices())
    if not form.is_submitted():
        form.board_id.data = services.default_board_id(current_user)
    if form.validate_on_submit():
        case = attempt(
            form, services.create_case, current_user, patient, form.service_data()
        )
        if case is not REFUSED:
            flash(f"Case {case.reference} registered.", "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    # The form shows whose case it is.
    patient_services.record_read(current_user, patient, "to register a case")
    return render_template("cases/form.html", form=form, patient=patient, case=None), (
        400 if form.errors else 200
    )


def _load_case(case_id: int) -> Case:
    case = db.session.scalar(_case_with_people(), {"case_id": case_id})
    if case is None:
        abort(404)
    return case


@prebuilt
def _case_with_people() -> sa.Select:
    """The case (parameter ``case_id``) with its patient, people and board."""
    return (
        sa.select(Case)
        .where(Case.id == sa.bindparam("case_id"))
        .options(
            joinedload(Case.patient),
            joinedload(Case.lead_clinician),
            joinedload(Case.key_worker),
            joinedload(Case.created_by),
            joinedload(Case.board),
        )
    )


@prebuilt
def _timeline() -> sa.Select:
    """The case's (parameter ``case_id``) last 200 changes, newest first."""
    return (
        sa.select(AuditEntry)
        .where(
            AuditEntry.case_id == sa.bindparam("case_id"),
            # Reads and downloads stay in the audit log, not on the timeline.
            ~AuditEntry.action.like("%.read"),
            ~AuditEntry.action.like("%.download"),
        )
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(200)
    )


def _entity(key: str | None) -> catalogue.WhoEntity | None:
    """The WHO entity stored under ``key``; None for none or a metastasis."""
    if key is None or key == CONFIRMED_METASTASIS:
        return None
    return catalogue.who_entity(key)


def _restricted(case: Case, form: BreakGlassForm | None = None):
    """The page of a case outside the reader's scope: reference, board and
    status, and the break-glass form for clinicians."""
    if form is None and can(Permission.BREAK_GLASS):
        form = BreakGlassForm()
    services.record_refused_read(current_user, case)
    return render_template("cases/restricted.html", case=case, form=form), (
        400 if form is not None and form.errors else 403
    )


@bp.route("/<int:case_id>")
@permission_required(Permission.CASE_READ)
def detail(case_id: int):
    case = _load_case(case_id)
    if not can_view_case(current_user, case):
        return _restricted(case)
    services.record_read(current_user, case)
    timeline = db.session.scalars(_timeline(), {"case_id": case.id}).all()
    return render_template(
        "cases/detail.html",
        case=case,
        timeline=timeline,
        transitions=manual_transitions(case.status),
        main_panels=load_panels("main", current_user, case),
        side_panels=load_panels("side", current_user, case),
        transition_form=TransitionForm(version=case.version),
        site=catalogue.topography(case.site_code),
        working=_entity(case.working_diagnosis),
        confirmed=_entity(case.confirmed_diagnosis),
        primary=(
            catalogue.metastatic_primary(case.known_primary)
            if case.known_primary
            else None
        ),
    )


@bp.route("/<int:case_id>/access", methods=["POST"])
@permission_required(Permission.BREAK_GLASS)
def break_glass(case_id: int):
    """Ask for access to a case outside one's work (break the glass)."""
    case = _load_case(case_id)
    form = BreakGlassForm()
    if form.validate_on_submit():
        grant = attempt(form, breakglass.break_glass, current_user, case.id, form.data)
        if grant is not REFUSED:
            flash(
                f"You have access to {case.reference} until "
                f"{grant.expires_at:%d %b %Y %H:%M} UTC. Every page you open is "
                "recorded and reviewed by the privacy officer.",
                "warning",
            )
            return redirect(url_for("cases.detail", case_id=case.id))
    if can_view_case(current_user, case) and not form.errors:
        return redirect(url_for("cases.detail", case_id=case.id))
    return _restricted(case, form)


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.CASE_WRITE)
def edit(case_id: int):
    case = _load_case(case_id)
    form = CaseForm(
        obj=case if request.method == "GET" else None,
        clinicians=clinicians(),
        boards=services.board_choices(case.board_id),
    )
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.update_case,
            current_user,
            case,
            form.service_data(),
            form.version.data,
        )
        if saved is not REFUSED:
            flash("Case updated.", "success")
            return redirect(url_for("cases.detail", case_id=case.id))
        case = _load_case(case_id)
        show_current_version(form, case.version)
    services.record_read(current_user, case, "for editing")
    return render_template(
        "cases/form.html", form=form, patient=case.patient, case=case
    ), (400 if form.errors else 200)


@bp.route("/<int:case_id>/status", methods=["POST"])
@permission_required(Permission.CASE_TRANSITION)
def transition(case_id: int):
    case = _load_case(case_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash("The status change was incomplete; nothing was changed.", "error")
        return redirect(url_for("cases.detail", case_id=case.id))
    if form.target.data == CaseStatus.WITHDRAWN.value and not request.form.get(
        "confirm"
    ):
        # Withdrawing takes the case off every open agenda: asked twice.
        flash(
            "Tick the box to confirm withdrawing the case; nothing was changed.",
            "error",
        )
        return redirect(url_for("cases.detail", case_id=case.id))
    moved = attempt(
        None,
        services.transition_case,
        current_user,
        case,
        form.target.data,
        reason=form.reason.data,
        version=form.version.data,
    )
    if moved is not REFUSED:
        flash(f"{moved.reference} is now '{moved.status.label}'.", "success")
    return redirect(url_for("cases.detail", case_id=case_id))


def _patient_cases(user, patient: Patient) -> dict:
    cases = services.patient_cases(patient)
    return {"cases": cases, "masked": services.masked_ids(user, cases)}


patient_panels.register(
    Panel(
        name="cases",
        template="cases/_patient_cases.html",
        load=lambda user, patient: _patient_cases(user, patient),
    )
)
