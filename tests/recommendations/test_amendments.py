"""Amendments keep the loop closed: a draft amendment leaves the signed
revision in force; signing it carries implementation and open action items
over; discarding it leaves everything as it was. And the recommendation form
shows every error at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import signing_proof
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.db import today
from tumorboard.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    SeveralInvalid,
    apply_to_form,
)
from tumorboard.extensions import db
from tumorboard.recommendations import services
from tumorboard.recommendations.forms import RecommendationForm
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    ImplementationStatus,
    Recommendation,
    RecommendationState,
)


def _count(model=Recommendation) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _entries(name: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == name)
            .order_by(AuditEntry.id)
        )
    )


def _amendment_data(**overrides) -> dict:
    values = {
        "amendment_reason": "Restaging CT shows lung metastases.",
        "intent": "palliative",
        "types": [{"code": "systemic_therapy"}, {"code": "palliative_care_referral"}],
    }
    return rf.rec_data(**{**values, **overrides})


def _tracked(setup, coordinator):
    """A signed revision in progress with one open and one finished action."""
    rec = rf.signed_recommendation(setup)
    services.update_implementation(
        coordinator,
        rec,
        {"implementation_status": "in_progress", "implementation_date": today()},
        rec.version,
    )
    open_action = services.create_action(
        coordinator,
        rec,
        {
            "description": "Book MRI of the whole femur",
            "owner_id": setup.chair.id,
            "due_date": today() + timedelta(days=7),
        },
    )
    done = services.create_action(
        coordinator,
        rec,
        {
            "description": "Send the referral letter",
            "owner_id": coordinator.id,
            "due_date": today() + timedelta(days=2),
        },
    )
    services.set_action_status(coordinator, done, "done", done.version)
    return rec, open_action, done


# Services: draft, signed, discarded ---------------------------------------------


def test_a_draft_amendment_leaves_the_signed_revision_in_force(setup, coordinator):
    old, open_action, _ = _tracked(setup, coordinator)
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    assert old.state == RecommendationState.SIGNED and old.is_current
    assert draft.is_draft_amendment and not draft.is_current
    assert services.current_recommendation(setup.item).id == old.id
    assert old.implementation_status == ImplementationStatus.IN_PROGRESS
    assert draft.implementation_status == ImplementationStatus.NOT_STARTED
    assert open_action.recommendation_id == old.id
    # Tracking goes on where it is: on the revision in force, not the draft.
    services.update_implementation(
        coordinator,
        old,
        {
            "implementation_status": "in_progress",
            "implementation_date": today(),
            "deviation_note": "Chemotherapy cycle 1 given.",
        },
        old.version,
    )
    with pytest.raises(InvalidInput, match="current, signed revision"):
        services.update_implementation(
            coordinator,
            draft,
            {"implementation_status": "completed", "implementation_date": today()},
            draft.version,
        )
    with pytest.raises(InvalidInput, match="current, signed revision"):
        services.create_action(
            coordinator,
            draft,
            {
                "description": "Refer to palliative care",
                "owner_id": coordinator.id,
                "due_date": today(),
            },
        )
    (entry,) = _entries("recommendation.amend")
    assert "revision 1 stays in force until the chair signs" in entry.summary


def test_signing_the_amendment_carries_implementation_and_open_actions_over(
    setup, coordinator
):
    old, open_action, done = _tracked(setup, coordinator)
    updated_at = old.implementation_updated_at
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    services.sign_recommendation(
        setup.chair, draft, version=draft.version, step_up=signing_proof(setup.chair)
    )

    assert (old.state, old.current_key) == (RecommendationState.SUPERSEDED, None)
    assert (draft.state, draft.current_key) == (
        RecommendationState.SIGNED,
        setup.item.id,
    )
    assert services.current_recommendation(setup.item).id == draft.id
    assert draft.implementation_status == ImplementationStatus.IN_PROGRESS
    assert draft.implementation_date == today()
    assert draft.implementation_updated_by_id == coordinator.id
    assert draft.implementation_updated_at == updated_at
    # The open action moves; the finished one stays with what it belonged to.
    assert open_action.recommendation_id == draft.id
    assert open_action.status == ActionStatus.OPEN
    assert done.recommendation_id == old.id
    (superseded,) = _entries("recommendation.supersede")
    assert superseded.entity_id == str(old.id)
    assert superseded.changes["action_items_moved"] == [None, [open_action.id]]
    (carried,) = _entries("recommendation.carry_over")
    assert carried.entity_id == str(draft.id)
    assert carried.changes["implementation_status"] == ["not_started", "in_progress"]
    assert carried.changes["action_items"] == [None, [open_action.id]]
    assert "1 open action item(s)" in carried.summary
    # Further tracking happens on the new revision.
    services.update_implementation(
        coordinator,
        draft,
        {"implementation_status": "completed", "implementation_date": today()},
        draft.version,
    )
    assert old.implementation_status == ImplementationStatus.IN_PROGRESS


def test_a_deviation_carries_over_with_its_reason(setup, coordinator):
    old = rf.signed_recommendation(setup)
    services.update_implementation(
        coordinator,
        old,
        {
            "implementation_status": "deviated",
            "implementation_date": today(),
            "deviation_reason": "other",
            "patient_wish": "unknown",
            "deviation_note": "Treated closer to home.",
        },
        old.version,
    )
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    services.sign_recommendation(
        setup.chair, draft, version=draft.version, step_up=signing_proof(setup.chair)
    )
    assert (
        draft.implementation_status,
        draft.deviation_reason,
        draft.patient_wish,
        draft.deviation_note,
    ) == ("deviated", "other", "unknown", "Treated closer to home.")


def test_a_discarded_amendment_leaves_everything_as_it_was(setup, coordinator):
    old, open_action, _ = _tracked(setup, coordinator)
    version = old.version
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    draft_id = draft.id
    kept = services.discard_amendment(coordinator, draft, draft.version)
    assert kept.id == old.id
    assert db.session.get(Recommendation, draft_id) is None
    assert (old.state, old.current_key, old.version) == (
        RecommendationState.SIGNED,
        setup.item.id,
        version,
    )
    assert old.implementation_status == ImplementationStatus.IN_PROGRESS
    assert open_action.recommendation_id == old.id
    (entry,) = _entries("recommendation.discard")
    assert entry.entity_id == str(draft_id)
    assert "revision 1 stays in force" in entry.summary
    assert entry.changes["amendment_reason"][0].startswith("Restaging CT")
    # A new amendment can be started afterwards.
    again = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    assert again.revision == 2


def test_only_draft_amendments_are_discarded_and_only_by_who_may_amend(
    setup, coordinator
):
    old = rf.signed_recommendation(setup)
    with pytest.raises(InvalidInput, match="Only a draft amendment"):
        services.discard_amendment(coordinator, old, old.version)
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    with pytest.raises(AccessDenied):
        services.discard_amendment(factories.make_user("admin"), draft, draft.version)
    with pytest.raises(Conflict):
        services.discard_amendment(coordinator, draft, draft.version - 1)
    assert _count() == 2


def test_one_draft_amendment_at_a_time(setup, coordinator):
    old = rf.signed_recommendation(setup)
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    # A second amendment, or the same form submitted twice, is refused.
    with pytest.raises(Conflict, match="Revision 2 is already a draft amendment"):
        services.amend_recommendation(
            setup.chair, old, _amendment_data(free_text="Other"), old.version
        )
    assert _count() == 2
    # Once signed, the next amendment starts from the new revision.
    services.sign_recommendation(
        setup.chair, draft, version=draft.version, step_up=signing_proof(setup.chair)
    )
    third = services.amend_recommendation(
        coordinator, draft, _amendment_data(intent="curative"), draft.version
    )
    assert (third.revision, third.supersedes_id) == (3, draft.id)


def test_the_database_allows_one_current_revision_and_no_keyed_draft_amendment(
    setup, coordinator
):
    old = rf.signed_recommendation(setup)
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            draft.current_key = setup.item.id
            db.session.flush()


# Services: every error at once ---------------------------------------------------


def test_the_services_report_every_content_error_together(setup, coordinator):
    data = rf.rec_data(
        intent="",
        types=[{"code": "surgery"}, {"code": "clinical_trial", "nct": "NCT12"}],
        consensus=False,
        dissent=[],
        start_by=today() - timedelta(days=3),
    )
    with pytest.raises(SeveralInvalid) as refused:
        services.record_recommendation(coordinator, setup.item, data)
    fields = [e.field for e in refused.value.errors]
    assert fields == ["intent", "surgery_kind", "trial_nct", "dissent", "start_by"]
    assert _count() == 0
    old = rf.signed_recommendation(setup)
    with pytest.raises(SeveralInvalid) as refused:
        services.amend_recommendation(
            coordinator, old, {**data, "amendment_reason": ""}, old.version
        )
    assert [e.field for e in refused.value.errors][0] == "amendment_reason"
    assert len(refused.value.errors) == 6
    assert _count() == 1


def test_several_errors_go_to_their_own_fields(app):
    with app.test_request_context(method="POST", data={}):
        form = RecommendationForm(meta={"csrf": False})
        apply_to_form(
            form,
            SeveralInvalid(
                [
                    InvalidInput("Choose the treatment intent.", "intent"),
                    InvalidInput("The start-by date is wrong.", "start_by"),
                    InvalidInput("Something about the whole form."),
                ]
            ),
        )
        assert form.intent.errors == ["Choose the treatment intent."]
        assert form.start_by.errors == ["The start-by date is wrong."]
        assert form.form_errors == ["Something about the whole form."]


# Pages -----------------------------------------------------------------------------


def test_pages_show_the_draft_then_the_carried_over_tracking(
    client, login_as, setup, coordinator
):
    old, open_action, done = _tracked(setup, coordinator)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/recommendations/{old.id}/amend",
        data=rf.form_data(
            version=old.version,
            intent="palliative",
            amendment_reason="Lung metastases on restaging CT.",
        ),
    )
    assert response.status_code == 302
    draft = services.pending_amendment(setup.item.id)
    old_page = client.get(f"/recommendations/{old.id}").text
    assert "Revision 2 is a draft amendment awaiting the chair" in old_page
    assert "In progress" in old_page and "Book MRI of the whole femur" in old_page
    assert f'href="/recommendations/{old.id}/amend"' not in old_page
    draft_page = client.get(f"/recommendations/{draft.id}").text
    assert "This amendment is a draft awaiting the chair's signature." in draft_page
    assert "Action items stay on revision 1 until this amendment is signed." in (
        draft_page
    )
    assert "Discard draft amendment" in draft_page
    # Starting another amendment leads to the draft.
    again = client.get(f"/recommendations/{old.id}/amend")
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/recommendations/{draft.id}")

    client.post("/logout")
    assert factories.sign_in(client, setup.chair.email).status_code == 302
    signed = client.post(
        f"/recommendations/{draft.id}/sign",
        data={"version": draft.version, "password": factories.PASSWORD},
    )
    assert signed.status_code == 302
    new_page = client.get(f"/recommendations/{draft.id}").text
    assert "In progress" in new_page
    assert "Book MRI of the whole femur" in new_page
    assert "Send the referral letter" not in new_page
    old_page = client.get(f"/recommendations/{old.id}").text
    assert "This revision was superseded by an amendment." in old_page
    assert "open action items moved to it" in old_page
    assert "Send the referral letter" in old_page


def test_a_twice_submitted_amendment_makes_one_draft(client, login_as, setup):
    old = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    data = rf.form_data(
        version=old.version,
        intent="palliative",
        amendment_reason="Lung metastases on restaging CT.",
    )
    assert client.post(f"/recommendations/{old.id}/amend", data=data).status_code == (
        302
    )
    second = client.post(f"/recommendations/{old.id}/amend", data=data)
    assert second.status_code == 400
    assert "Revision 2 is already a draft amendment" in second.text
    assert "Lung metastases on restaging CT." in second.text
    assert _count() == 2


def test_a_twice_submitted_recording_makes_one_draft(client, login_as, setup):
    login_as("coordinator")
    url = f"/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"
    data = rf.form_data(free_text="Biopsy at the sarcoma centre.")
    assert client.post(url, data=data).status_code == 302
    # The page now leads to the stored draft instead of recording a second one.
    second = client.post(url, data=data)
    assert second.status_code == 302
    assert "/edit" in second.headers["Location"]
    assert _count() == 1


def test_discard_through_the_page(client, login_as, setup, coordinator):
    old = rf.signed_recommendation(setup)
    draft = services.amend_recommendation(
        coordinator, old, _amendment_data(), old.version
    )
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/recommendations/{draft.id}/discard",
        data={"version": draft.version},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Draft revision 2 discarded; revision 1 stays in force." in response.text
    assert _count() == 1
    assert _entries("recommendation.discard")
    # On a signed revision there is nothing to discard.
    refused = client.post(
        f"/recommendations/{old.id}/discard",
        data={"version": old.version},
        follow_redirects=True,
    )
    assert "Only a draft amendment can be discarded" in refused.text
    assert _count() == 1


def test_the_form_shows_every_error_at_once_and_keeps_the_input(
    client, login_as, setup
):
    login_as("coordinator")
    url = f"/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"
    response = client.post(
        url,
        data=rf.form_data(
            intent="",
            type_clinical_trial="y",
            trial_nct="",
            consensus=None,
            start_by=(today() - timedelta(days=3)).isoformat(),
            free_text="Typed before the errors.",
        ),
    )
    assert response.status_code == 400
    page = response.text
    # Form checks and service rules together, in one round.
    for message in (
        "Choose the treatment intent.",
        "Enter the trial&#39;s NCT number.",
        "Without consensus, name the discipline that dissented and why.",
        "The start-by date is before the meeting",
    ):
        assert message in page, message
    assert "Typed before the errors." in page
    assert _count() == 0


def test_service_rules_alone_are_all_shown_too(client, login_as, setup):
    login_as("coordinator")
    url = f"/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"
    response = client.post(
        url,
        data=rf.form_data(
            consensus=None, start_by=(today() - timedelta(days=3)).isoformat()
        ),
    )
    assert response.status_code == 400
    assert "Without consensus, name the discipline" in response.text
    assert "The start-by date is before the meeting" in response.text
    assert _count() == 0


def test_the_amendment_form_shows_every_error_at_once(client, login_as, setup):
    old = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/recommendations/{old.id}/amend",
        data=rf.form_data(
            version=old.version,
            amendment_reason="",
            conference_type="",
            start_by=(today() - timedelta(days=3)).isoformat(),
        ),
    )
    assert response.status_code == 400
    for message in (
        "Give the reason for the amendment.",
        "Choose the conference type.",
        "The start-by date is before the meeting",
    ):
        assert message in response.text, message
    assert _count() == 1
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0
