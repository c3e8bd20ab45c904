"""Reads of lists and forms: one entry per request with the query and the ids
shown; what the administrator sees of them."""

from __future__ import annotations

import sqlalchemy as sa

from tests.meetings import factories as mf
from tumorboard.audit import services as audit
from tumorboard.audit.models import AuditEntry
from tumorboard.audit.verify import verify
from tumorboard.extensions import db


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


# The helper ----------------------------------------------------------------------


def test_record_list_names_the_query_and_the_ids_once(make_user):
    user = make_user("pathologist")
    entry = audit.record_list(
        user,
        "case.list",
        "the case list",
        {"q": "ewing", "status": "", "lead": None, "page": 2},
        case_ids=[3, 1, 3],
        patient_ids=[7, 5, 7, None],
    )
    db.session.commit()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "case.list",
        "case",
        "list",
    )
    assert entry.summary == "Viewed the case list (2 cases)"
    assert entry.changes == {
        "query": {"q": "ewing", "page": 2},
        "case_ids": [3, 1],
        "patient_ids": [7, 5],
    }
    assert audit.is_list_read(entry)


def test_record_list_counts_patients_when_no_case_is_shown(make_user):
    user = make_user("pathologist")
    one = audit.record_list(
        user, "patient.list", "the patient search", {"q": "x"}, patient_ids=[4]
    )
    none = audit.record_list(user, "case.list", "the case list", {})
    assert one.summary == "Viewed the patient search (1 patient)"
    assert none.summary == "Viewed the case list (0 cases)"
    assert none.changes == {"query": {}, "case_ids": [], "patient_ids": []}


def test_record_list_is_part_of_the_chain(app, make_user):
    user = make_user("pathologist")
    audit.record_list(user, "case.list", "the case list", {}, case_ids=[1])
    audit.record(user, "case.read", "case", 1, "Viewed case TB-00001")
    db.session.commit()
    assert verify().ok


# Lists over HTTP -------------------------------------------------------------------


def test_case_list_records_its_filters_page_and_ids(
    client, login_as, make_case, make_patient
):
    user = login_as("radiologist")
    shown = make_case(make_patient(family_name="Ardent"))
    hidden = make_case(make_patient(family_name="Zeller"))
    db.session.commit()
    assert client.get("/cases/?q=arden&sort=urgency").status_code == 200
    (entry,) = _entries("case.list")
    assert entry.actor_id == user.id
    assert entry.request_path == "/cases/"
    assert entry.changes["query"] == {"q": "arden", "sort": "urgency", "page": 1}
    assert entry.changes["case_ids"] == [shown.id]
    assert entry.changes["patient_ids"] == [shown.patient_id]
    assert hidden.id not in entry.changes["case_ids"]
    assert entry.summary == "Viewed the case list (1 case)"


def test_my_cases_and_the_worklist_are_recorded(client, login_as, make_case):
    user = login_as("orthopedic_oncologist")
    mine = make_case(lead_clinician_id=user.id, status="workup")
    db.session.commit()
    assert client.get("/cases/mine").status_code == 200
    assert client.get("/worklist").status_code == 200
    mine_entry, worklist_entry = _entries("case.list")
    assert mine_entry.summary == "Viewed my cases (1 case)"
    assert mine_entry.changes["query"]["mine"] is True
    assert mine_entry.changes["case_ids"] == [mine.id]
    assert worklist_entry.summary.startswith("Viewed the worklist")
    assert worklist_entry.request_path == "/worklist"


def test_patient_search_records_the_text_and_the_patients(
    client, login_as, make_patient
):
    login_as("coordinator")
    found = make_patient(family_name="Quennell")
    make_patient(family_name="Other")
    db.session.commit()
    assert client.get("/patients/?q=quenn").status_code == 200
    (entry,) = _entries("patient.list")
    assert entry.changes["query"] == {"q": "quenn"}
    assert entry.changes["patient_ids"] == [found.id]
    assert entry.summary == "Viewed the patient search (1 patient)"
    # The empty search page shows nobody and records nothing.
    assert client.get("/patients/").status_code == 200
    assert len(_entries("patient.list")) == 1


