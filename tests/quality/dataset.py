"""A small hand-built board history whose indicators are worked out by hand
in the tests (docs/quality.md gives each definition).

Range of the tests: meetings from 1 Jan to 31 Mar 2026.

Meetings (all closed):
- M0 sarcoma board, 9 Dec 2025 (before the range), quorate.
- M1 sarcoma board, 13 Jan 2026 16:00–17:00, quorate.
- M2 sarcoma board, 10 Feb 2026 16:00–16:30, not quorate (pathology missing).
- M3 metastasis board, 17 Feb 2026 16:00, quorum and times not recorded.

Cases:
- C1 primary, referred 3 Jan; discussed M1 (pre-therapeutic, signed 15 Jan,
  completed 23 Jan) and again M2 (signed 12 Feb, start-by far ahead);
  biopsy at the centre.
- C2 primary, unplanned excision 5 Jan, referred 20 Jan; discussed M2 with a
  pathology waiver (post-operative, signed the same day, deviated for new
  findings); biopsy elsewhere.
- C3 metastasis, referred 20 Feb (after its meeting: not computable);
  discussed M3, pre-therapeutic draft never signed.
- C4 primary, referred 1 Dec 2025, first discussed M0, again M1 (signed the
  same day, not started, start-by 1 Feb 2026: overdue); not biopsied.
- C5 primary, referred 10 Jan, deferred at M1 ("Imaging missing"), discussed
  M2 as standard of care (2 minutes), no recommendation; biopsy planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tests import factories
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Board, Meeting
from tumorboard.recommendations.models import Recommendation
from tumorboard.reviews.models import ReadinessWaiver

START, END = date(2026, 1, 1), date(2026, 3, 31)


def at(day: date, hour: int = 16, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass
class Dataset:
    sarcoma: Board
    metastasis: Board
    meetings: dict[str, Meeting]
    cases: dict[str, object]
    chair: object


def _board(name: str, kind: str) -> Board:
    board = Board(
        name=name,
        kind=kind,
        required_disciplines=["radiology", "pathology"],
        weekday=1,
        start_time=time(16, 0),
        timezone="UTC",
        duration_minutes=120,
        minutes_per_case=10,
        capacity=8,
    )
    db.session.add(board)
    db.session.flush()
    return factories.open_board(board)


def _meeting(board, day, quorate, *, minutes=None, missing=(), chair=None):
    meeting = Meeting(
        board=board,
        starts_at=at(day),
        ends_at=at(day, 18),
        status="closed",
        chair_id=chair.id if chair else None,
        is_quorate=quorate,
        missing_disciplines=list(missing),
        started_at=at(day) if minutes else None,
        closed_at=at(day) + timedelta(minutes=minutes) if minutes else None,
    )
    db.session.add(meeting)
    return meeting


def _item(meeting, case, position, status="discussed", *, minutes=10, **fields):
    item = AgendaItem(
        meeting=meeting,
        case_id=case.id,
        position=position,
        question="Question for the board",
        planned_minutes=minutes,
        status=status,
        discussed_at=meeting.starts_at if status == "discussed" else None,
        **fields,
    )
    db.session.add(item)
    db.session.flush()
    return item


def _rec(item, case, conference, *, signed_at=None, chair=None, **fields):
    values = {
        "agenda_item_id": item.id,
        "case_id": case.id,
        "revision": 1,
        "current_key": item.id,
        "state": "signed" if signed_at else "draft",
        "conference_type": conference,
        "intent": "curative",
        "types": [{"code": "surgery", "detail": "limb_salvage"}],
        "start_by": date(2099, 1, 1),
        "signed_at": signed_at,
        "signed_by_id": chair.id if signed_at else None,
    }
    values.update(fields)
    rec = Recommendation(**values)
    db.session.add(rec)
    return rec


def build(suffix: str = "") -> Dataset:
    """Store the dataset described in this module's docstring (``suffix``
    stores another copy beside it)."""
    chair = factories.make_user("orthopedic_oncologist")
    coordinator = factories.make_user("coordinator")
    sarcoma = _board("Quality sarcoma board" + suffix, "bone_sarcoma")
    metastasis = _board("Quality metastasis board" + suffix, "skeletal_metastasis")
    m0 = _meeting(sarcoma, date(2025, 12, 9), True, minutes=45, chair=chair)
    m1 = _meeting(sarcoma, date(2026, 1, 13), True, minutes=60, chair=chair)
    m2 = _meeting(
        sarcoma,
        date(2026, 2, 10),
        False,
        minutes=30,
        missing=["pathology"],
        chair=chair,
    )
    m3 = _meeting(metastasis, date(2026, 2, 17), None)
    db.session.flush()

    c1 = factories.make_case(
        referral_date=date(2026, 1, 3), biopsy_status="done_at_centre"
    )
    c2 = factories.make_case(
        referral_date=date(2026, 1, 20),
        unplanned_excision_date=date(2026, 1, 5),
        biopsy_status="done_elsewhere",
    )
    c3 = factories.make_case(
        referral_date=date(2026, 2, 20),
        case_type="skeletal_metastasis",
        known_primary="breast",
    )
    c4 = factories.make_case(referral_date=date(2025, 12, 1))
    c5 = factories.make_case(referral_date=date(2026, 1, 10), biopsy_status="planned")

    _item(m0, c4, 1)
    i1_c1 = _item(m1, c1, 1)
    i1_c4 = _item(m1, c4, 2)
    _item(m1, c5, 3, "deferred", status_reason="Imaging missing")
    i2_c1 = _item(m2, c1, 1)
    i2_c2 = _item(m2, c2, 2)
    _item(m2, c5, 3, minutes=2, standard_of_care=True)
    i3_c3 = _item(m3, c3, 1)

    _rec(
        i1_c1,
        c1,
        "pre_therapeutic",
        signed_at=at(date(2026, 1, 15), 9),
        chair=chair,
        implementation_status="completed",
        implementation_date=date(2026, 1, 23),
    )
    _rec(
        i1_c4,
        c4,
        "post_therapeutic",
        signed_at=at(date(2026, 1, 13), 17),
        chair=chair,
        start_by=date(2026, 2, 1),
    )
    _rec(i2_c1, c1, "follow_up", signed_at=at(date(2026, 2, 12), 9), chair=chair)
    _rec(
        i2_c2,
        c2,
        "post_operative",
        signed_at=at(date(2026, 2, 10), 17),
        chair=chair,
        implementation_status="deviated",
        implementation_date=date(2026, 2, 20),
        deviation_reason="new_findings",
        patient_wish="no",
    )
    _rec(i3_c3, c3, "pre_therapeutic")
    db.session.add(
        ReadinessWaiver(
            case_id=c2.id,
            item="pathology",
            reason="Outside slides on their way",
            waived_by_id=coordinator.id,
            waived_at=at(date(2026, 2, 1), 9),
        )
    )
    # A withdrawn waiver does not count.
    db.session.add(
        ReadinessWaiver(
            case_id=c1.id,
            item="radiology",
            reason="Report awaited",
            waived_by_id=coordinator.id,
            waived_at=at(date(2026, 1, 5), 9),
            withdrawn_at=at(date(2026, 1, 8), 9),
            withdrawn_by_id=coordinator.id,
        )
    )
    db.session.flush()
    return Dataset(
        sarcoma,
        metastasis,
        {"m0": m0, "m1": m1, "m2": m2, "m3": m3},
        {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5},
        chair,
    )
