"""Recording, sign-off rules, immutability, amendments, implementation and
action items, called through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import signing_proof
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import CaseStatus
from tumorboard.db import today, utcnow
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItemStatus, MeetingStatus
from tumorboard.recommendations import services
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    ImplementationStatus,
    Recommendation,
    RecommendationState,
)


def _count(model=Recommendation) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _actions(name: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == name))
    )


# Recording ---------------------------------------------------------------------


def test_record_creates_a_current_draft(setup, coordinator):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    assert rec.revision == 1
    assert rec.state == RecommendationState.DRAFT
    assert rec.current_key == setup.item.id
    assert rec.case_id == setup.case.id
    assert rec.types == [
        {"code": "neoadjuvant_chemotherapy"},
        {"code": "surgery", "detail": "limb_salvage"},
    ]
    (entry,) = _actions("recommendation.create")
    assert entry.case_id == setup.case.id
    assert entry.changes["intent"] == [None, "curative"]


def test_record_flags_the_item_without_changing_its_version(setup, coordinator):
    """The item learns it has its recommendation (My work's list of discussed
    items without one reads the flag), and the agenda's forms, which hold
    the item's version, are not made stale by it."""
    item = setup.item
    version = item.version
    assert not item.has_recommendation
    services.record_recommendation(coordinator, item, rf.rec_data())
    assert item.has_recommendation
    assert item.version == version
    db.session.expire_all()
    assert db.session.get(type(item), item.id).has_recommendation
    assert db.session.get(type(item), item.id).version == version


def test_record_during_the_discussion_of_a_listed_item(coordinator):
    setup = rf.discussed_item(item_status=AgendaItemStatus.LISTED)
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    assert rec.state == RecommendationState.DRAFT


@pytest.mark.parametrize(
    ("item_status", "meeting_status", "message"),
    [
        ("listed", "published", "during the discussion"),
        ("deferred", "in_progress", "was deferred"),
        ("withdrawn", "closed", "was withdrawn"),
    ],
)
def test_record_refused_when_the_item_is_not_being_discussed(
    coordinator, item_status, meeting_status, message
):
    setup = rf.discussed_item(
        item_status=AgendaItemStatus(item_status), status=MeetingStatus(meeting_status)
    )
    with pytest.raises(InvalidInput, match=message):
        services.record_recommendation(coordinator, setup.item, rf.rec_data())
    assert _count() == 0


def test_admin_cannot_record(setup, make_user):
    with pytest.raises(AccessDenied):
        services.record_recommendation(make_user("admin"), setup.item, rf.rec_data())
    assert _count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"types": []}, "types", "The recommendation is empty"),
        (
            {"types": [{"code": "clinical_trial", "nct": "NCT1234567"}]},
            "trial_nct",
            "exactly 8 digits",
        ),
        (
            {"types": [{"code": "clinical_trial", "nct": "NCT123456789"}]},
            "trial_nct",
            "exactly 8 digits",
        ),
        (
            {"types": [{"code": "clinical_trial", "nct": "ISRCTN12345678"}]},
            "trial_nct",
            "not an NCT number",
        ),
        ({"types": [{"code": "surgery"}]}, "surgery_kind", "kind of surgery"),
        ({"types": [{"code": "rediscussion"}]}, "rediscussion_event", "which event"),
        ({"types": [{"code": "telepathy"}]}, "types", "Unknown recommendation"),
        ({"start_by": today() - timedelta(days=1)}, "start_by", "before the meeting"),
        ({"start_by": None}, "start_by", "Enter the date"),
        ({"consensus": False}, "dissent", "name the discipline"),
        (
            {"dissent": [{"discipline": "radiology", "reason": "Prefers RT"}]},
            "consensus",
            "consensus is ticked",
        ),
        ({"intent": "hopeful"}, "intent", "treatment intent"),
        ({"conference_type": ""}, "conference_type", "conference type"),
    ],
)
def test_bad_recommendation_is_refused_and_nothing_is_stored(
    setup, coordinator, overrides, field, message
):
    with pytest.raises(InvalidInput, match=message) as error:
        services.record_recommendation(
            coordinator, setup.item, rf.rec_data(**overrides)
        )
    assert error.value.field == field
    assert _count() == 0
    assert _actions("recommendation.create") == []


