"""Running the meeting from the room's screen: marking an item discussed needs
a recommendation or the board's reason; the presenter's position; attendees
following the presenter see the case on screen and nothing when they may not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case
from tumorboard.errors import AccessDenied, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.models import (
    AgendaItemStatus,
    MeetingStatus,
    PresenterPosition,
)
from tumorboard.patients.models import Patient
from tumorboard.recommendations import services as recommendations
from tumorboard.validation import REASON_LIMIT


@pytest.fixture
def running(app, make_user):
    """A meeting in progress with two listed items, its chair and the coordinator."""
    setup = rf.discussed_item(item_status=AgendaItemStatus.LISTED)
    second = rf.make_item(setup.meeting, status=AgendaItemStatus.LISTED)
    return setup, second, make_user("coordinator")


# Marking discussed ---------------------------------------------------------------


def test_discussed_without_recommendation_or_reason_is_refused(running):
    setup, _, coordinator = running
    with pytest.raises(InvalidInput, match="Record the board's recommendation first"):
        services.mark_discussed(coordinator, setup.meeting, setup.item)
    assert setup.item.status == AgendaItemStatus.LISTED


def test_a_draft_recommendation_is_enough(running):
    setup, _, coordinator = running
    recommendations.record_recommendation(coordinator, setup.item, rf.rec_data())
    services.mark_discussed(coordinator, setup.meeting, setup.item)
    assert setup.item.status == AgendaItemStatus.DISCUSSED
    assert setup.item.status_reason is None


def test_the_reason_is_kept_and_audited(running):
    setup, _, coordinator = running
    services.mark_discussed(
        coordinator, setup.meeting, setup.item, reason="  For information only.  "
    )
    assert setup.item.status == AgendaItemStatus.DISCUSSED
    assert setup.item.status_reason == (
        "Discussed without a recommendation: For information only."
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "agenda.discussed")
    ).one()
    assert entry.changes["status_reason"][1].endswith("For information only.")


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Record the board's recommendation first"),
        ("x" * (REASON_LIMIT + 1), f"at most {REASON_LIMIT} characters"),
    ],
)
def test_bad_reasons_are_refused(running, reason, message):
    setup, _, coordinator = running
    with pytest.raises(InvalidInput, match=message):
        services.mark_discussed(coordinator, setup.meeting, setup.item, reason=reason)
    assert setup.item.status == AgendaItemStatus.LISTED


# The presenter's position and the followers' state -------------------------------


def test_the_chair_moves_the_followers_and_others_do_not(running, make_user):
    setup, second, _ = running
    radiologist = make_user("radiologist")
    assert services.move_presenter(radiologist, setup.meeting, second) is None
    assert db.session.get(PresenterPosition, setup.meeting.id) is None
    services.move_presenter(setup.chair, setup.meeting, setup.item)
    services.move_presenter(setup.chair, setup.meeting, second)
    state = services.follow_state(radiologist, setup.meeting)
    assert (state.item_id, state.number, state.total) == (second.id, 2, 2)
    assert state.moved_at is not None
    assert state.presenter == setup.chair.name and state.is_live
    assert (
        db.session.scalar(sa.select(sa.func.count(PresenterPosition.meeting_id))) == 1
    )


def test_no_position_before_the_meeting_starts_or_after_it_closes(running, make_user):
    setup, _, _ = running
    radiologist = make_user("radiologist")
    setup.meeting.status = MeetingStatus.PUBLISHED
    assert services.move_presenter(setup.chair, setup.meeting, setup.item) is None
    setup.meeting.status = MeetingStatus.IN_PROGRESS
    services.move_presenter(setup.chair, setup.meeting, setup.item)
    setup.meeting.status = MeetingStatus.CLOSED
    state = services.follow_state(radiologist, setup.meeting)
    assert state.item_id is None and state.is_over and not state.is_live
    assert state.as_json()["over"] is True


def test_someone_who_may_not_see_the_agenda_gets_no_state(app, make_user):
    setup = rf.discussed_item(status=MeetingStatus.PLANNED)
    with pytest.raises(AccessDenied):
        services.follow_state(make_user("radiologist"), setup.meeting)


def test_the_state_costs_three_statements_whatever_the_agenda(
    running, make_user, count_queries
):
    setup, _, _ = running
    for _ in range(5):
        rf.make_item(setup.meeting, status=AgendaItemStatus.LISTED)
    services.move_presenter(setup.chair, setup.meeting, setup.item)
    radiologist = make_user("radiologist")
    db.session.flush()
    with count_queries() as queries:
        services.follow_state(radiologist, setup.meeting)
    # Whether the reader sits at the meeting (board or attendance), the
    # presenter's position, the agenda.
    assert queries.count == 3


# Over HTTP -------------------------------------------------------------------------


def test_following_over_http(client, login_as, running):
    setup, second, _ = running
    meeting = setup.meeting
    db.session.commit()
    factories.sign_in(client, setup.chair.email)
    assert client.get(f"/meetings/{meeting.id}/present/{second.id}").status_code == 200
    client.post("/logout")
    reader = login_as("radiologist")
    state = client.get(f"/meetings/{meeting.id}/follow/state")
    assert state.status_code == 200 and state.headers["Cache-Control"] == "no-store"
    assert state.json["item"] == second.id and state.json["number"] == 2
    assert state.json["presenter"] == setup.chair.name
    patient = db.session.get(Patient, setup.case.patient_id)
    assert patient.mrn not in state.text and patient.family_name not in state.text
    page = client.get(f"/meetings/{meeting.id}/follow")
    assert page.status_code == 200
    assert f'data-reference="{db.session.get(Case, second.case_id).reference}"' in (
        page.text
    )
    fragment = client.get(f"/meetings/{meeting.id}/follow/{setup.item.id}")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'data-reference="{setup.case.reference}"' in fragment.text
    reads = db.session.scalars(
        sa.select(AuditEntry.case_id).where(
            AuditEntry.action == "case.read", AuditEntry.actor_id == reader.id
        )
    ).all()
    assert sorted(reads) == sorted([second.case_id, setup.case.id])


def test_following_a_planned_meeting_is_refused_and_an_unknown_item_is_404(
    client, login_as, app
):
    setup = rf.discussed_item(status=MeetingStatus.PLANNED)
    db.session.commit()
    login_as("radiologist")
    for path in ("follow", "follow/state", f"follow/{setup.item.id}"):
        assert client.get(f"/meetings/{setup.meeting.id}/{path}").status_code == 403
    client.post("/logout")
    login_as("coordinator")
    assert client.get(f"/meetings/{setup.meeting.id}/follow/999999").status_code == 404


def test_a_closed_meeting_has_nothing_to_follow(client, login_as, running):
    setup, _, _ = running
    services.move_presenter(setup.chair, setup.meeting, setup.item)
    setup.meeting.status = MeetingStatus.CLOSED
    db.session.commit()
    login_as("radiologist")
    page = client.get(f"/meetings/{setup.meeting.id}/follow")
    assert "there is nothing to follow" in page.text
    assert setup.case.reference not in page.text
    assert client.get(f"/meetings/{setup.meeting.id}/follow/state").json["over"]


def test_the_room_screen_shows_the_decision_panel_to_the_chair_only(
    client, login_as, running
):
    setup, _, _ = running
    db.session.commit()
    url = f"/meetings/{setup.meeting.id}/present/{setup.item.id}"
    factories.sign_in(client, setup.chair.email)
    page = client.get(url).text
    assert 'class="topbar"' not in page
    assert 'id="decision"' in page and "Record the draft" in page
    assert "Mark discussed without a recommendation" in page
    client.post("/logout")
    login_as("radiologist")
    page = client.get(url).text
    assert 'id="decision"' not in page and "Record the draft" not in page


def test_the_room_screen_and_the_followers_screen_have_a_fixed_query_count(
    client, running, count_queries
):
    """Whatever the length of the agenda and the case's earlier meetings."""
    setup, _, _ = running
    factories.sign_in(client, setup.chair.email)
    present = f"/meetings/{setup.meeting.id}/present/{setup.item.id}"
    follow = f"/meetings/{setup.meeting.id}/follow/{setup.item.id}"

    def counted(extra: int) -> tuple[int, int]:
        for _ in range(extra):
            rf.make_item(setup.meeting, status=AgendaItemStatus.LISTED)
            earlier = rf.make_meeting(status=MeetingStatus.CLOSED)
            rf.make_item(earlier, setup.case)
        db.session.commit()
        counts = []
        for url in (present, follow):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter.count)
        return tuple(counts)

    assert counted(1) == counted(8)
