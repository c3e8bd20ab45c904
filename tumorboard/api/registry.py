"""The cancer-registry extract: one CSV row per case, coded values and dates
only (no names, no free text), in the documented column order."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from tumorboard.auth.models import User
from tumorboard.auth.permissions import Permission, authorize, has_permission
from tumorboard.cases import listing
from tumorboard.cases import services as cases
from tumorboard.cases.models import Case
from tumorboard.clinical import catalogue
from tumorboard.documents import content
from tumorboard.extensions import db
from tumorboard.recommendations.models import Recommendation, RecommendationState
from tumorboard.recommendations.services import queries as recommendations

#: The columns, in order (documented in docs/api.md).
COLUMNS = (
    "case_reference",
    "case_type",
    "status",
    "diagnosis",
    "diagnosis_confirmed",
    "icdo3_morphology",
    "icdo3_topography",
    "laterality",
    "ajcc_t",
    "ajcc_n",
    "ajcc_m",
    "ajcc_grade",
    "ajcc_stage_group",
    "enneking_stage",
    "referral_date",
    "first_discussion_date",
    "treatment_start_date",
    "recommendation_types",
    "implementation_status",
)


def _morphology(case: Case) -> str:
    key = case.confirmed_diagnosis or case.working_diagnosis
    try:
        return (catalogue.who_entity(key).icdo_code or "") if key else ""
    except ValueError:
        return ""


def row(case: Case, recs: list[Recommendation]) -> dict[str, str]:
    """One case's registry row."""
    _findings, staging = content.findings(case)
    signed = [r for r in recs if r.state == RecommendationState.SIGNED]
    discussed = [
        r.agenda_item.discussed_at or r.agenda_item.meeting.starts_at for r in recs
    ]
    started = [r.implementation_date for r in signed if r.implementation_date]
    return {
        "case_reference": case.reference,
        "case_type": case.case_type.value,
        "status": case.status.value,
        "diagnosis": case.confirmed_diagnosis or case.working_diagnosis or "",
        "diagnosis_confirmed": "yes" if case.confirmed_diagnosis else "no",
        "icdo3_morphology": _morphology(case),
        "icdo3_topography": case.site_code,
        "laterality": case.laterality.value,
        "ajcc_t": staging.t or "",
        "ajcc_n": staging.n or "",
        "ajcc_m": staging.m or "",
        "ajcc_grade": staging.grade or "",
        "ajcc_stage_group": staging.stage_group or "",
        "enneking_stage": staging.enneking or "",
        "referral_date": case.referral_date.isoformat(),
        "first_discussion_date": min(discussed).date().isoformat() if discussed else "",
        "treatment_start_date": min(started).isoformat() if started else "",
        "recommendation_types": ";".join(
            sorted({t.get("code", "") for r in signed for t in r.types})
        ),
        "implementation_status": ";".join(
            r.implementation_status.value for r in reversed(signed)
        ),
    }


def rows(actor: User) -> Iterable[dict[str, str]]:
    """Every case the actor reads (access scope), oldest referral first."""
    stmt = listing.case_list_query(
        listing.CaseFilters(sort="referral", viewer_id=actor.id, readable_only=True)
    )
    shown = list(db.session.scalars(stmt).unique())
    cases.record_list_read(actor, "the registry extract", {}, shown)
    for case in reversed(shown):
        yield row(case, recommendations.case_history(case.id))


def extract(actor: User) -> str:
    """The registry extract as CSV text (coordinator); audited."""
    authorize(
        has_permission(actor, Permission.IMPLEMENTATION_MONITOR),
        "Only the coordinator downloads the registry extract.",
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(actor))
    return out.getvalue()