def test_nct_number_is_normalised_to_upper_case(setup, coordinator):
    rec = services.record_recommendation(
        coordinator,
        setup.item,
        rf.rec_data(types=[{"code": "clinical_trial", "nct": " nct01234567 "}]),
    )
    assert rec.types == [{"code": "clinical_trial", "nct": "NCT01234567"}]
    assert rec.type_labels == ["Clinical trial: NCT01234567"]


def test_dissent_is_recorded_with_discipline_and_reason(setup, coordinator):
    rec = services.record_recommendation(
        coordinator,
        setup.item,
        rf.rec_data(
            consensus=False,
            dissent=[
                {"discipline": "radiation_oncology", "reason": "Prefers RT alone."},
                {"discipline": "", "reason": ""},
            ],
        ),
    )
    assert rec.dissent == [
        {"discipline": "radiation_oncology", "reason": "Prefers RT alone."}
    ]
    assert rec.dissent_labelled == [("Radiation oncology", "Prefers RT alone.")]


def test_second_recording_for_the_same_item_is_a_conflict(setup, coordinator):
    services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(Conflict, match="already recorded"):
        services.record_recommendation(coordinator, setup.item, rf.rec_data())
    assert _count() == 1


def test_draft_is_edited_with_a_version_check(setup, coordinator):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    services.update_recommendation(
        coordinator, rec, rf.rec_data(intent="palliative"), rec.version
    )
    assert rec.intent == "palliative"
    (entry,) = _actions("recommendation.update")
    assert entry.changes["intent"] == ["curative", "palliative"]
    with pytest.raises(Conflict, match="changed by someone else"):
        services.update_recommendation(
            coordinator, rec, rf.rec_data(intent="diagnostic"), rec.version - 1
        )
    assert rec.intent == "palliative"


# Sign-off ----------------------------------------------------------------------


def test_chair_signs_and_the_case_moves_to_follow_up(setup, coordinator):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    services.sign_recommendation(
        setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
    )
    assert rec.state == RecommendationState.SIGNED
    assert rec.signed_by_id == setup.chair.id
    assert rec.signed_at is not None
    assert rec.quorum_override_reason is None
    assert setup.case.status == CaseStatus.FOLLOW_UP
    (sign,) = _actions("recommendation.sign")
    assert sign.actor_id == setup.chair.id
    status = _actions("case.status")[-1]
    assert status.changes["status"] == ["discussed", "follow_up"]


@pytest.mark.parametrize(
    "role", ["radiologist", "orthopedic_oncologist", "coordinator"]
)
def test_only_the_chair_signs(setup, coordinator, make_user, role):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(AccessDenied, match="Only the chair of this meeting"):
        services.sign_recommendation(
            make_user(role),
            rec,
            step_up=signing_proof(make_user(role)),
            version=rec.version,
        )
    assert rec.state == RecommendationState.DRAFT
    assert setup.case.status == CaseStatus.DISCUSSED
    assert _actions("recommendation.sign") == []


def test_signing_twice_is_refused(setup, coordinator):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    services.sign_recommendation(
        setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
    )
    signed_at = rec.signed_at
    with pytest.raises(InvalidInput, match="already signed by"):
        services.sign_recommendation(
            setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
        )
    assert rec.signed_at == signed_at
    assert len(_actions("recommendation.sign")) == 1


def test_meeting_without_a_chair_cannot_sign(coordinator, make_user):
    setup = rf.discussed_item(chair_id=None)
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match="no chair"):
        services.sign_recommendation(
            make_user("radiologist"),
            rec,
            step_up=signing_proof(make_user("radiologist")),
            version=rec.version,
        )


