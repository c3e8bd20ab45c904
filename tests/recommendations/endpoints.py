"""Access matrix rows for recommendations, implementation and action items."""

from __future__ import annotations

from datetime import timedelta

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.auth.permissions import AUTHENTICATED
from tumorboard.auth.permissions import Permission as P
from tumorboard.db import today
from tumorboard.recommendations import services

RECORD = "/meetings/{rec_meeting}/items/{rec_fresh_item}/recommendation"
PRESENT = "/meetings/{rec_meeting}/present/{rec_fresh_item}"

ENDPOINTS = [
    (RECORD, "GET", P.RECOMMENDATION_WRITE),
    (RECORD, "POST", P.RECOMMENDATION_WRITE),
    ("/recommendations/{rec_signed}", "GET", P.CASE_READ),
    ("/recommendations/{rec_draft}/edit", "GET", P.RECOMMENDATION_WRITE),
    ("/recommendations/{rec_draft}/edit", "POST", P.RECOMMENDATION_WRITE),
    ("/recommendations/{rec_signed}/amend", "GET", P.RECOMMENDATION_WRITE),
    ("/recommendations/{rec_signed}/amend", "POST", P.RECOMMENDATION_WRITE),
    ("/recommendations/{rec_draft}/sign", "POST", P.RECOMMENDATION_SIGN),
    ("/recommendations/{rec_amendment}/discard", "POST", P.RECOMMENDATION_WRITE),
    ("/recommendations/{rec_signed}/implementation", "POST", P.IMPLEMENTATION_UPDATE),
    ("/recommendations/{rec_signed}/actions", "POST", P.ACTION_MANAGE),
    ("/actions/{rec_action}/status", "POST", P.ACTION_MANAGE),
    ("/recommendations/overdue", "GET", P.IMPLEMENTATION_MONITOR),
    ("/actions/mine", "GET", AUTHENTICATED),
    (PRESENT + "/recommendation", "POST", P.RECOMMENDATION_WRITE),
    (
        "/meetings/{rec_meeting}/present/{rec_draft_item}/recommendation/{rec_draft}",
        "POST",
        P.RECOMMENDATION_WRITE,
    ),
]


def url_values(user, case) -> dict:
    """A quorate meeting in progress with ``case`` signed, a second case in
    draft, a third case discussed without a recommendation, a fourth signed
    with a draft amendment, and an action."""
    setup = rf.discussed_item(case=case)
    signed = rf.signed_recommendation(setup)
    coordinator = factories.make_user("coordinator")
    draft_item = rf.make_item(setup.meeting)
    draft = services.record_recommendation(coordinator, draft_item, rf.rec_data())
    fresh = rf.make_item(setup.meeting)
    amended_item = rf.make_item(setup.meeting)
    amended = rf.signed_recommendation(
        rf.Setup(setup.chair, setup.meeting, amended_item, setup.case)
    )
    amendment = services.amend_recommendation(
        coordinator,
        amended,
        rf.rec_data(intent="palliative", amendment_reason="Lung metastases."),
        amended.version,
    )
    action = services.create_action(
        coordinator,
        signed,
        {
            "description": "Book MRI of the whole femur",
            "owner_id": setup.chair.id,
            "due_date": today() + timedelta(days=7),
        },
    )
    return {
        "rec_meeting": setup.meeting.id,
        "rec_fresh_item": fresh.id,
        "rec_signed": signed.id,
        "rec_draft": draft.id,
        "rec_draft_item": draft_item.id,
        "rec_action": action.id,
        "rec_amendment": amendment.id,
    }
