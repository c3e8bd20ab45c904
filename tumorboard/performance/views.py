"""Recording the case's performance status, and its panel on the case page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tumorboard.auth.permissions import (
    Permission,
    can_record_performance_status,
    permission_required,
)
from tumorboard.cases import services as case_services
from tumorboard.cases.models import Case
from tumorboard.cases.panels import CasePanel, register_panel
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.performance import services
from tumorboard.performance.forms import PerformanceStatusForm
from tumorboard.web import REFUSED, attempt

bp = Blueprint("performance", __name__)

#: Assessments shown on the case page below the current one.
PANEL_HISTORY = 3


def _load_case(case_id: int) -> Case:
    return db.first_or_404(
        sa.select(Case).where(Case.id == case_id).options(joinedload(Case.patient))
    )


def _child(case: Case, form: PerformanceStatusForm) -> bool:
    """Which scale the form offers: by the patient's age on the assessment
    date typed (today until one is)."""
    on = form.assessed_on.data or today()
    if on < case.patient.birth_date or on > today():
        on = today()
    return services.is_child(case, on)


@bp.route("/cases/<int:case_id>/performance-status", methods=["GET", "POST"])
@permission_required(Permission.PERFORMANCE_RECORD)
def record(case_id: int):
    """Record a new performance status assessment of the case."""
    case = _load_case(case_id)
    current = services.current(case)
    form = PerformanceStatusForm()
    if request.method == "GET":
        form.assessed_on.data = today()
        form.based_on.data = current.number if current else 0
        case_services.record_read(current_user, case)
    if form.validate_on_submit():
        status = attempt(
            form,
            services.record_status,
            current_user,
            case,
            assessed_on=form.assessed_on.data,
            source=form.source.data,
            based_on=form.based_on.data or 0,
            ecog=form.ecog.data,
            karnofsky=form.karnofsky.data,
            lansky=form.lansky.data,
            confirm_disagreement=form.confirm_disagreement.data,
        )
        if status is not REFUSED:
            flash(f"Performance status recorded: {status.values_label}.", "success")
            return redirect(url_for("cases.detail", case_id=case.id) + "#performance")
        case = _load_case(case_id)
        current = services.current(case)
        # A conflict shows the newer assessment; the next save is based on it.
        form.based_on.data = current.number if current else 0
        form.based_on.raw_data = [str(form.based_on.data)]
    return render_template(
        "performance/form.html",
        case=case,
        patient=case.patient,
        form=form,
        current=current,
        child=_child(case, form),
        disagreement=bool(form.confirm_disagreement.errors),
    ), (400 if form.errors else 200)


def _panel(user, case) -> dict:
    assessments = services.history(case)
    return {
        "current": assessments[0] if assessments else None,
        "earlier": assessments[1 : 1 + PANEL_HISTORY],
        "child": services.is_child(case),
        "can_record": can_record_performance_status(user, case),
        "disagreement": (
            services.disagreement_text(assessments[0].ecog, assessments[0].karnofsky)
            if assessments and assessments[0].disagreement_confirmed
            else None
        ),
    }


register_panel(
    CasePanel(
        name="performance",
        template="performance/_panel.html",
        load=_panel,
        slot="side",
        order=8,
    )
)
register_panel(
    CasePanel(
        name="performance_summary",
        template="performance/_present.html",
        load=_panel,
        slot="presentation",
        order=20,
    )
)