def test_signing_needs_the_item_discussed(coordinator):
    setup = rf.discussed_item(item_status=AgendaItemStatus.LISTED)
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match="Mark the agenda item discussed"):
        services.sign_recommendation(
            setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
        )
    assert rec.state == RecommendationState.DRAFT
    assert setup.case.status == CaseStatus.LISTED


def test_not_quorate_meeting_refuses_sign_off_without_override(coordinator):
    setup = rf.discussed_item(quorate=False)
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match="not quorate") as error:
        services.sign_recommendation(
            setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
        )
    assert error.value.field == "override_reason"
    assert "Radiology, Pathology" in error.value.message
    assert rec.state == RecommendationState.DRAFT
    assert setup.case.status == CaseStatus.DISCUSSED


def test_absent_attendees_do_not_count_towards_quorum(coordinator, make_user):
    setup = rf.discussed_item(quorate=False)
    rf.attend(setup.meeting, make_user("radiologist"))
    rf.attend(setup.meeting, make_user("pathologist"), present=False)
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match=r"missing: Pathology\)"):
        services.sign_recommendation(
            setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
        )


def test_chair_overrides_quorum_with_a_reason(coordinator):
    setup = rf.discussed_item(quorate=False)
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    services.sign_recommendation(
        setup.chair,
        rec,
        step_up=signing_proof(setup.chair),
        override_reason="Pathology reviewed the slides beforehand.",
        version=rec.version,
    )
    assert rec.state == RecommendationState.SIGNED
    assert rec.quorum_override_reason == "Pathology reviewed the slides beforehand."
    (override,) = _actions("recommendation.quorum_override")
    assert override.actor_id == setup.chair.id
    assert override.changes["missing"] == [None, ["radiology", "pathology"]]
    # The reason is clinical free text: kept in the changes, never the summary.
    assert override.changes["quorum_override_reason"] == [
        None,
        "Pathology reviewed the slides beforehand.",
    ]
    assert "Pathology reviewed the slides" not in override.summary


def test_override_reason_is_not_stored_for_a_quorate_meeting(setup, coordinator):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    services.sign_recommendation(
        setup.chair,
        rec,
        step_up=signing_proof(setup.chair),
        override_reason="Just in case",
        version=rec.version,
    )
    assert rec.quorum_override_reason is None
    assert _actions("recommendation.quorum_override") == []


def test_signed_recommendation_cannot_be_edited(setup):
    rec = rf.signed_recommendation(setup)
    with pytest.raises(InvalidInput, match="cannot be edited; amend it"):
        services.update_recommendation(
            setup.chair, rec, rf.rec_data(intent="palliative"), rec.version
        )
    db.session.refresh(rec)
    assert rec.intent == "curative"
    assert _actions("recommendation.update") == []


# Amendments --------------------------------------------------------------------


def _amend(setup, rec, **overrides):
    data = rf.rec_data(
        amendment_reason="Restaging CT shows lung metastases.",
        intent="palliative",
        types=[{"code": "systemic_therapy"}, {"code": "palliative_care_referral"}],
        **overrides,
    )
    return services.amend_recommendation(setup.chair, rec, data, rec.version)


def test_amendment_creates_a_draft_revision_and_the_signed_one_stays_current(setup):
    old = rf.signed_recommendation(setup)
    new = _amend(setup, old)
    assert (old.state, old.current_key) == (RecommendationState.SIGNED, setup.item.id)
    assert new.revision == 2
    assert new.supersedes_id == old.id
    assert new.current_key is None
    assert new.state == RecommendationState.DRAFT
    assert services.current_recommendation(setup.item).id == old.id
    assert services.pending_amendment(setup.item.id).id == new.id
    assert new.amendment_reason == "Restaging CT shows lung metastases."
    # The old revision keeps what was signed.
    assert old.intent == "curative" and old.signed_by_id == setup.chair.id
    assert [r.revision for r in services.revisions_of(setup.item.id)] == [2, 1]
    (entry,) = _actions("recommendation.amend")
    assert entry.changes["intent"] == ["curative", "palliative"]
    assert entry.changes["amendment_reason"][1].startswith("Restaging CT")