def test_one_insert_per_list_whatever_its_length(
    client, login_as, make_case, make_patient, count_queries
):
    login_as("coordinator")
    for _ in range(30):
        make_case(make_patient())
    db.session.commit()
    with count_queries() as counter:
        assert client.get("/cases/").status_code == 200
    inserts = [s for s in counter.statements if "INSERT INTO audit_entries" in s]
    assert len(inserts) == 1
    (entry,) = _entries("case.list")
    assert len(entry.changes["case_ids"]) == 25


# Forms that show a patient -----------------------------------------------------------


def test_edit_forms_record_a_read(client, login_as, make_case):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    assert client.get(f"/cases/{case.id}/edit").status_code == 200
    assert client.get(f"/patients/{case.patient_id}/edit").status_code == 200
    assert client.get(f"/cases/new/{case.patient_id}").status_code == 200
    (case_read,) = _entries("case.read")
    assert case_read.summary == f"Viewed case {case.reference} for editing"
    assert case_read.case_id == case.id
    summaries = [e.summary for e in _entries("patient.read")]
    reference = f"P-{case.patient_id:05d}"
    assert summaries == [
        f"Viewed patient {reference} for editing",
        f"Viewed patient {reference} to register a case",
    ]


def test_a_refused_save_that_shows_the_form_again_records_a_read(
    client, login_as, make_case
):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    response = client.post(f"/cases/{case.id}/edit", data={"case_type": "nonsense"})
    assert response.status_code == 400
    (entry,) = _entries("case.read")
    assert entry.case_id == case.id


# The administrator's view ----------------------------------------------------------


def test_admin_sees_ids_of_a_list_read_but_not_the_search_text(
    client, login_as, make_user, make_case
):
    admin = login_as("admin")
    case = make_case()
    audit.record_list(
        make_user("pathologist"),
        "case.list",
        "the case list",
        {"q": "Lindqvist", "status": "ready"},
        case_ids=[case.id],
        patient_ids=[case.patient_id],
    )
    db.session.commit()
    page = client.get("/admin/audit/?action=case.list").text
    assert "Viewed the case list (1 case)" in page
    assert case.reference in page and f"P-{case.patient_id:05d}" in page
    assert "ready" in page
    assert "Lindqvist" not in page and "(search text not shown)" in page
    assert admin.id  # signed in as the administrator


def test_a_case_filter_finds_the_lists_that_showed_the_case(
    client, login_as, make_user, make_case
):
    login_as("admin")
    reader = make_user("pathologist")
    shown, other = make_case(), make_case()
    audit.record_list(
        reader, "case.list", "the case list", {}, case_ids=[other.id, shown.id]
    )
    audit.record_list(reader, "case.list", "my cases", {}, case_ids=[other.id])
    audit.record(reader, "case.read", "case", shown.id, "Opened", case_id=shown.id)
    db.session.commit()
    page = client.get(f"/admin/audit/?case_id={shown.reference}").text
    assert "Viewed the case list (2 cases)" in page and "Opened" in page
    assert "Viewed my cases" not in page


# Agendas -----------------------------------------------------------------------


def test_the_agenda_fragment_after_a_move_records_the_agenda_read(client, login_as):
    login_as("coordinator")
    meeting = mf.make_meeting()
    a, b = mf.make_item(meeting), mf.make_item(meeting)
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{a.id}/move",
        data={"direction": "down"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    (entry,) = _entries("agenda.read")
    assert (entry.entity_type, entry.entity_id) == ("meeting", str(meeting.id))
    assert sorted(entry.changes["case_ids"]) == sorted([a.case_id, b.case_id])
    assert entry.changes["query"] == {"meeting": meeting.id}


def test_the_meeting_page_records_the_ready_pool_it_shows(client, login_as):
    login_as("coordinator")
    meeting = mf.make_meeting()
    item = mf.make_item(meeting)
    ready = mf.make_ready_case()
    db.session.commit()
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    (entry,) = _entries("agenda.read")
    assert entry.changes["case_ids"] == [item.case_id, ready.id]
    assert entry.changes["patient_ids"][1] == ready.patient_id
    assert entry.summary.endswith("and the ready pool (2 cases)")
