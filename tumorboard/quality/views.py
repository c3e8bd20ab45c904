"""The quality dashboard, its drill-downs and CSV downloads."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tumorboard.auth import signing
from tumorboard.auth.permissions import (
    Permission,
    authorize,
    can_sign_recommendation,
    permission_required,
)
from tumorboard.cases.models import CaseType
from tumorboard.db import today
from tumorboard.meetings import services as meetings
from tumorboard.quality import charts, exports, ratification, services
from tumorboard.quality.filters import Filters, clean_filters, default_filters
from tumorboard.quality.forms import QualityFilterForm, RatifyForm
from tumorboard.web import REFUSED, attempt

bp = Blueprint("quality", __name__, url_prefix="/quality")


def _filters(form: QualityFilterForm, boards) -> Filters | None:
    """The validated filters of the request (the last twelve months when the
    form was not sent), or None with the errors on the form."""
    if not request.args:
        filters = default_filters(today())
        form.start.data = filters.start.isoformat()
        form.end.data = filters.end.isoformat()
        return filters
    data = {
        "start": form.start.data,
        "end": form.end.data,
        "board": form.board.data,
        "case_type": form.case_type.data,
    }
    filters = attempt(form, clean_filters, data, {b.id for b in boards})
    return None if filters is REFUSED else filters


@bp.route("/")
@permission_required(Permission.QUALITY_READ)
def dashboard():
    """Every indicator the reader may see, for the filters chosen."""
    boards = services.boards()
    form = QualityFilterForm(request.args, boards=boards)
    filters = _filters(form, boards)
    figures = [] if filters is None else services.dashboard(current_user, filters)
    return render_template(
        "quality/dashboard.html",
        form=form,
        filters=filters,
        figures=figures,
        charts={f.key: charts.chart(f) for f in figures},
        month_label=charts.month_label,
        month_value=charts.month_value,
        args=filters.query_args() if filters else {},
        board_name=next(
            (b.name for b in boards if filters and b.id == filters.board_id), None
        ),
        case_type_label=(
            CaseType(filters.case_type).label if filters and filters.case_type else None
        ),
    ), (200 if filters is not None else 400)


def _filters_or_400() -> Filters:
    boards = services.boards()
    form = QualityFilterForm(request.args, boards=boards)
    filters = _filters(form, boards)
    if filters is None:
        abort(400)
    return filters


@bp.route("/<key>/list")
@permission_required(Permission.QUALITY_READ)
def drilldown(key: str):
    """The cases (or meetings) behind one figure."""
    filters = _filters_or_400()
    part = request.args.get("part", "denominator")
    result = exports.drilldown(current_user, key, part, filters)
    return render_template(
        "quality/drilldown.html",
        result=result,
        filters=filters,
        args=filters.query_args(),
    )


@bp.route("/<key>.csv")
@permission_required(Permission.QUALITY_READ)
def download(key: str):
    """One indicator by month as CSV; refused for an indicator not shown to
    the reader."""
    filters = _filters_or_400()
    name, text = exports.csv_export(current_user, key, filters)
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/meetings/<int:meeting_id>/ratify", methods=["GET", "POST"])
@permission_required(Permission.RECOMMENDATION_SIGN)
def ratify(meeting_id: int):
    """The chair signs every standard-of-care item's draft in one step."""
    meeting = meetings.load_meeting(meeting_id)
    authorize(can_sign_recommendation(current_user, meeting), ratification.REFUSED)
    form = RatifyForm()
    if form.validate_on_submit():
        # Confirmed outside attempt(): a refused password stays counted and audited.
        step_up = signing.confirm_signature(
            current_user,
            form.password.data,
            purpose="ratify the standard-of-care cases",
        )
        if isinstance(step_up, str):
            form.password.errors = [*form.password.errors, step_up]
        else:
            signed = attempt(
                form,
                ratification.ratify_standard_of_care,
                current_user,
                meeting,
                step_up=step_up,
                override_reason=form.override_reason.data,
            )
            if signed is not REFUSED:
                flash(
                    f"{len(signed)} standard-of-care "
                    f"{'case' if len(signed) == 1 else 'cases'} ratified; each "
                    "recommendation is signed.",
                    "success",
                )
                return redirect(url_for("meetings.detail", meeting_id=meeting_id))
            meeting = meetings.load_meeting(meeting_id)
    form.password.data = ""
    found = ratification.ratifiable(meeting)
    shown = [item for item, _ in found.ready] + found.without_draft + found.signed
    meetings.record_agenda_read(current_user, meeting, shown)
    return render_template(
        "quality/ratify.html",
        meeting=meeting,
        found=found,
        form=form,
        quorum=meetings.quorum(meeting),
    ), (400 if form.errors else 200)
