"""De-identified teaching exports of a case or of a whole meeting.

Names, MRN, birth date and case references are left out; every date is
shifted by one random offset per export (so intervals are kept); age is given
in whole years (90 or over grouped); free text is scanned for the patient's
names, MRN and any written date, which are replaced. Every export is audited.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_export_teaching, can_view_case
from tumorboard.cases.models import BiopsyStatus, Case, CaseType
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, AgendaItemStatus, Board, Meeting
from tumorboard.patients.models import Patient, Sex
from tumorboard.recommendations.models import (
    ConferenceType,
    ImplementationStatus,
    Recommendation,
    TreatmentIntent,
)

REFUSED = "Only clinicians export de-identified cases for teaching."
#: Shift of every date: between 60 and 730 days, earlier or later.
MIN_SHIFT, MAX_SHIFT = 60, 730
#: Ages from this one up are shown as a group (they identify more easily).
OLDEST_SHOWN = 90

NAME = "[name]"
MRN = "[MRN]"
DATE = "[date]"

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    "aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
#: Written dates: 2026-01-03, 3/1/2026, 03.01.26, 3 Jan 2026, January 3, 2026.
_DATES = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{2,4}}\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}\b",
    re.IGNORECASE,
)


def random_shift() -> int:
    """A fresh offset in days for one export (never zero)."""
    days = MIN_SHIFT + secrets.randbelow(MAX_SHIFT - MIN_SHIFT + 1)
    return days if secrets.randbelow(2) else -days


def _name_words(patient: Patient) -> list[str]:
    words = re.split(r"[\s\-']+", f"{patient.given_name} {patient.family_name}")
    return sorted({w for w in words if len(w) >= 2}, key=len, reverse=True)


def scrubber(patient: Patient):
    """A function replacing ``patient``'s names, MRN (with or without
    separators) and any written date in a text."""
    names = _name_words(patient)
    name_re = (
        re.compile(
            r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)",
            re.IGNORECASE,
        )
        if names
        else None
    )
    characters = [re.escape(c) for c in re.sub(r"[\s\-/.]", "", patient.mrn)]
    mrn_re = re.compile(
        r"(?<![\w])" + r"[\s\-/.]?".join(characters) + r"(?![\w])", re.IGNORECASE
    )

    def scrub(text: str | None) -> str:
        if not text:
            return ""
        text = mrn_re.sub(MRN, text)
        text = _DATES.sub(DATE, text)
        return name_re.sub(NAME, text) if name_re else text

    return scrub


def age_in_years(birth: date, on: date) -> int:
    """Whole years of age on a date."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass
class Discussion:
    """One discussion of the case, de-identified."""

    on: date
    day: int
    board: str
    question: str
    status: str
    conference: str | None = None
    intent: str | None = None
    types: list[str] = field(default_factory=list)
    free_text: str = ""
    rationale: str = ""
    implementation: str | None = None


@dataclass
class TeachingCase:
    """One case as shown for teaching."""

    label: str
    summary: str
    case_type: str
    age: str
    sex: str
    presentation: str
    question: str
    referred_on: date
    biopsy: str
    unplanned_excision_on: date | None
    discussions: list[Discussion] = field(default_factory=list)


@dataclass
class TeachingExport:
    """A de-identified case or meeting, with its date shift (not shown)."""

    title: str
    cases: list[TeachingCase]
    shift: int
    meeting_on: date | None = None
    board: str | None = None


def _teaching_case(
    label: str, case: Case, rows: list[tuple], shift: int
) -> TeachingCase:
    patient = case.patient
    scrub = scrubber(patient)
    delta = timedelta(days=shift)
    age = age_in_years(patient.birth_date, case.referral_date)
    result = TeachingCase(
        label=label,
        summary=case.summary_label,
        case_type=CaseType(case.case_type).label,
        age="90 or over" if age >= OLDEST_SHOWN else f"{age} years",
        sex=Sex(patient.sex).label,
        presentation=scrub(case.presentation),
        question=scrub(case.clinical_question),
        referred_on=case.referral_date + delta,
        biopsy=BiopsyStatus(case.biopsy_status).label,
        unplanned_excision_on=(
            case.unplanned_excision_date + delta
            if case.unplanned_excision_date
            else None
        ),
    )
    for item, meeting, board, rec in rows:
        held = meeting.starts_at.date()
        discussion = Discussion(
            on=held + delta,
            day=(held - case.referral_date).days,
            board=board.name,
            question=scrub(item.question),
            status=AgendaItemStatus(item.status).label,
        )
        if rec is not None:
            discussion.conference = ConferenceType(rec.conference_type).label
            discussion.intent = TreatmentIntent(rec.intent).label
            discussion.types = rec.type_labels
            discussion.free_text = scrub(rec.free_text)
            discussion.rationale = scrub(rec.rationale)
            discussion.implementation = ImplementationStatus(
                rec.implementation_status
            ).label
        result.discussions.append(discussion)
    return result


