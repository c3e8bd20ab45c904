"""Recommendation pages over HTTP: forms keep what was typed, refusals say why,
lists run a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import signing_proof
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import CaseStatus
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.meetings.models import MeetingStatus
from tumorboard.recommendations import services
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    Recommendation,
    RecommendationState,
)


def _url(setup) -> str:
    return f"/meetings/{setup.meeting.id}/items/{setup.item.id}/recommendation"


def _count(model=Recommendation) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _signatures(rec) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "recommendation.sign",
            AuditEntry.entity_id == str(rec.id),
        )
    )


def _draft(setup) -> Recommendation:
    """A draft recommendation for the discussed item, recorded by a coordinator."""
    return services.record_recommendation(
        factories.make_user("coordinator"), setup.item, rf.rec_data()
    )


def _login(client, user) -> None:
    client.post("/logout")
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_record_through_the_form(client, login_as, setup):
    login_as("coordinator")
    db.session.commit()
    page = client.get(_url(setup))
    assert page.status_code == 200
    assert setup.case.clinical_question in page.text
    response = client.post(_url(setup), data=rf.form_data())
    assert response.status_code == 302
    rec = db.session.scalars(sa.select(Recommendation)).one()
    assert response.headers["Location"] == f"/recommendations/{rec.id}"
    assert rec.types == [
        {"code": "neoadjuvant_chemotherapy"},
        {"code": "surgery", "detail": "limb_salvage"},
    ]
    detail = client.get(response.headers["Location"]).text
    assert "Surgery: Limb-salvage resection with reconstruction" in detail
    assert "Not signed yet" in detail
    # Opening the form again leads to the draft, never a second recording.
    again = client.get(_url(setup))
    assert again.headers["Location"] == f"/recommendations/{rec.id}/edit"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"type_neoadjuvant_chemotherapy": None, "type_surgery": None},
            "The recommendation is empty: choose at least one recommendation type.",
        ),
        (
            {"type_clinical_trial": "y", "trial_nct": "NCT12AB5678"},
            "An NCT number is &#39;NCT&#39; followed by exactly 8 digits",
        ),
        ({"surgery_kind": ""}, "Choose the kind of surgery."),
        (
            {"start_by": (today() - timedelta(days=2)).isoformat()},
            "The start-by date is before the meeting",
        ),
        ({"consensus": None}, "name the discipline that dissented"),
    ],
)
def test_bad_form_is_refused_and_keeps_the_typed_text(
    client, login_as, setup, overrides, message
):
    login_as("radiologist")
    db.session.commit()
    response = client.post(
        _url(setup),
        data=rf.form_data(free_text="Typed recommendation text stays", **overrides),
    )
    assert response.status_code == 400
    assert message in response.text
    assert "Typed recommendation text stays" in response.text
    assert _count() == 0


def test_lower_case_nct_is_accepted_and_stored_upper_case(client, login_as, setup):
    login_as("coordinator")
    db.session.commit()
    response = client.post(
        _url(setup), data=rf.form_data(type_clinical_trial="y", trial_nct="nct01234567")
    )
    assert response.status_code == 302
    rec = db.session.scalars(sa.select(Recommendation)).one()
    assert {"code": "clinical_trial", "nct": "NCT01234567"} in rec.types


def test_dissent_rows_are_saved(client, login_as, setup):
    login_as("coordinator")
    db.session.commit()
    response = client.post(
        _url(setup),
        data=rf.form_data(
            consensus=None,
            **{
                "dissent-0-discipline": "radiation_oncology",
                "dissent-0-reason": "Definitive radiotherapy preferred.",
            },
        ),
    )
    assert response.status_code == 302
    rec = db.session.scalars(sa.select(Recommendation)).one()
    assert rec.dissent == [
        {
            "discipline": "radiation_oncology",
            "reason": "Definitive radiotherapy preferred.",
        }
    ]


def test_sign_form_is_shown_to_the_chair_only(client, login_as, setup):
    rec = _draft(setup)
    db.session.commit()
    login_as("radiologist")
    assert "Sign revision 1" not in client.get(f"/recommendations/{rec.id}").text
    assert client.get(f"/recommendations/{rec.id}/sign").status_code == 403
    _login(client, setup.chair)
    page = client.get(f"/recommendations/{rec.id}").text
    assert "Review and sign revision 1" in page
    assert "The meeting is quorate." in page


def test_chair_signs_through_the_page(client, setup):
    rec = _draft(setup)
    db.session.commit()
    _login(client, setup.chair)
    response = client.post(
        f"/recommendations/{rec.id}/sign",
        data={"version": rec.version, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    db.session.refresh(rec)
    db.session.refresh(setup.case)
    assert rec.state == RecommendationState.SIGNED
    assert setup.case.status == CaseStatus.FOLLOW_UP
    page = client.get(f"/recommendations/{rec.id}").text
    assert f"Signed by <strong>{setup.chair.name}</strong>" in page


def test_someone_else_signing_is_refused_with_the_chairs_name(client, login_as, setup):
    rec = _draft(setup)
    db.session.commit()
    login_as("pathologist")
    response = client.post(
        f"/recommendations/{rec.id}/sign",
        data={"version": rec.version, "password": factories.PASSWORD},
    )
    assert response.status_code == 403
    assert f"Only the chair of this meeting ({setup.chair.name})" in response.text
    db.session.refresh(rec)
    assert rec.state == RecommendationState.DRAFT


def test_not_quorate_sign_needs_an_override_reason(client):
    setup = rf.discussed_item(quorate=False)
    rec = _draft(setup)
    db.session.commit()
    _login(client, setup.chair)
    page = client.get(f"/recommendations/{rec.id}/sign").text
    assert "The meeting is not quorate: Radiology, Pathology are missing." in page
    response = client.post(
        f"/recommendations/{rec.id}/sign",
        data={"version": rec.version, "password": factories.PASSWORD},
    )
    assert response.status_code == 400
    assert "Sign only with a reason for overriding the quorum." in response.text
    db.session.refresh(rec)
    assert rec.state == RecommendationState.DRAFT
    response = client.post(
        f"/recommendations/{rec.id}/sign",
        data={
            "version": rec.version,
            "override_reason": "Radiology joined by phone.",
            "password": factories.PASSWORD,
        },
    )
    assert response.status_code == 302
    db.session.refresh(rec)
    assert rec.quorum_override_reason == "Radiology joined by phone."


def test_signing_twice_through_the_page_says_already_signed(client, setup):
    rec = _draft(setup)
    db.session.commit()
    _login(client, setup.chair)
    data = {"version": rec.version, "password": factories.PASSWORD}
    assert client.post(f"/recommendations/{rec.id}/sign", data=data).status_code == 302
    response = client.post(
        f"/recommendations/{rec.id}/sign", data=data, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Revision 1 is already signed; nothing was changed." in response.text
    assert _signatures(rec) == 1


def test_signed_recommendation_edit_page_redirects_with_a_message(
    client, login_as, setup
):
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/recommendations/{rec.id}/edit", data=rf.form_data(intent="palliative")
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "cannot be edited; amend it to create a new revision" in page
    db.session.refresh(rec)
    assert rec.intent == "curative"


@pytest.mark.parametrize(
    ("versions_ahead", "message"),
    [
        (5, "changed by someone else"),
        (None, "version of the revision you opened is missing"),
    ],
    ids=["stale-version", "missing-version"],
)
def test_draft_edit_with_a_stale_or_missing_version_is_refused_and_keeps_input(
    client, login_as, setup, versions_ahead, message
):
    rec = _draft(setup)
    db.session.commit()
    login_as("coordinator")
    version = None if versions_ahead is None else rec.version + versions_ahead
    response = client.post(
        f"/recommendations/{rec.id}/edit",
        data=rf.form_data(version=version, free_text="My newer wording"),
    )
    assert response.status_code == 400
    assert message in response.text
    assert "My newer wording" in response.text
    db.session.refresh(rec)
    assert rec.free_text != "My newer wording"


def test_amend_through_the_page_keeps_both_revisions_visible(client, login_as, setup):
    old = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/recommendations/{old.id}/amend").text
    assert "Saving creates revision 2" in page
    response = client.post(
        f"/recommendations/{old.id}/amend",
        data=rf.form_data(
            version=old.version,
            intent="palliative",
            amendment_reason="Lung metastases on restaging CT.",
        ),
    )
    assert response.status_code == 302
    new = db.session.scalars(
        sa.select(Recommendation).where(Recommendation.revision == 2)
    ).one()
    page = client.get(f"/recommendations/{new.id}").text
    assert "revision 2" in page
    assert "Lung metastases on restaging CT." in page
    assert f'href="/recommendations/{old.id}">Revision 1</a>' in page
    assert "This amendment is a draft awaiting the chair's signature." in page
    old_page = client.get(f"/recommendations/{old.id}").text
    assert "Revision 2 is a draft amendment awaiting the chair" in old_page
    assert "This revision was superseded" not in old_page


@pytest.mark.parametrize(
    ("sends_version", "amendment_reason", "message"),
    [
        (True, None, "Give the reason for the amendment."),
        (False, "Metastases.", "version of the revision you opened is missing"),
    ],
    ids=["without-a-reason", "without-the-version"],
)
def test_incomplete_amendment_is_refused(
    client, login_as, setup, sends_version, amendment_reason, message
):
    old = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/recommendations/{old.id}/amend",
        data=rf.form_data(
            version=old.version if sends_version else None,
            intent="palliative",
            amendment_reason=amendment_reason,
        ),
    )
    assert response.status_code == 400
    assert message in response.text
    assert _count() == 1


def test_implementation_form(client, login_as, setup):
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/recommendations/{rec.id}/implementation",
        data={
            "implementation_status": "deviated",
            "implementation_date": today().isoformat(),
            "deviation_reason": "",
            "version": rec.version,
        },
    )
    assert response.status_code == 400
    assert "Choose the reason for the deviation." in response.text
    response = client.post(
        f"/recommendations/{rec.id}/implementation",
        data={
            "implementation_status": "deviated",
            "implementation_date": today().isoformat(),
            "deviation_reason": "clinical_deterioration",
            "patient_wish": "no",
            "version": rec.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(rec)
    assert rec.deviation_reason == "clinical_deterioration"


def test_radiologist_does_not_see_the_implementation_form(client, login_as, setup):
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("radiologist")
    page = client.get(f"/recommendations/{rec.id}").text
    assert "Save implementation" not in page
    response = client.post(
        f"/recommendations/{rec.id}/implementation",
        data={
            "implementation_status": "completed",
            "implementation_date": today().isoformat(),
            "version": rec.version,
        },
    )
    assert response.status_code == 403


def test_add_action_and_mark_it_done_from_my_actions(client, setup):
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    _login(client, setup.chair)
    response = client.post(
        f"/recommendations/{rec.id}/actions",
        data={
            "description": "Refer to palliative care",
            "owner_id": setup.chair.id,
            "due_date": today().isoformat(),
        },
    )
    assert response.status_code == 302
    action = db.session.scalars(sa.select(ActionItem)).one()
    page = client.get("/actions/mine").text
    assert "Refer to palliative care" in page
    response = client.post(
        f"/actions/{action.id}/status",
        data={"status": "done", "version": action.version, "next": "mine"},
    )
    assert response.headers["Location"] == "/actions/mine"
    db.session.refresh(action)
    assert action.status == ActionStatus.DONE


def test_action_with_deactivated_owner_is_not_offered(client, login_as, setup):
    rec = rf.signed_recommendation(setup)
    gone = factories.make_user("radiologist", is_active=False, name="Dr Gone")
    db.session.commit()
    login_as("coordinator")
    assert "Dr Gone" not in client.get(f"/recommendations/{rec.id}").text
    response = client.post(
        f"/recommendations/{rec.id}/actions",
        data={
            "description": "Book CT chest",
            "owner_id": gone.id,
            "due_date": today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Not a valid choice" in response.text
    assert "Book CT chest" in response.text
    assert _count(ActionItem) == 0


@pytest.mark.parametrize(
    ("description", "due_in_days", "message"),
    [
        ("Book CT chest", -3, "The due date is before the meeting"),
        ("Review in clinic", 6 * 366, "more than five years after the meeting"),
    ],
    ids=["before-the-meeting", "more-than-five-years-ahead"],
)
def test_action_due_date_outside_the_allowed_range_is_refused(
    client, login_as, setup, description, due_in_days, message
):
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/recommendations/{rec.id}/actions",
        data={
            "description": description,
            "owner_id": str(setup.chair.id),
            "due_date": (today() + timedelta(days=due_in_days)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert message in response.text
    assert _count(ActionItem) == 0


def test_reading_a_recommendation_is_audited(client, login_as, setup):
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    user = login_as("nurse_specialist")
    client.get(f"/recommendations/{rec.id}")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "recommendation.read")
    ).one()
    assert (entry.actor_id, entry.case_id) == (user.id, setup.case.id)


# Lists and the case panel -------------------------------------------------------


def _overdue_rows(n: int) -> None:
    """``n`` overdue signed recommendations, each with an overdue action."""
    coordinator = factories.make_user("coordinator")
    board = rf.make_board()
    chair = factories.make_user("orthopedic_oncologist")
    for i in range(n):
        setup = rf.discussed_item(
            board=board,
            chair=chair,
            starts_at=rf.at_midnight(today() - timedelta(days=30))
            + timedelta(minutes=i),
            status=MeetingStatus.CLOSED,
        )
        rec = rf.signed_recommendation(setup, start_by=today() - timedelta(days=5))
        services.create_action(
            coordinator,
            rec,
            {
                "description": f"Chase MRI {i}",
                "owner_id": chair.id,
                "due_date": today() - timedelta(days=2),
            },
        )
    db.session.commit()


def _statements(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_overdue_page_runs_the_same_queries_for_5_and_105_rows(
    client, app, login_as, count_queries
):
    login_as("coordinator")
    _overdue_rows(5)
    small = _statements(client, count_queries, "/recommendations/overdue")
    _overdue_rows(100)
    page = client.get("/recommendations/overdue").text
    assert "Recommendations not started (105)" in page
    assert "Overdue action items (105)" in page
    # Paged: only one page of each list is loaded and shown.
    size = app.config["PAGE_SIZE"]
    assert size < 105
    assert page.count('<tr class="overdue">') == 2 * size
    assert "?page=2" in page and "actions_page=2" in page
    assert _statements(client, count_queries, "/recommendations/overdue") == small
    pages = -(-105 // size)
    last = client.get(f"/recommendations/overdue?page={pages}").text
    # The last page of recommendations, the first page of action items.
    assert last.count('<tr class="overdue">') == (105 - size * (pages - 1)) + size


def test_my_actions_runs_the_same_queries_for_5_and_105_rows(client, count_queries):
    chair = factories.make_user("orthopedic_oncologist")
    _overdue_rows(5)
    db.session.execute(sa.update(ActionItem).values(owner_id=chair.id))
    db.session.commit()
    _login(client, chair)
    small = _statements(client, count_queries, "/actions/mine")
    _overdue_rows(100)
    db.session.execute(sa.update(ActionItem).values(owner_id=chair.id))
    db.session.commit()
    page = client.get("/actions/mine").text
    assert "Open (105)" in page
    assert page.count('class="badge overdue">Overdue</span>') == 105
    assert _statements(client, count_queries, "/actions/mine") == small


def test_my_actions_is_empty_for_an_administrator(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/actions/mine")
    assert page.status_code == 200
    assert "Nothing open." in page.text


def test_case_page_shows_every_decision_newest_first(client, login_as):
    first = rf.discussed_item(
        starts_at=rf.at_midnight(today() - timedelta(days=40)),
        status=MeetingStatus.CLOSED,
    )
    r1 = rf.signed_recommendation(first, free_text="First decision: biopsy.")
    second = rf.discussed_item(case=first.case)
    r2 = rf.signed_recommendation(second, free_text="Second decision: surgery.")
    amendment = services.amend_recommendation(
        second.chair,
        r2,
        rf.rec_data(free_text="Amended: palliative RT.", amendment_reason="Lung mets"),
        r2.version,
    )
    services.sign_recommendation(
        second.chair,
        amendment,
        version=amendment.version,
        step_up=signing_proof(second.chair),
    )
    db.session.commit()
    login_as("radiologist")
    page = client.get(f"/cases/{first.case.id}").text
    assert "Board decisions" in page
    positions = [
        page.index("Amended: palliative RT."),
        page.index("Second decision: surgery."),
        page.index("First decision: biopsy."),
    ]
    assert positions == sorted(positions)
    assert page.count("rec-state-superseded") == 1
    assert f"/recommendations/{r1.id}" in page


def test_case_history_panel_query_count_is_fixed(app, count_queries):
    from tumorboard.recommendations.panels import _history_panel

    setup = rf.discussed_item()
    rf.signed_recommendation(setup)
    db.session.flush()
    with count_queries() as few:
        _history_panel(None, setup.case)
    for _ in range(6):
        other = rf.discussed_item(case=setup.case)
        rf.signed_recommendation(other)
    db.session.flush()
    with count_queries() as many:
        panel = _history_panel(None, setup.case)
        for rec in panel["recommendations"]:
            _ = rec.agenda_item.meeting.board.name, rec.signed_by.name
    assert len(panel["recommendations"]) == 7
    assert many.count == few.count == 1


# Unpublished agendas, audited reads, missing versions -------------------------------


def test_clinician_cannot_open_the_form_of_an_unpublished_agenda(client, login_as):
    patient = factories.make_patient(family_name="Hiddenagenda")
    setup = rf.discussed_item(
        status=MeetingStatus.PLANNED, case=factories.make_case(patient=patient)
    )
    mrn = patient.mrn
    db.session.commit()
    login_as("radiologist")
    for response in (
        client.get(_url(setup)),
        client.post(_url(setup), data=rf.form_data()),
    ):
        assert response.status_code == 403
        assert "HIDDENAGENDA" not in response.text.upper()
        assert mrn not in response.text
    assert _count() == 0
    assert (
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "agenda_item.read")
        ).all()
        == []
    )


def test_opening_the_recording_form_is_audited(client, login_as, setup):
    db.session.commit()
    user = login_as("radiologist")
    assert client.get(_url(setup)).status_code == 200
    (entry,) = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "agenda_item.read")
    ).all()
    assert (entry.actor_id, entry.entity_id) == (user.id, str(setup.item.id))
    assert (entry.case_id, entry.patient_id) == (setup.case.id, setup.case.patient_id)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("sign", {}),
        (
            "implementation",
            {"implementation_status": "started", "implementation_date": ""},
        ),
    ],
    ids=["sign", "implementation"],
)
def test_sign_and_implementation_without_version_are_refused(
    client, login_as, setup, path, data
):
    coordinator = factories.make_user("coordinator")
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    if path == "implementation":
        services.sign_recommendation(
            setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
        )
        data["implementation_date"] = today().isoformat()
    db.session.commit()
    before = (rec.state, rec.implementation_status, rec.version)
    _login(client, setup.chair if path == "sign" else coordinator)
    response = client.post(f"/recommendations/{rec.id}/{path}", data=data)
    assert response.status_code == 400
    assert "The form was incomplete" in response.text
    db.session.refresh(rec)
    assert (rec.state, rec.implementation_status, rec.version) == before


def test_action_status_without_version_changes_nothing(client, login_as, setup):
    rec = rf.signed_recommendation(setup)
    action = services.create_action(
        factories.make_user("coordinator"),
        rec,
        {
            "description": "Book MRI",
            "owner_id": setup.chair.id,
            "due_date": today() + timedelta(days=3),
        },
    )
    db.session.commit()
    _login(client, setup.chair)
    response = client.post(
        f"/actions/{action.id}/status", data={"status": "done"}, follow_redirects=True
    )
    assert "nothing was changed" in response.text
    db.session.refresh(action)
    assert action.status == ActionStatus.OPEN


def test_after_a_conflict_the_kept_input_can_be_saved_on_purpose(
    client, login_as, setup
):
    rec = _draft(setup)
    db.session.commit()
    login_as("coordinator")
    stale = rf.form_data(free_text="My newer wording", version=rec.version + 7)
    response = client.post(f"/recommendations/{rec.id}/edit", data=stale)
    assert response.status_code == 400
    assert f'name="version" type="hidden" value="{rec.version}"' in response.text
    fresh = rf.form_data(free_text="My newer wording", version=rec.version)
    assert client.post(f"/recommendations/{rec.id}/edit", data=fresh).status_code == 302
    db.session.refresh(rec)
    assert rec.free_text == "My newer wording"


def test_revision_list_says_signed_once(client, login_as, setup):
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/recommendations/{rec.id}").text
    assert re.search(
        r'<span class="rec-state rec-state-signed">Signed</span>\s*'
        r'<span class="muted">\d{1,2} \w{3} \d{4} \d{2}:\d{2} by ',
        page,
    )
    assert not re.search(r"Signed</span>\s*<span[^>]*>signed", page)


def test_sign_page_shows_exactly_what_is_signed(client, setup):
    rec = _draft(setup)
    db.session.commit()
    _login(client, setup.chair)
    response = client.get(f"/recommendations/{rec.id}/sign")
    assert response.status_code == 200
    page = response.text
    assert "What you are signing" in page
    assert rec.free_text in page
    for label in rec.type_labels:
        assert label in page
    assert rec.intent.label in page
    assert f"{rec.start_by.day} {rec.start_by:%b %Y}" in page
    assert 'type="password"' in page
    db.session.refresh(rec)
    assert rec.state == RecommendationState.DRAFT


def test_signing_with_a_wrong_password_signs_nothing(client, setup):
    rec = _draft(setup)
    db.session.commit()
    _login(client, setup.chair)
    response = client.post(
        f"/recommendations/{rec.id}/sign",
        data={"version": rec.version, "password": "not-my-password"},
    )
    assert response.status_code == 400
    assert "The password is not correct; nothing was signed." in response.text
    assert "4 tries left" in response.text
    assert "not-my-password" not in response.text
    db.session.refresh(rec)
    assert rec.state == RecommendationState.DRAFT
    refused = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "auth.step_up_failed")
    ).all()
    assert [e.actor_id for e in refused] == [setup.chair.id]
    missing = client.post(
        f"/recommendations/{rec.id}/sign", data={"version": rec.version}
    )
    assert missing.status_code == 400
    assert "Enter your password to sign." in missing.text


def test_five_wrong_passwords_pause_signing(client, setup):
    rec = _draft(setup)
    db.session.commit()
    _login(client, setup.chair)
    url = f"/recommendations/{rec.id}/sign"
    for _ in range(5):
        response = client.post(url, data={"version": rec.version, "password": "x"})
        assert response.status_code == 400
    assert "signing is paused until" in response.text
    # Even the right password is not checked while signing is paused.
    response = client.post(
        url, data={"version": rec.version, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "Signing is paused after too many wrong passwords" in response.text
    db.session.refresh(rec)
    assert rec.state == RecommendationState.DRAFT
    # Sign-in itself is not locked.
    db.session.refresh(setup.chair)
    assert setup.chair.locked_until is None
    assert setup.chair.step_up_locked_until is not None
    lockouts = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "auth.step_up_lockout")
    ).all()
    assert len(lockouts) == 1
