"""The board pack: one PDF for a meeting, a cover (board, date, invited
members, agenda with times) and one case summary per agenda item, sent by the
coordinator before the meeting."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import joinedload

from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_read_documents,
    can_view_agenda,
)
from tumorboard.cases.models import Case
from tumorboard.db import utcnow
from tumorboard.documents.pdf import render_pdf
from tumorboard.documents.services import (
    REFUSED,
    Document,
    case_summary_context,
    load_meeting,
)
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Meeting, MeetingStatus

EMPTY = (
    "The agenda of this meeting has no cases yet; the board pack is made once "
    "at least one case is on the agenda."
)


def _agenda(meeting: Meeting) -> list[dict]:
    """The active agenda items in order, each with its planned local time."""
    items = db.session.scalars(
        sa.select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(
            joinedload(AgendaItem.case).joinedload(Case.patient),
            joinedload(AgendaItem.presenter),
        )
        .order_by(AgendaItem.position)
    ).all()
    at = meeting.local_start
    out = []
    for item in items:
        if not item.is_active:
            continue
        out.append({"item": item, "at": at})
        at += timedelta(minutes=item.planned_minutes)
    return out


def board_pack(actor: User, meeting: Meeting) -> Document:
    """The board pack of ``meeting``; refused for an empty or cancelled agenda."""
    authorize(can_read_documents(actor), REFUSED)
    meeting = load_meeting(meeting.id)
    authorize(
        can_view_agenda(actor, meeting),
        "The agenda of this meeting is not published yet; its board pack is "
        "available to the coordinator only.",
    )
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput("This meeting was cancelled; there is no board pack.")
    agenda = _agenda(meeting)
    if not agenda:
        raise InvalidInput(EMPTY)
    summaries = []
    for row in agenda:
        summary = case_summary_context(row["item"].case)
        summary["question"] = row["item"].question
        summaries.append(summary)
    invited = [
        {"name": u.name, "discipline": discipline_of(u.role)}
        for u in meeting.board.members
    ]
    html = render_template(
        "documents/board_pack.html",
        meeting=meeting,
        board=meeting.board,
        agenda=agenda,
        invited=invited,
        summaries=summaries,
        generated_at=utcnow(),
        generated_by=actor,
    )
    cases = [row["item"].case for row in agenda]
    held_on = meeting.local_start.date()
    summary = (
        f"Downloaded the board pack of {meeting.board.name} on {held_on:%d %b %Y} "
        f"({len(cases)} cases: {', '.join(c.reference for c in cases)})"
    )
    # One entry per case in the pack, so that each patient's access history
    # lists the download; each names every case id of the pack.
    case_ids = [c.id for c in cases]
    for case in cases:
        audit.record(
            actor,
            "document.download",
            "meeting",
            meeting.id,
            summary,
            changes={"document": [None, "board_pack"], "cases": [None, case_ids]},
            case_id=case.id,
            patient_id=case.patient_id,
        )
    return Document(
        f"board-pack-{held_on.isoformat()}-meeting-{meeting.id}.pdf",
        render_pdf(html),
        html,
    )
