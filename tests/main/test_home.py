""" "My work": each person's home shows what waits for them, by what they are to
the cases (coordinator, reviewer, chair, lead clinician, key worker)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.recommendations import factories as rf
from tests.reviews.factories import make_review
from tumorboard.cases import services as case_services
from tumorboard.cases.models import CaseStatus
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.main import home
from tumorboard.recommendations import services as rec_services

pytestmark = pytest.mark.usefixtures("app")


def _sections(user) -> dict[str, home.Section]:
    return {s.key: s for s in home.home_for(user).sections}


def _case_ids(section: home.Section) -> list[int]:
    return [row.case.id for row in section.rows]


def test_coordinator_sees_the_pipeline_with_counts(app):
    with app.test_request_context():
        coordinator = factories.make_user("coordinator")
        factories.make_case(status=CaseStatus.REFERRED)
        factories.make_case(status=CaseStatus.WORKUP)
        factories.make_case(status=CaseStatus.WORKUP)
        factories.make_case(status=CaseStatus.READY)
        discussed = rf.discussed_item()
        draft_setup = rf.discussed_item()
        rec_services.record_recommendation(coordinator, draft_setup.item, rf.rec_data())
        result = home.home_for(coordinator)
        counts = {stage.label: stage.count for stage in result.pipeline}
        assert counts["New referrals"] == 1
        assert counts["Work-up"] == 2
        assert counts["Ready, not yet listed"] == 1
        assert counts["Discussed without a recommendation"] == 1
        assert counts["Unsigned draft recommendations"] == 1
        sections = {s.key: s for s in result.sections}
        assert _case_ids(sections["discussed"]) == [discussed.case.id]
        assert _case_ids(sections["drafts"]) == [draft_setup.case.id]


def test_reviewer_sees_cases_waiting_for_their_discipline_only(app):
    with app.test_request_context():
        radiologist = factories.make_user("radiologist")
        waiting = factories.make_case(status=CaseStatus.WORKUP)
        done = factories.make_case(status=CaseStatus.WORKUP)
        make_review(done, "radiology")
        sections = _sections(radiologist)
        assert _case_ids(sections["reviews"]) == [waiting.id]
        assert sections["reviews"].title == "Waiting for your radiology review"
        # Palliative care reviews metastases only (the readiness table).
        carer = factories.make_user("palliative_care")
        assert _sections(carer)["reviews"].count == 0


def test_chair_sees_decisions_waiting_for_their_signature(app):
    with app.test_request_context():
        setup = rf.discussed_item()
        coordinator = factories.make_user("coordinator")
        rec_services.record_recommendation(coordinator, setup.item, rf.rec_data())
        sections = _sections(setup.chair)
        assert _case_ids(sections["signature"]) == [setup.case.id]
        # Someone else chairing nothing has no such section.
        other = factories.make_user("orthopedic_oncologist")
        assert "signature" not in _sections(other)


def test_lead_clinician_sees_next_steps_of_open_cases(app):
    with app.test_request_context():
        lead = factories.make_user("medical_oncologist")
        workup = factories.make_case(
            status=CaseStatus.WORKUP, lead_clinician_id=lead.id
        )
        factories.make_case(status=CaseStatus.CLOSED, lead_clinician_id=lead.id)
        section = _sections(lead)["lead"]
        assert _case_ids(section) == [workup.id]
        assert section.rows[0].text.startswith("Work-up: reviews and readiness")


def test_nurse_specialist_sees_key_worker_patients_with_decisions_first(app):
    with app.test_request_context():
        nurse = factories.make_user("nurse_specialist")
        quiet = factories.make_case(status=CaseStatus.WORKUP, key_worker_id=nurse.id)
        decided = factories.make_case(key_worker_id=nurse.id)
        rf.signed_recommendation(rf.discussed_item(case=decided))
        sections = home.home_for(nurse).sections
        assert sections[0].key == "key_worker"
        assert _case_ids(sections[0]) == [decided.id, quiet.id]
        assert "to pass on" in sections[0].rows[0].text
        # An empty key-worker list still shows for a nurse specialist.
        other = factories.make_user("nurse_specialist")
        assert home.home_for(other).sections[0].empty.startswith("You are not key")


def test_sections_take_a_fixed_number_of_queries(app, count_queries):
    with app.test_request_context():
        nurse = factories.make_user("nurse_specialist")
        for _ in range(2):
            factories.make_case(status=CaseStatus.WORKUP, key_worker_id=nurse.id)
        db.session.flush()
        with count_queries() as small:
            home.home_for(nurse)
        for _ in range(12):
            factories.make_case(status=CaseStatus.WORKUP, key_worker_id=nurse.id)
        db.session.flush()
        with count_queries() as large:
            home.home_for(nurse)
        assert large.count == small.count


def test_coordinator_home_counts_each_list_once(app, count_queries):
    """The pipeline's decisions to record and sign are the counts of the
    sections below it: counted once, not once for each."""
    with app.test_request_context():
        coordinator = factories.make_user("coordinator")
        rf.discussed_item()
        db.session.flush()
        with count_queries() as counter:
            result = home.home_for(coordinator)
        repeated = [s for s in counter.statements if counter.statements.count(s) > 1]
        assert repeated == []
        counts = {stage.label: stage.count for stage in result.pipeline}
        sections = {s.key: s.count for s in result.sections}
        assert counts["Discussed without a recommendation"] == sections["discussed"]
        assert counts["Unsigned draft recommendations"] == sections["drafts"]


@pytest.mark.parametrize(
    ("role", "headings"),
    [
        ("coordinator", ["The pipeline", "Discussed without a recommendation"]),
        ("radiologist", ["Waiting for your radiology review", "Cases you lead"]),
        ("nurse_specialist", ["Your patients (key worker)", "Your open actions"]),
    ],
)
def test_home_page_over_http(client, login_as, role, headings):
    login_as(role)
    page = client.get("/")
    assert page.status_code == 200
    assert "<h1>My work</h1>" in page.text
    for heading in headings:
        assert heading in page.text
    assert ">My work</a>" in page.text


def test_admin_lands_on_the_accounts(client, login_as):
    login_as("admin")
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/admin/users")


def test_key_worker_is_set_on_the_case_and_listed_in_my_patients(
    client, login_as, make_case
):
    nurse = factories.make_user("nurse_specialist")
    case = make_case(status=CaseStatus.WORKUP)
    db.session.commit()
    login_as("coordinator")
    form = client.get(f"/cases/{case.id}/edit").text
    assert 'name="key_worker_id"' in form
    data = factories.case_form_data(key_worker_id=str(nurse.id), version=case.version)
    response = client.post(f"/cases/{case.id}/edit", data=data)
    assert response.status_code == 302, response.text[-1500:]
    db.session.refresh(case)
    assert case.key_worker_id == nurse.id
    client.post("/logout")
    client.post("/login", data={"email": nurse.email, "password": factories.PASSWORD})
    page = client.get("/cases/my-patients").text
    assert case.reference in page


def test_key_worker_must_be_an_active_clinician(client, login_as, make_case):
    admin = factories.make_user("admin")
    case = make_case(status=CaseStatus.WORKUP)
    db.session.commit()
    login_as("coordinator")
    data = factories.case_form_data(key_worker_id=str(admin.id), version=case.version)
    response = client.post(f"/cases/{case.id}/edit", data=data)
    assert response.status_code == 400
    assert "Not a valid choice" in response.text or "key worker" in response.text


def test_key_worker_service_rules():
    coordinator = factories.make_user("coordinator")
    patient = factories.make_patient()
    template = factories.make_case(patient)
    data = {
        key: getattr(template, key)
        for key in (
            "board_id",
            "case_type",
            "site_code",
            "laterality",
            "presentation",
            "clinical_question",
            "referral_source",
            "referring_clinician",
            "referral_date",
            "urgency",
            "biopsy_status",
            "bone",
            "bone_end",
            "bone_segment",
        )
    }
    nurse = factories.make_user("nurse_specialist")
    case = case_services.create_case(
        coordinator, patient, {**data, "key_worker_id": nurse.id}
    )
    assert case.key_worker_id == nurse.id
    inactive = factories.make_user("nurse_specialist", is_active=False)
    for bad in (factories.make_user("admin"), inactive):
        with pytest.raises(InvalidInput, match="key worker must be an active"):
            case_services.create_case(
                coordinator, patient, {**data, "key_worker_id": bad.id}
            )
