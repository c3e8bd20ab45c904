"""Standard-of-care items: listed with a short time budget, grouped at the end
of the agenda, ratified by the chair in one step through the ordinary
recording and signing services (one signed recommendation per case)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import signing_proof
from tests.meetings import factories as mf
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.errors import AccessDenied, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings import services as meetings
from tumorboard.meetings.models import AgendaItemStatus, MeetingStatus
from tumorboard.meetings.services._shared import active_items
from tumorboard.quality import ratification
from tumorboard.recommendations import services as recommendations
from tumorboard.recommendations.models import RecommendationState


def _data(**overrides) -> dict:
    values = {"question": "Ratify the protocol.", "planned_minutes": 10}
    values.update(overrides)
    return values


def _order(meeting):
    from tumorboard.meetings.models import AgendaItem

    return [
        (item.case_id, item.standard_of_care)
        for item in db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    ]


def test_standard_of_care_items_stay_grouped_at_the_end(app):
    coordinator = factories.make_user("coordinator")
    meeting = mf.make_meeting()
    first, soc, later = (mf.make_ready_case() for _ in range(3))
    meetings.add_case(coordinator, meeting, first, _data())
    meetings.add_case(
        coordinator, meeting, soc, _data(standard_of_care=True, planned_minutes=3)
    )
    # A full discussion listed afterwards goes before the group.
    meetings.add_case(coordinator, meeting, later, _data())
    assert _order(meeting) == [
        (first.id, False),
        (later.id, False),
        (soc.id, True),
    ]
    # Reordering cannot move the group out of the end.
    items = {i.case_id: i for i in active_items(meeting)}
    meetings.reorder_agenda(
        coordinator, meeting, [items[soc.id].id, items[later.id].id, items[first.id].id]
    )
    assert _order(meeting) == [(later.id, False), (first.id, False), (soc.id, True)]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "agenda.add")
    ).all()[1]
    assert entry.changes["standard_of_care"] == [None, True]


def test_standard_of_care_has_a_short_time_budget(app):
    coordinator = factories.make_user("coordinator")
    meeting = mf.make_meeting()
    case = mf.make_ready_case()
    with pytest.raises(InvalidInput, match="plan at most 5 minutes") as refused:
        meetings.add_case(
            coordinator, meeting, case, _data(standard_of_care=True, planned_minutes=6)
        )
    assert refused.value.field == "planned_minutes"


def _soc_meeting(quorate: bool = True):
    setup = rf.discussed_item(quorate=quorate)
    setup.item.standard_of_care = True
    listed_case = factories.make_case()
    listed = rf.make_item(
        setup.meeting,
        listed_case,
        status=AgendaItemStatus.LISTED,
        standard_of_care=True,
    )
    without = rf.make_item(setup.meeting, standard_of_care=True)
    full = rf.make_item(setup.meeting)
    coordinator = factories.make_user("coordinator")
    drafts = [
        recommendations.record_recommendation(coordinator, item, rf.rec_data())
        for item in (setup.item, full)
    ]
    # A listed item's draft is recorded at the meeting before ratification.
    listed.status = AgendaItemStatus.DISCUSSED
    db.session.flush()
    drafts.insert(
        1, recommendations.record_recommendation(coordinator, listed, rf.rec_data())
    )
    listed.status = AgendaItemStatus.LISTED
    listed_case.status = CaseStatus.LISTED
    db.session.flush()
    return setup, listed, without, full, drafts


def test_the_chair_ratifies_each_draft_through_the_signing_service(app):
    setup, listed, without, full, drafts = _soc_meeting()
    found = ratification.ratifiable(setup.meeting)
    assert [i.id for i, _ in found.ready] == [setup.item.id, listed.id]
    assert [i.id for i in found.without_draft] == [without.id]
    signed = ratification.ratify_standard_of_care(
        setup.chair, setup.meeting, step_up=signing_proof(setup.chair)
    )
    assert [r.id for r in signed] == [drafts[0].id, drafts[1].id]
    assert all(r.state == RecommendationState.SIGNED for r in signed)
    assert listed.status == AgendaItemStatus.DISCUSSED
    assert db.session.get(Case, listed.case_id).status == CaseStatus.FOLLOW_UP
    # The full discussion's draft is not touched.
    assert drafts[2].state == RecommendationState.DRAFT
    signatures = db.session.scalars(
        sa.select(AuditEntry.entity_id).where(
            AuditEntry.action == "recommendation.sign"
        )
    ).all()
    assert sorted(signatures) == sorted(str(r.id) for r in signed)


def test_ratification_needs_the_chair_and_their_proof(app):
    setup, *_ = _soc_meeting()
    other = factories.make_user("radiologist")
    with pytest.raises(AccessDenied):
        ratification.ratify_standard_of_care(
            other, setup.meeting, step_up=signing_proof(other)
        )
    with pytest.raises(InvalidInput, match="your own password"):
        ratification.ratify_standard_of_care(
            setup.chair, setup.meeting, step_up=signing_proof(other)
        )


def test_ratification_without_quorum_needs_a_reason(app):
    setup, *_ = _soc_meeting(quorate=False)
    with pytest.raises(InvalidInput, match="not quorate"):
        ratification.ratify_standard_of_care(
            setup.chair, setup.meeting, step_up=signing_proof(setup.chair)
        )
    signed = ratification.ratify_standard_of_care(
        setup.chair,
        setup.meeting,
        step_up=signing_proof(setup.chair),
        override_reason="Pathologist called away; protocol cases only.",
    )
    assert all(r.quorum_override_reason for r in signed)


def test_nothing_to_ratify_is_refused(app):
    setup = rf.discussed_item()
    with pytest.raises(InvalidInput, match="No standard-of-care case"):
        ratification.ratify_standard_of_care(
            setup.chair, setup.meeting, step_up=signing_proof(setup.chair)
        )


def test_the_listing_form_marks_standard_of_care(client, login_as):
    login_as("coordinator")
    meeting = mf.make_meeting(status=MeetingStatus.PLANNED)
    case = mf.make_ready_case()
    db.session.commit()
    url = f"/meetings/{meeting.id}/agenda/add/{case.id}"
    form = client.get(url).get_data(as_text=True)
    assert 'name="standard_of_care"' in form
    refused = client.post(
        url,
        data={"question": "Ratify.", "planned_minutes": "15", "standard_of_care": "y"},
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "plan at most 5 minutes" in page and "Ratify." in page
    assert (
        client.post(
            url,
            data={
                "question": "Ratify.",
                "planned_minutes": "3",
                "standard_of_care": "y",
            },
        ).status_code
        == 302
    )
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Standard of care: for ratification" in page
    assert "1 case, 3 min in all" in page


def test_the_chair_ratifies_over_http(client, app):
    setup, listed, without, full, drafts = _soc_meeting()
    db.session.commit()
    factories.sign_in(client, setup.chair.email)
    meeting_page = client.get(f"/meetings/{setup.meeting.id}").get_data(as_text=True)
    url = f"/quality/meetings/{setup.meeting.id}/ratify"
    assert url in meeting_page
    page = client.get(url).get_data(as_text=True)
    assert (
        "Ready to ratify (2)" in page and "Recommendation not recorded yet (1)" in page
    )
    wrong = client.post(url, data={"password": "not my password"})
    assert wrong.status_code == 400
    assert drafts[0].state == RecommendationState.DRAFT
    response = client.post(url, data={"password": factories.PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert [d.state for d in drafts] == [
        RecommendationState.SIGNED,
        RecommendationState.SIGNED,
        RecommendationState.DRAFT,
    ]


def test_only_the_chair_opens_the_ratification_page(client, login_as, app):
    setup, *_ = _soc_meeting()
    db.session.commit()
    login_as("radiologist")
    assert client.get(f"/quality/meetings/{setup.meeting.id}/ratify").status_code == 403