def _discussions(case_ids: list[int]) -> sa.Select:
    return (
        sa.select(AgendaItem, Meeting, Board, Recommendation)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Board, Board.id == Meeting.board_id)
        .outerjoin(
            Recommendation,
            sa.and_(
                Recommendation.agenda_item_id == AgendaItem.id,
                Recommendation.current_key.is_not(None),
            ),
        )
        .where(
            AgendaItem.case_id.in_(case_ids),
            AgendaItem.status.in_(
                [AgendaItemStatus.DISCUSSED.value, AgendaItemStatus.LISTED.value]
            ),
        )
        .order_by(Meeting.starts_at, AgendaItem.id)
    )


def _record(actor: User, action: str, what: str, cases: list[Case], shift: int):
    audit.record(
        actor,
        action,
        "teaching",
        what,
        f"{'Downloaded' if action.endswith('download') else 'Viewed'} the "
        f"de-identified teaching export of {what} ({len(cases)} case(s))",
        changes={
            "case_ids": [None, [c.id for c in cases]],
            "date_shift_days": [None, shift],
        },
        case_id=cases[0].id if len(cases) == 1 else None,
        patient_id=cases[0].patient_id if len(cases) == 1 else None,
    )


def case_export(
    actor: User, case: Case, *, action: str = "teaching.read", shift: int | None = None
) -> TeachingExport:
    """One case, de-identified; the export is audited (``teaching.read`` or
    ``teaching.download``)."""
    authorize(can_export_teaching(actor) and can_view_case(actor, case), REFUSED)
    shift = random_shift() if shift is None else shift
    case = db.session.scalars(
        sa.select(Case).where(Case.id == case.id).options(joinedload(Case.patient))
    ).one()
    rows = db.session.execute(_discussions([case.id])).all()
    export = TeachingExport(
        "Teaching case",
        [_teaching_case("Case A", case, [tuple(r) for r in rows], shift)],
        shift,
    )
    _record(actor, action, case.reference, [case], shift)
    return export


def _letter(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        letters[index]
        if index < 26
        else f"{letters[index // 26 - 1]}{letters[index % 26]}"
    )


def meeting_export(
    actor: User,
    meeting: Meeting,
    *,
    action: str = "teaching.read",
    shift: int | None = None,
) -> TeachingExport:
    """Every case on a meeting's agenda, de-identified with one shared shift;
    each case shows its discussions up to and including this meeting."""
    authorize(can_export_teaching(actor), REFUSED)
    shift = random_shift() if shift is None else shift
    cases = list(
        db.session.scalars(
            sa.select(Case)
            .join(AgendaItem, AgendaItem.case_id == Case.id)
            .where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.status.in_(
                    [AgendaItemStatus.DISCUSSED.value, AgendaItemStatus.LISTED.value]
                ),
            )
            .options(joinedload(Case.patient))
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    readable = scope.readable_ids(actor.id, [c.id for c in cases])
    cases = [c for c in cases if c.id in readable]
    by_case: dict[int, list[tuple]] = {c.id: [] for c in cases}
    if cases:
        for row in db.session.execute(_discussions(list(by_case))):
            if row[1].starts_at <= meeting.starts_at:
                by_case[row[0].case_id].append(tuple(row))
    board = db.session.get(Board, meeting.board_id)
    export = TeachingExport(
        "Teaching meeting",
        [
            _teaching_case(f"Case {_letter(i)}", case, by_case[case.id], shift)
            for i, case in enumerate(cases)
        ],
        shift,
        meeting_on=meeting.starts_at.date() + timedelta(days=shift),
        board=board.name,
    )
    _record(actor, action, f"meeting {meeting.id}", cases, shift)
    return export
