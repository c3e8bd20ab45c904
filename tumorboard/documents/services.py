"""Build the board's documents from stored data and audit every download.

Each builder authorises, loads everything in a fixed number of queries,
renders an HTML template (print stylesheet inline) and returns the PDF bytes
with a file name; the audit entry says which revision the document shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import joinedload, selectinload

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_read_documents,
    can_view_agenda,
    can_view_case,
)
from tumorboard.cases.models import Case
from tumorboard.clinical import catalogue
from tumorboard.db import utcnow
from tumorboard.documents import content, plain, seal
from tumorboard.documents.pdf import render_pdf
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Attendance, Board, Meeting
from tumorboard.recommendations import services as recommendations
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    Recommendation,
    RecommendationState,
)

REFUSED = "Only clinicians and the coordinator download board documents."
CASE_REFUSED = "This case is outside your work: open it and break the glass to read it."
AGENDA_REFUSED = (
    "Only the board's members, the chair and those present read its minutes."
)


@dataclass(frozen=True)
class Document:
    """A generated PDF and the name it is downloaded under."""

    filename: str
    content: bytes
    #: The rendered HTML, kept for the print view and for tests.
    html: str


def _site_label(code: str) -> str:
    """The topography code with its label, or the bare code if it is unknown."""
    try:
        return f"{code} — {catalogue.topography(code).label}"
    except ValueError:
        return code


def _primary_label(key: str | None) -> str | None:
    """The label of a known metastatic primary, or the stored key if unknown."""
    if not key:
        return None
    try:
        return catalogue.metastatic_primary(key).label
    except ValueError:
        return key


def _load_case(case_id: int) -> Case:
    """The case with its patient and lead clinician."""
    return db.session.scalars(
        sa.select(Case)
        .where(Case.id == case_id)
        .options(
            joinedload(Case.patient),
            joinedload(Case.lead_clinician),
            joinedload(Case.key_worker),
        )
    ).one()


def _record_download(
    actor: User, kind: str, entity_type: str, entity_id: int, summary: str, case=None
) -> None:
    """Audit the download of a document of ``kind``."""
    audit.record(
        actor,
        "document.download",
        entity_type,
        entity_id,
        summary,
        changes={"document": [None, kind]},
        case_id=case.id if case else None,
        patient_id=case.patient_id if case else None,
    )


def case_summary_context(case: Case) -> dict[str, Any]:
    """Everything a case summary shows: the case (loaded with its patient and
    lead clinician), findings, staging, performance status, key images and
    every board decision."""
    case = _load_case(case.id)
    reviews, staging = content.findings(case)
    return {
        "case": case,
        "patient": case.patient,
        "site": _site_label(case.site_code),
        "primary": _primary_label(case.known_primary),
        "reviews": reviews,
        "staging": staging,
        "performance": content.performance_status(case),
        "images": content.thumbnails(case),
        "history": recommendations.case_history(case.id),
    }


def case_summary(actor: User, case: Case) -> Document:
    """The case summary for the board pack: patient, case, reviews, decisions."""
    authorize(can_read_documents(actor), REFUSED)
    authorize(can_view_case(actor, case), CASE_REFUSED)
    summary = case_summary_context(case)
    case, history = summary["case"], summary["history"]
    html = render_template(
        "documents/case_summary.html",
        s=summary,
        case=case,
        history=history,
        generated_at=utcnow(),
        generated_by=actor,
    )
    _record_download(
        actor,
        "case_summary",
        "case",
        case.id,
        f"Downloaded the case summary of {case.reference} (case version "
        f"{case.version}, {len(history)} decision revision(s))",
        case,
    )
    return Document(f"{case.reference}-case-summary.pdf", render_pdf(html), html)


def _seal_context() -> dict[str, Any]:
    """What a sealable document (letter, minutes) prints about its seal."""
    return {"seal_note": seal.seal_note(), "sealed": seal.current_seal() is not None}


def _copy_to(case: Case) -> list[str]:
    """Who receives a copy of the outcome letter besides its addressee: the
    referrer, the patient's GP when recorded, the lead clinician and the key
    worker."""
    out = [f"{case.referring_clinician} (referring clinician)"]
    if case.patient.gp_label:
        out.append(f"{case.patient.gp_label} (general practitioner)")
    if case.lead_clinician:
        out.append(f"{case.lead_clinician.name} (lead clinician)")
    if case.key_worker and case.key_worker_id != case.lead_clinician_id:
        out.append(f"{case.key_worker.name} (key worker)")
    return out


def outcome_letter(actor: User, rec: Recommendation) -> Document:
    """The letter to the referring clinician with a signed recommendation."""
    authorize(can_read_documents(actor), REFUSED)
    rec = db.session.scalars(
        sa.select(Recommendation)
        .where(Recommendation.id == rec.id)
        .options(
            joinedload(Recommendation.agenda_item)
            .joinedload(AgendaItem.meeting)
            .joinedload(Meeting.board),
            joinedload(Recommendation.signed_by),
            joinedload(Recommendation.superseded_by),
            selectinload(Recommendation.action_items).joinedload(ActionItem.owner),
        )
    ).one()
    if not rec.is_signed:
        raise InvalidInput(
            "The outcome letter is sent with a signed recommendation; this "
            "revision is still a draft."
        )
    case = _load_case(rec.case_id)
    authorize(can_view_case(actor, case), CASE_REFUSED)
    meeting = rec.agenda_item.meeting
    reviews, staging = content.findings(case)
    html = render_template(
        "documents/outcome_letter.html",
        staging=staging,
        reviews=reviews,
        actions=[a for a in rec.action_items if a.status == ActionStatus.OPEN],
        copy_to=_copy_to(case),
        plain_steps=plain.steps(rec),
        plain_aim=plain.aim(rec),
        rec=rec,
        case=case,
        patient=case.patient,
        meeting=meeting,
        board=meeting.board,
        item=rec.agenda_item,
        site=_site_label(case.site_code),
        held_on=recommendations.meeting_date(meeting),
        generated_at=utcnow(),
        generated_by=actor,
        **_seal_context(),
    )
    _record_download(
        actor,
        "outcome_letter",
        "recommendation",
        rec.id,
        f"Downloaded the outcome letter for {case.reference} (revision "
        f"{rec.revision}, {rec.state.label.lower()})",
        case,
    )
    pdf = seal.seal_pdf(
        render_pdf(html),
        f"Outcome of the {meeting.board.name} for {case.reference}, "
        f"recommendation revision {rec.revision}",
    )
    return Document(f"{case.reference}-outcome-letter-r{rec.revision}.pdf", pdf, html)


def load_meeting(meeting_id: int) -> Meeting:
    """A meeting with its board, the board's members and the chair, as the
    minutes and the board pack show them."""
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.board).selectinload(Board.members),
            joinedload(Meeting.chair),
        )
    ).one()


def meeting_minutes(actor: User, meeting: Meeting) -> Document:
    """Minutes: attendance, quorum and every item's outcome and revision."""
    authorize(can_read_documents(actor), REFUSED)
    meeting = load_meeting(meeting.id)
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    if meeting.status.value in ("planned", "published", "cancelled"):
        raise InvalidInput(
            f"This meeting is {meeting.status.label.lower()}; minutes exist once "
            "it has started."
        )
    attendance = db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .options(joinedload(Attendance.user))
        .order_by(Attendance.discipline, Attendance.id)
    ).all()
    items = db.session.scalars(
        sa.select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(joinedload(AgendaItem.case).joinedload(Case.patient))
        .order_by(AgendaItem.position)
    ).all()
    revisions: dict[int, list[Recommendation]] = {}
    for rec in db.session.scalars(
        sa.select(Recommendation)
        .join(Recommendation.agenda_item)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(joinedload(Recommendation.signed_by))
        .order_by(Recommendation.revision.desc())
    ):
        revisions.setdefault(rec.agenda_item_id, []).append(rec)
    quorum = recommendations.quorum(meeting)
    present = [a for a in attendance if a.present]
    here = {a.user_id for a in present if a.user_id}
    apologies = {a.user.id: a.user for a in attendance if a.user and not a.present} | {
        u.id: u for u in meeting.board.members if u.id not in here
    }
    overrides = [
        r
        for recs in revisions.values()
        for r in recs
        if r.quorum_override_reason and r.state != RecommendationState.DRAFT
    ]
    held_on = recommendations.meeting_date(meeting)
    html = render_template(
        "documents/minutes.html",
        meeting=meeting,
        board=meeting.board,
        held_on=held_on,
        attendance=attendance,
        present=present,
        apologies=sorted(apologies.values(), key=lambda u: u.name),
        quorum=quorum,
        items=items,
        revisions=revisions,
        overrides=overrides,
        generated_at=utcnow(),
        generated_by=actor,
        **_seal_context(),
    )
    summary = (
        f"Downloaded the minutes of {meeting.board.name} on "
        f"{held_on:%d %b %Y} ({len(items)} items)"
    )
    cases = list({item.case_id: item.case for item in items}.values())
    # One entry per case named in the minutes, so that a patient's access
    # history lists this download; a meeting without items still gets one.
    for case in cases or [None]:
        _record_download(actor, "minutes", "meeting", meeting.id, summary, case)
    pdf = seal.seal_pdf(
        render_pdf(html), f"Minutes of the {meeting.board.name} on {held_on:%d %b %Y}"
    )
    return Document(
        f"minutes-{held_on.isoformat()}-meeting-{meeting.id}.pdf", pdf, html
    )
