"""Access matrix rows for the PDF documents."""

from __future__ import annotations

from tests.recommendations import factories as rf
from tumorboard.auth.permissions import Permission as P

ENDPOINTS = [
    ("/documents/cases/{case}/summary.pdf", "GET", P.DOCUMENT_READ),
    ("/documents/recommendations/{doc_signed}/letter.pdf", "GET", P.DOCUMENT_READ),
    ("/documents/meetings/{doc_meeting}/minutes.pdf", "GET", P.DOCUMENT_READ),
    ("/documents/meetings/{doc_meeting}/board-pack.pdf", "GET", P.DOCUMENT_READ),
]


def url_values(user, case) -> dict:
    """A meeting in progress with one signed recommendation."""
    setup = rf.discussed_item()
    signed = rf.signed_recommendation(setup)
    return {"doc_meeting": setup.meeting.id, "doc_signed": signed.id}