def test_amendment_is_signed_by_the_chair_even_after_the_meeting_closed(setup):
    old = rf.signed_recommendation(setup)
    setup.meeting.status = MeetingStatus.CLOSED
    setup.meeting.closed_at = utcnow()
    new = _amend(setup, old)
    services.sign_recommendation(
        setup.chair, new, step_up=signing_proof(setup.chair), version=new.version
    )
    assert new.state == RecommendationState.SIGNED
    # The case already moved on with revision 1; signing an amendment does not
    # move it again.
    assert setup.case.status == CaseStatus.FOLLOW_UP
    assert services.current_recommendation(setup.item).id == new.id


def test_amendment_needs_a_reason_and_a_change(setup):
    old = rf.signed_recommendation(setup)
    with pytest.raises(InvalidInput, match="reason for the amendment"):
        services.amend_recommendation(setup.chair, old, rf.rec_data(), old.version)
    with pytest.raises(InvalidInput, match="changes nothing"):
        services.amend_recommendation(
            setup.chair,
            old,
            rf.rec_data(amendment_reason="Typo"),
            old.version,
        )
    assert old.state == RecommendationState.SIGNED
    assert _count() == 1


def test_superseded_revision_cannot_be_amended_or_signed(setup):
    old = rf.signed_recommendation(setup)
    new = _amend(setup, old)
    services.sign_recommendation(
        setup.chair, new, version=new.version, step_up=signing_proof(setup.chair)
    )
    with pytest.raises(InvalidInput, match="already amended"):
        _amend(setup, old)
    with pytest.raises(InvalidInput, match="superseded by an amendment"):
        services.sign_recommendation(
            setup.chair, old, step_up=signing_proof(setup.chair), version=old.version
        )
    assert _count() == 2
    assert new.state == RecommendationState.SIGNED


def test_draft_is_edited_not_amended(setup, coordinator):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match="edit it instead"):
        _amend(setup, rec)


def test_draft_amendment_keeps_a_reason_when_edited(setup):
    new = _amend(setup, rf.signed_recommendation(setup))
    with pytest.raises(InvalidInput, match="reason for the amendment"):
        services.update_recommendation(
            setup.chair, new, rf.rec_data(amendment_reason=""), new.version
        )


# Implementation ---------------------------------------------------------------


def test_coordinator_records_implementation(setup, coordinator):
    rec = rf.signed_recommendation(setup)
    services.update_implementation(
        coordinator,
        rec,
        {"implementation_status": "in_progress", "implementation_date": today()},
        rec.version,
    )
    assert rec.implementation_status == ImplementationStatus.IN_PROGRESS
    assert rec.implementation_updated_by_id == coordinator.id
    (entry,) = _actions("recommendation.implementation")
    assert entry.changes["implementation_status"] == ["not_started", "in_progress"]


def test_lead_clinician_records_a_deviation(make_user):
    lead = make_user("medical_oncologist")
    setup = rf.discussed_item()
    setup.case.lead_clinician_id = lead.id
    rec = rf.signed_recommendation(setup)
    services.update_implementation(
        lead,
        rec,
        {
            "implementation_status": "deviated",
            "implementation_date": today(),
            "deviation_reason": "patient_wish",
            "patient_wish": "yes",
            "deviation_note": "Chose treatment closer to home.",
        },
        rec.version,
    )
    assert rec.deviation_reason == "patient_wish"
    assert rec.patient_wish == "yes"


