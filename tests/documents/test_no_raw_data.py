"""Every PDF of the demo data reads as a document: no Python objects, no
``None``, no empty lists, no markup leaking into the text."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests.conftest import on_backend
from tests.documents.test_documents import pdf_text
from tumorboard import demo
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.documents import pack, services
from tumorboard.extensions import db
from tumorboard.meetings.models import Meeting, MeetingStatus
from tumorboard.recommendations.models import Recommendation
from tumorboard.reviews.schemas import SCHEMAS
from tumorboard.reviews.schemas.base import Rows

#: What a Python object looks like once printed.
RAW = re.compile(
    r"\{'|'\}|\[\]|\[\'|\bNone\b|<[a-zA-Z_][\w.]*[ >:]|\b\w+\(\w+=|object at 0x"
    r"|\bTrue\b|\bFalse\b|datetime\.|Decimal\("
)


def _none_choices() -> list[str]:
    """ "<field label> None" for review fields whose answer may be "None"
    (no periosteal reaction, no analgesia): clinical words, not Python."""
    fields = []
    for schema in SCHEMAS.values():
        for group in schema.groups:
            for item in group.items:
                fields.extend(item.fields if isinstance(item, Rows) else [item])
    return [
        f"{f.label} None"
        for f in fields
        if any(c[1].split(" ")[0] == "None" for c in f.choices)
    ]


def assert_readable(label: str, content: bytes) -> str:
    text = pdf_text(content)
    checked = text
    for allowed in _none_choices():
        checked = checked.replace(allowed, f"{allowed[:-4]}(choice)")
    found = RAW.findall(checked)
    assert not found, f"{label}: {found} in {text[:3000]}"
    return text


def test_the_pattern_catches_raw_data():
    for raw in [
        "who: {'label': 'WHO 2020', 'total': None}",
        "Metastases: []",
        "Status: <MeetingStatus.CLOSED: 'closed'>",
        "Score(label='x')",
        "<tumorboard.cases.models.Case object at 0x7f>",
    ]:
        assert RAW.search(raw), raw
    assert "Periosteal reaction None" in _none_choices()
    assert not RAW.search("Stage IIB: T2 (over 8 cm), N0, M0, G2 (high grade)")


@on_backend("postgresql")
def test_every_demo_pdf_reads_as_text(app):
    demo.load()
    db.session.commit()
    coordinator = db.session.scalar(
        sa.select(User).where(User.email == "coordinator@example.org")
    )
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    signed = db.session.scalars(
        sa.select(Recommendation).where(Recommendation.signed_at.is_not(None))
    ).all()
    held = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.status.in_([MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED])
        )
    ).all()
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.status != MeetingStatus.CANCELLED)
        .options(selectinload(Meeting.items))
    ).all()
    assert cases and signed and held
    with app.test_request_context():
        for case in cases:
            doc = services.case_summary(coordinator, case)
            text = assert_readable(doc.filename, doc.content)
            assert "Stage" in text and "Performance status" in text
        for rec in signed:
            doc = services.outcome_letter(coordinator, rec)
            assert_readable(doc.filename, doc.content)
        for meeting in held:
            doc = services.meeting_minutes(coordinator, meeting)
            assert_readable(doc.filename, doc.content)
        packs = 0
        for meeting in meetings:
            if not any(item.is_active for item in meeting.items):
                continue
            doc = pack.board_pack(coordinator, meeting)
            assert_readable(doc.filename, doc.content)
            packs += 1
        assert packs