def test_other_clinicians_cannot_record_implementation(setup, make_user):
    rec = rf.signed_recommendation(setup)
    with pytest.raises(AccessDenied, match="lead clinician"):
        services.update_implementation(
            make_user("radiologist"),
            rec,
            {"implementation_status": "completed", "implementation_date": today()},
            rec.version,
        )
    assert rec.implementation_status == ImplementationStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"implementation_status": "done"}, "implementation_status", "Choose"),
        ({"implementation_status": "completed"}, "implementation_date", "Enter"),
        (
            {
                "implementation_status": "completed",
                "implementation_date": today() + timedelta(days=1),
            },
            "implementation_date",
            "in the future",
        ),
        (
            {
                "implementation_status": "completed",
                "implementation_date": today() - timedelta(days=400),
            },
            "implementation_date",
            "before the meeting",
        ),
        (
            {"implementation_status": "deviated", "implementation_date": today()},
            "deviation_reason",
            "reason for the deviation",
        ),
        (
            {
                "implementation_status": "deviated",
                "implementation_date": today(),
                "deviation_reason": "died",
            },
            "patient_wish",
            "patient's wish",
        ),
        (
            {
                "implementation_status": "deviated",
                "implementation_date": today(),
                "deviation_reason": "other",
                "patient_wish": "unknown",
            },
            "deviation_note",
            "Describe the deviation",
        ),
        ({"implementation_status": "not_started"}, None, "Nothing changed"),
    ],
)
def test_bad_implementation_update_is_refused(setup, coordinator, data, field, message):
    rec = rf.signed_recommendation(setup)
    with pytest.raises(InvalidInput, match=message) as error:
        services.update_implementation(coordinator, rec, data, rec.version)
    assert error.value.field == field
    assert rec.implementation_status == ImplementationStatus.NOT_STARTED
    assert _actions("recommendation.implementation") == []


def test_implementation_only_on_the_signed_current_revision(setup, coordinator):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match="signed revision only"):
        services.update_implementation(
            coordinator,
            rec,
            {"implementation_status": "in_progress", "implementation_date": today()},
            rec.version,
        )


def test_stale_implementation_update_is_refused(setup, coordinator):
    rec = rf.signed_recommendation(setup)
    with pytest.raises(Conflict):
        services.update_implementation(
            coordinator,
            rec,
            {"implementation_status": "in_progress", "implementation_date": today()},
            rec.version - 1,
        )


def test_leaving_deviation_clears_its_reason(setup, coordinator):
    rec = rf.signed_recommendation(setup)
    deviated = {
        "implementation_status": "deviated",
        "implementation_date": today(),
        "deviation_reason": "new_findings",
        "patient_wish": "no",
    }
    services.update_implementation(coordinator, rec, deviated, rec.version)
    services.update_implementation(
        coordinator,
        rec,
        {"implementation_status": "completed", "implementation_date": today()},
        rec.version,
    )
    assert (rec.deviation_reason, rec.patient_wish) == (None, None)


# Overdue ------------------------------------------------------------------------


def _past_setup(days_ago: int = 30) -> rf.Setup:
    return rf.discussed_item(
        starts_at=rf.at_midnight(today() - timedelta(days=days_ago))
        + timedelta(hours=15),
        status=MeetingStatus.CLOSED,
    )


def test_overdue_lists_signed_current_not_started_past_start_by(coordinator):
    overdue = rf.signed_recommendation(
        _past_setup(), start_by=today() - timedelta(days=20)
    )
    rf.signed_recommendation(_past_setup(), start_by=today() + timedelta(days=1))
    started = rf.signed_recommendation(
        _past_setup(), start_by=today() - timedelta(days=20)
    )
    services.update_implementation(
        coordinator,
        started,
        {"implementation_status": "in_progress", "implementation_date": today()},
        started.version,
    )
    draft_setup = _past_setup()
    services.record_recommendation(
        coordinator,
        draft_setup.item,
        rf.rec_data(start_by=today() - timedelta(days=20)),
    )
    amended_setup = _past_setup()
    amended = rf.signed_recommendation(
        amended_setup, start_by=today() - timedelta(days=20)
    )
    # Signed amendment: the superseded revision is not listed, and the new
    # one starts later.
    amendment = _amend(amended_setup, amended, start_by=today() + timedelta(days=10))
    services.sign_recommendation(
        amended_setup.chair,
        amendment,
        version=amendment.version,
        step_up=signing_proof(amended_setup.chair),
    )

    listed = db.session.scalars(
        services.overdue_recommendations_query(amended_setup.chair)
    ).all()
    assert [r.id for r in listed] == [overdue.id]
    assert overdue.is_overdue


# Action items -------------------------------------------------------------------


def _action(setup, actor, **overrides):
    rec = overrides.pop("rec", None) or rf.signed_recommendation(setup)
    data = {
        "description": "Book MRI of the whole femur",
        "owner_id": setup.chair.id,
        "due_date": today() + timedelta(days=7),
    }
    data.update(overrides)
    return services.create_action(actor, rec, data)


def test_action_item_is_created_and_audited(setup, coordinator):
    action = _action(setup, coordinator)
    assert action.status == ActionStatus.OPEN
    assert action.created_by_id == coordinator.id
    (entry,) = _actions("action.create")
    assert f"action #{action.id}" in entry.summary
    assert "Book MRI of the whole femur" not in entry.summary
    assert entry.changes["description"] == [None, "Book MRI of the whole femur"]


def test_action_owner_must_be_active(setup, coordinator, make_user):
    gone = make_user("radiologist", is_active=False, name="Dr Gone Away")
    with pytest.raises(InvalidInput, match="Dr Gone Away's account is deactivated"):
        _action(setup, coordinator, owner_id=gone.id)
    assert _count(ActionItem) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": "  "}, "description", "Describe"),
        ({"owner_id": None}, "owner_id", "Choose who owns"),
        ({"due_date": None}, "due_date", "Enter the due date"),
        (
            {"due_date": today() - timedelta(days=1)},
            "due_date",
            "before the meeting",
        ),
        (
            {"due_date": today() + timedelta(days=6 * 366)},
            "due_date",
            "more than five years after the meeting",
        ),
        ({"owner_id": "dr-smith"}, "owner_id", "chosen owner is not valid"),
    ],
)
def test_bad_action_is_refused(setup, coordinator, overrides, field, message):
    with pytest.raises(InvalidInput, match=message) as error:
        _action(setup, coordinator, **overrides)
    assert error.value.field == field
    assert _count(ActionItem) == 0


def test_admin_cannot_own_an_action(setup, coordinator, make_user):
    with pytest.raises(InvalidInput, match="clinician or the coordinator"):
        _action(setup, coordinator, owner_id=make_user("admin").id)


def test_actions_only_on_a_signed_recommendation(setup, coordinator):
    draft = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match="signed revision"):
        _action(setup, coordinator, rec=draft)


def test_owner_marks_action_done_and_others_cannot(setup, coordinator, make_user):
    action = _action(setup, coordinator)
    with pytest.raises(AccessDenied):
        services.set_action_status(
            make_user("pathologist"), action, "done", action.version
        )
    services.set_action_status(setup.chair, action, "done", action.version)
    assert action.status == ActionStatus.DONE
    assert action.completed_at is not None
    with pytest.raises(InvalidInput, match="already done"):
        services.set_action_status(setup.chair, action, "done", action.version)
    services.set_action_status(coordinator, action, "open", action.version)
    assert action.completed_at is None
    assert [e.changes["status"] for e in _actions("action.status")] == [
        ["open", "done"],
        ["done", "open"],
    ]


def test_my_actions_lists_open_then_closed(setup, coordinator):
    rec = rf.signed_recommendation(setup)
    late = _action(setup, coordinator, rec=rec, due_date=rf.meeting_day(setup.meeting))
    later = _action(setup, coordinator, rec=rec, description="Refer to palliative care")
    done = _action(setup, coordinator, rec=rec, description="Inform the GP")
    services.set_action_status(setup.chair, done, "done", done.version)
    open_items, closed = services.my_actions(setup.chair)
    assert [a.id for a in open_items] == [late.id, later.id]
    assert [a.id for a in closed] == [done.id]


def test_overdue_actions_are_open_and_past_due(coordinator):
    setup = _past_setup()
    rec = rf.signed_recommendation(setup)
    late = _action(setup, coordinator, rec=rec, due_date=today() - timedelta(days=3))
    finished = _action(
        setup, coordinator, rec=rec, due_date=today() - timedelta(days=3)
    )
    services.set_action_status(setup.chair, finished, "done", finished.version)
    _action(setup, coordinator, rec=rec, due_date=today())
    listed = db.session.scalars(services.overdue_actions_query(coordinator)).all()
    assert [a.id for a in listed] == [late.id]
    assert late.is_overdue


def test_case_history_is_newest_first_with_every_revision(coordinator):
    first = _past_setup(60)
    r1 = rf.signed_recommendation(first)
    second = rf.discussed_item(case=first.case)
    r2 = rf.signed_recommendation(second)
    r2b = _amend(second, r2)
    history = services.case_history(first.case.id)
    assert [r.id for r in history] == [r2b.id, r2.id, r1.id]


# Agenda visibility and missing versions --------------------------------------------


def test_recording_on_an_unpublished_agenda_is_refused_to_clinicians(make_user):
    setup = rf.discussed_item(status=MeetingStatus.PLANNED)
    with pytest.raises(AccessDenied, match="once the coordinator publishes it"):
        services.record_recommendation(
            make_user("radiologist"), setup.item, rf.rec_data()
        )
    with pytest.raises(AccessDenied):
        services.record_item_read(make_user("radiologist"), setup.item)
    assert _count() == 0


def test_a_missing_version_is_a_conflict_for_every_edit(setup, coordinator):
    draft = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(Conflict, match="changed by someone else"):
        services.update_recommendation(
            coordinator, draft, rf.rec_data(free_text="Changed"), None
        )
    with pytest.raises(Conflict):
        services.sign_recommendation(
            setup.chair, draft, step_up=signing_proof(setup.chair), version=None
        )
    assert draft.state == RecommendationState.DRAFT
    assert draft.free_text != "Changed"
    services.sign_recommendation(
        setup.chair, draft, step_up=signing_proof(setup.chair), version=draft.version
    )
    with pytest.raises(Conflict):
        services.amend_recommendation(
            setup.chair,
            draft,
            rf.rec_data(intent="palliative", amendment_reason="Metastases found."),
            None,
        )
    with pytest.raises(Conflict):
        services.update_implementation(
            coordinator,
            draft,
            {"implementation_status": "started", "implementation_date": today()},
            None,
        )
    assert draft.state == RecommendationState.SIGNED
    assert draft.implementation_status == ImplementationStatus.NOT_STARTED
    action = _action(setup, coordinator, rec=draft)
    with pytest.raises(Conflict):
        services.set_action_status(coordinator, action, "done", None)
    assert action.status == ActionStatus.OPEN


def test_signing_needs_the_signers_own_password_confirmation(
    setup, coordinator, make_user
):
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    with pytest.raises(InvalidInput, match="Confirm the signature with your own"):
        services.sign_recommendation(
            setup.chair, rec, step_up=None, version=rec.version
        )
    someone = make_user("coordinator")
    with pytest.raises(InvalidInput, match="Confirm the signature with your own"):
        services.sign_recommendation(
            setup.chair, rec, step_up=signing_proof(someone), version=rec.version
        )
    assert rec.state == RecommendationState.DRAFT
