"""The three PDFs: generated from stored data, text checked after extraction,
downloads audited, and no resource fetched from outside the document."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.factories import signing_proof
from tests.recommendations import factories as rf
from tests.reviews.factories import make_review
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.models import Case
from tumorboard.db import today
from tumorboard.documents.pdf import render_pdf, url_fetcher
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItemStatus,
    Attendance,
    Board,
    MeetingStatus,
    board_members,
)
from tumorboard.patients.models import Patient
from tumorboard.recommendations import services


def pdf_text(content: bytes) -> str:
    """Every page's text with whitespace collapsed (PDF line breaks vary)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _download(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF-")
    return pdf_text(response.data)


def _downloads() -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "document.download")
        )
    )


def _amended(setup):
    old = rf.signed_recommendation(
        setup,
        free_text="Neoadjuvant MAP chemotherapy then limb salvage.",
        types=[
            {"code": "neoadjuvant_chemotherapy"},
            {"code": "clinical_trial", "nct": "NCT01234567"},
        ],
    )
    new = services.amend_recommendation(
        setup.chair,
        old,
        rf.rec_data(
            free_text="Palliative radiotherapy to the femur and systemic therapy.",
            intent="palliative",
            types=[{"code": "radiotherapy"}, {"code": "systemic_therapy"}],
            amendment_reason="Restaging CT shows multiple lung metastases.",
        ),
        old.version,
    )
    services.sign_recommendation(
        setup.chair, new, step_up=signing_proof(setup.chair), version=new.version
    )
    return old, new


def test_outcome_letter_shows_the_signed_revision(client, login_as):
    setup = rf.discussed_item()
    setup.case.referring_clinician = "Dr Hannah Referrer"
    old, new = _amended(setup)
    db.session.commit()
    user = login_as("coordinator")

    text = _download(client, f"/documents/recommendations/{new.id}/letter.pdf")
    patient = db.session.get(Patient, setup.case.patient_id)
    assert "To: Dr Hannah Referrer" in text
    # No GP recorded: none on the copy-to list.
    assert "general practitioner" not in text
    assert patient.mrn in text
    assert "Recommendation (revision 2)" in text
    assert "Restaging CT shows multiple lung metastases." in text
    assert "Palliative radiotherapy to the femur and systemic therapy." in text
    assert f"Signed by {setup.chair.name}, chair of the meeting" in text
    assert "Superseded" not in text
    assert "MAP chemotherapy" not in text

    (entry,) = _downloads()
    assert entry.actor_id == user.id
    assert entry.entity_type == "recommendation" and entry.entity_id == str(new.id)
    assert entry.case_id == setup.case.id
    assert "revision 2" in entry.summary

    old_text = _download(client, f"/documents/recommendations/{old.id}/letter.pdf")
    assert "Superseded: revision 1 was replaced by revision 2" in old_text
    assert "Clinical trial: NCT01234567" in old_text


def test_outcome_letter_needs_a_signed_recommendation(client, login_as):
    setup = rf.discussed_item()
    draft = services.record_recommendation(
        factories.make_user("coordinator"), setup.item, rf.rec_data()
    )
    db.session.commit()
    login_as("radiologist")
    response = client.get(f"/documents/recommendations/{draft.id}/letter.pdf")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "sent with a signed recommendation" in page
    assert _downloads() == []


def test_case_summary_has_case_data_and_every_decision(client, login_as):
    first = rf.discussed_item(
        starts_at=rf.at_midnight(today() - timedelta(days=40)),
        status=MeetingStatus.CLOSED,
    )
    rf.signed_recommendation(first, free_text="Core needle biopsy at the centre.")
    second = rf.discussed_item(case=first.case)
    _amended(second)
    db.session.commit()
    login_as("pathologist")

    text = _download(client, f"/documents/cases/{first.case.id}/summary.pdf")
    case = first.case
    patient = db.session.get(Patient, case.patient_id)
    assert f"Case summary {case.reference}" in text
    assert patient.mrn in text
    assert case.clinical_question in text
    assert "C40.2 — Long bones of lower limb" in text
    assert "Case record version" in text
    assert "latest decision revision 2" in text
    # Newest first: the amendment, its superseded original, then the first meeting.
    order = [
        text.index("Palliative radiotherapy to the femur"),
        text.index("Neoadjuvant MAP chemotherapy"),
        text.index("Core needle biopsy at the centre."),
    ]
    assert order == sorted(order)
    assert "revision 1 (superseded)" in text
    (entry,) = _downloads()
    assert entry.entity_type == "case" and entry.case_id == case.id


def test_case_summary_lists_the_current_revision_of_each_review(client, login_as):
    case = factories.make_case()
    radiologist = factories.make_user("radiologist", name="Dr Rhea Radiant")
    make_review(case, Discipline.RADIOLOGY, author=radiologist)
    make_review(case, Discipline.RADIOLOGY, author=radiologist, size_cc_mm=95)
    db.session.commit()
    login_as("pathologist")

    text = _download(client, f"/documents/cases/{case.id}/summary.pdf")
    assert "No discipline review recorded." not in text
    assert "Radiology 2 (" in text
    assert "Dr Rhea Radiant" in text


def test_minutes_list_attendance_quorum_and_every_outcome(client, login_as, make_user):
    setup = rf.discussed_item(quorate=False, location="Seminar room 4")
    radiologist = make_user("radiologist", name="Dr Rhea Radiant")
    rf.attend(setup.meeting, radiologist)
    rf.attend(setup.meeting, make_user("pathologist", name="Dr Absent"), False)
    db.session.add(
        Attendance(
            meeting_id=setup.meeting.id,
            guest_name="Dr Visiting Fellow",
            discipline="medical_oncology",
        )
    )
    rec = services.record_recommendation(
        factories.make_user("coordinator"),
        setup.item,
        rf.rec_data(free_text="Limb salvage after MAP."),
    )
    services.sign_recommendation(
        setup.chair,
        rec,
        step_up=signing_proof(setup.chair),
        override_reason="Pathology report already final.",
        version=rec.version,
    )
    deferred = rf.make_item(
        setup.meeting,
        status=AgendaItemStatus.DEFERRED,
        status_reason="Awaiting MRI of the whole femur.",
    )
    undecided = rf.make_item(setup.meeting)
    db.session.commit()
    login_as("coordinator")

    text = _download(client, f"/documents/meetings/{setup.meeting.id}/minutes.pdf")
    assert "Provisional: the meeting is in progress" in text
    assert setup.chair.name in text
    assert "Dr Rhea Radiant Radiology Present" in text
    assert "Dr Absent Pathology Absent" in text
    assert "Dr Visiting Fellow (guest)" in text
    assert "Not quorate. Missing: Pathology." in text
    assert "Quorum overridden by the chair" in text
    assert "Pathology report already final." in text
    assert f"{setup.case.reference}" in text
    assert "Recommendation revision 1 (signed)" in text
    assert "Limb salvage after MAP." in text
    assert db.session.get(Case, deferred.case_id).reference in text
    assert "Awaiting MRI of the whole femur." in text
    assert db.session.get(Case, undecided.case_id).reference in text
    assert "Discussed; no recommendation recorded." in text
    entries = _downloads()
    assert {(e.entity_type, e.entity_id) for e in entries} == {
        ("meeting", str(setup.meeting.id))
    }
    # One entry per case on the minutes: each patient's access history shows it.
    on_minutes = [
        setup.case,
        *(db.session.get(Case, i.case_id) for i in (deferred, undecided)),
    ]
    assert sorted((e.case_id, e.patient_id) for e in entries) == sorted(
        (c.id, c.patient_id) for c in on_minutes
    )


def test_minutes_show_the_current_revision_and_earlier_ones(client, login_as):
    setup = rf.discussed_item(status=MeetingStatus.CLOSED)
    _amended(setup)
    db.session.commit()
    login_as("medical_oncologist")
    text = _download(client, f"/documents/meetings/{setup.meeting.id}/minutes.pdf")
    assert "Provisional" not in text
    assert "Quorate: every required discipline was present." in text
    assert "Recommendation revision 2 (signed)" in text
    assert "other revision(s): 1" in text


def test_minutes_keep_the_signed_revision_while_an_amendment_is_a_draft(
    client, login_as
):
    setup = rf.discussed_item(status=MeetingStatus.CLOSED)
    old = rf.signed_recommendation(setup)
    services.amend_recommendation(
        setup.chair,
        old,
        rf.rec_data(
            intent="palliative",
            free_text="Palliative radiotherapy to the femur.",
            types=[{"code": "radiotherapy"}],
            amendment_reason="Restaging CT shows lung metastases.",
        ),
        old.version,
    )
    db.session.commit()
    login_as("medical_oncologist")
    text = _download(client, f"/documents/meetings/{setup.meeting.id}/minutes.pdf")
    assert "Recommendation revision 1 (signed)" in text
    assert "Revision 2 is a draft amendment awaiting the chair's signature" in text


def test_minutes_of_a_meeting_not_yet_held_are_refused(client, login_as):
    setup = rf.discussed_item(status=MeetingStatus.PUBLISHED)
    db.session.commit()
    login_as("coordinator")
    response = client.get(f"/documents/meetings/{setup.meeting.id}/minutes.pdf")
    assert response.status_code == 302
    assert _downloads() == []


def test_administrator_cannot_download_documents(client, login_as):
    setup = rf.discussed_item()
    db.session.commit()
    login_as("admin")
    response = client.get(f"/documents/cases/{setup.case.id}/summary.pdf")
    assert response.status_code == 403
    assert _downloads() == []


# The fetcher -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["file:///etc/hostname", "http://127.0.0.1:9/x.css", "https://example.org/"]
)
def test_fetcher_refuses_everything_but_data_urls(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        url_fetcher().fetch(url)


def test_pdf_never_loads_local_files_but_inline_data_works(tmp_path):
    leak = tmp_path / "leak.css"
    leak.write_text('body::before { content: "LEAKED-FROM-DISK"; }')
    inline = "data:text/css,body::after%20%7B%20content:%20%22INLINE-OK%22;%20%7D"
    html = (
        f'<html><head><link rel="stylesheet" href="{leak.as_uri()}">'
        f'<link rel="stylesheet" href="{inline}"></head>'
        f'<body><p>Body text</p><img src="{leak.as_uri()}" alt="x"></body></html>'
    )
    text = pdf_text(render_pdf(html))
    assert "Body text" in text
    assert "INLINE-OK" in text
    assert "LEAKED-FROM-DISK" not in text


def test_free_text_cannot_pull_in_a_local_file(client, login_as, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "SECRET-CONTENT"; }')
    setup = rf.discussed_item()
    rf.signed_recommendation(
        setup, free_text=f'<link rel="stylesheet" href="{secret.as_uri()}">'
    )
    db.session.commit()
    login_as("coordinator")
    text = _download(client, f"/documents/cases/{setup.case.id}/summary.pdf")
    assert "SECRET-CONTENT" not in text
    # The markup is shown as text, escaped, not interpreted.
    assert 'rel="stylesheet"' in text


def test_case_summary_names_each_score_once(client, login_as):
    case = factories.make_case()
    make_review(case, Discipline.RADIOLOGY)
    make_review(case, Discipline.PATHOLOGY)
    db.session.commit()
    login_as("pathologist")

    text = _download(client, f"/documents/cases/{case.id}/summary.pdf")
    assert "Greatest dimension 92 mm (9.2 cm)." in text
    assert "Greatest dimension: Greatest" not in text
    assert "WHO 2020 Conventional osteosarcoma" in text
    # Scores read as text, never as the stored records.
    assert "'label'" not in text and "interpretation" not in text


def test_case_summary_embeds_key_images_and_labels_one_that_fails(
    client, login_as, make_user
):
    from PIL import Image
    from pypdf import PdfReader

    from tumorboard.attachments import services as attachments

    case = factories.make_case()
    radiologist = make_user("radiologist")
    picture = io.BytesIO()
    Image.new("RGB", (900, 600), (200, 40, 40)).save(picture, format="PNG")
    attachments.attach_file(
        radiologist,
        case,
        kind="key_image",
        stream=io.BytesIO(picture.getvalue()),
        filename="mri.png",
        caption="Coronal T1 of the femur",
        series_slice="Series 4, slice 12",
    )
    lost = attachments.attach_file(
        radiologist,
        case,
        kind="key_image",
        stream=io.BytesIO(picture.getvalue()),
        filename="lost.png",
        caption="Axial STIR",
        series_slice="Series 7, slice 3",
    )
    attachments.file_path(lost).write_bytes(b"not an image any more")
    db.session.commit()
    login_as("pathologist")

    response = client.get(f"/documents/cases/{case.id}/summary.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Key image: Coronal T1 of the femur (Series 4, slice 12)" in text
    assert "Key image: Axial STIR (Series 7, slice 3)" in text
    assert "Image could not be read; open it from the case page." in text
    images = [
        image
        for page in PdfReader(io.BytesIO(response.data)).pages
        for image in page.images
    ]
    # One embedded thumbnail (the readable image), scaled down.
    assert len({image.name for image in images}) == 1
    assert max(images[0].image.size) <= 480 < max(Image.open(picture).size)


def test_case_summary_shows_stage_performance_and_findings(client, login_as):
    case = factories.make_case()
    make_review(case, Discipline.RADIOLOGY)
    make_review(case, Discipline.PATHOLOGY)
    db.session.commit()
    login_as("pathologist")

    text = _download(client, f"/documents/cases/{case.id}/summary.pdf")
    assert "AJCC 8th (bone) Stage" in text
    assert "Enneking" in text
    assert "Performance status Not recorded" in text
    assert "Radiology 1 (" in text and "Pathology 1 (" in text
    # Review values as labelled findings, section by section.
    assert "Greatest dimension" in text


def test_outcome_letter_has_diagnosis_stage_next_steps_copies_and_a_plain_part(
    client, login_as, make_user
):
    from tests.reviews.factories import make_performance
    from tumorboard.recommendations.services import create_action

    setup = rf.discussed_item()
    case = setup.case
    case.referring_clinician = "Dr Hannah Referrer"
    case.lead_clinician_id = make_user("orthopedic_oncologist", name="Dr Lena Lead").id
    patient = db.session.get(Patient, case.patient_id)
    patient.gp_name = "Dr Ruth Calder"
    patient.gp_practice = "Brookside Medical Practice, 4 Mill Lane, Eastfield"
    make_review(case, Discipline.RADIOLOGY)
    make_review(case, Discipline.PATHOLOGY)
    make_performance(case)
    rec = rf.signed_recommendation(
        setup,
        types=[
            {"code": "neoadjuvant_chemotherapy"},
            {"code": "clinical_trial", "nct": "NCT01234567"},
        ],
    )
    nurse = make_user("coordinator", name="Sam Scheduler")
    create_action(
        setup.chair,
        rec,
        {
            "description": "Book the first chemotherapy cycle.",
            "owner_id": nurse.id,
            "due_date": today() + timedelta(days=7),
        },
    )
    db.session.commit()
    login_as("coordinator")

    text = _download(client, f"/documents/recommendations/{rec.id}/letter.pdf")
    clinical, plain = text.split("Part 2: the board's advice in plain English")
    assert "Diagnosis Osteosarcoma (confirmed)" in clinical
    assert "Site distal femur, metaphysis, left" in clinical
    assert "AJCC 8th (bone) Stage IIB" in clinical
    # Referrer, GP, lead clinician (issue 10, item 6: the copy-to list).
    assert (
        "Copy to: Dr Hannah Referrer (referring clinician); Dr Ruth Calder, "
        "Brookside Medical Practice, 4 Mill Lane, Eastfield (general practitioner); "
        "Dr Lena Lead (lead clinician)"
    ) in clinical
    assert "Book the first chemotherapy cycle. Sam Scheduler" in clinical
    assert f"Signed by {setup.chair.name}" in clinical
    # The patient's part: plain words, no codes.
    assert (
        "Chemotherapy (medicines that treat the tumour) before any operation." in plain
    )
    assert "research study" in plain
    assert "Osteosarcoma (confirmed), in the distal femur" in plain
    for code in ("NCT", "C40", "IIB", "T2", "MRN", "G3", "9180"):
        assert code not in plain, code


def test_minutes_give_actual_times_present_and_apologies(client, login_as, make_user):
    from datetime import UTC, datetime

    setup = rf.discussed_item(status=MeetingStatus.CLOSED)
    meeting = setup.meeting
    # Planned 16:00–18:00 (display time zone), held 16:12–17:41.
    meeting.starts_at = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    meeting.ends_at = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    meeting.started_at = datetime(2026, 11, 24, 16, 12, tzinfo=UTC)
    meeting.closed_at = datetime(2026, 11, 24, 17, 41, tzinfo=UTC)
    board = db.session.get(Board, meeting.board_id)
    here = make_user("radiologist", name="Dr Rhea Radiant", boards=[])
    away = make_user("pathologist", name="Dr Paula Away", boards=[])
    db.session.execute(
        board_members.insert(),
        [{"board_id": board.id, "user_id": u.id} for u in (here, away)],
    )
    rf.attend(meeting, here)
    db.session.commit()
    login_as("coordinator")

    text = _download(client, f"/documents/meetings/{meeting.id}/minutes.pdf")
    assert "Started 24 Nov 2026 16:12 Closed 24 Nov 2026 17:41" in text
    assert "Planned 24 Nov 2026 16:00 – 24 Nov 2026 18:00" in text
    present = text[text.index("Present ") : text.index("Apologies")]
    assert "Dr Rhea Radiant (Radiology)" in present
    apologies = text[text.index("Apologies") : text.index("Attendance")]
    assert "Dr Paula Away" in apologies
    assert "Dr Rhea Radiant" not in apologies


# Board pack ------------------------------------------------------------------------


def test_board_pack_has_a_cover_and_one_summary_per_item(client, login_as, make_user):
    from datetime import UTC, datetime

    setup = rf.discussed_item(status=MeetingStatus.PUBLISHED)
    meeting = setup.meeting
    meeting.starts_at = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    meeting.ends_at = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
    setup.item.status = AgendaItemStatus.LISTED
    setup.item.planned_minutes = 15
    setup.item.question = "Limb salvage or amputation?"
    second = rf.make_item(
        meeting,
        status=AgendaItemStatus.LISTED,
        planned_minutes=10,
        question="Is the lesion benign?",
    )
    withdrawn = rf.make_item(
        meeting, status=AgendaItemStatus.WITHDRAWN, status_reason="Treated elsewhere."
    )
    member = make_user("radiologist", name="Dr Rhea Radiant", boards=[])
    db.session.execute(
        board_members.insert(), [{"board_id": meeting.board_id, "user_id": member.id}]
    )
    make_review(setup.case, Discipline.PATHOLOGY)
    db.session.commit()
    user = login_as("coordinator")

    page = client.get(f"/meetings/{meeting.id}")
    assert f"/documents/meetings/{meeting.id}/board-pack.pdf" in page.text
    text = _download(client, f"/documents/meetings/{meeting.id}/board-pack.pdf")
    first_case = setup.case
    second_case = db.session.get(Case, second.case_id)
    cover = text[: text.index(f"Case summary {first_case.reference}")]
    assert "Board pack: " in cover and "Tue 8 Dec 2026, 16:00–18:00" in cover
    assert "Dr Rhea Radiant (Radiology)" in cover
    assert f"1 16:00 {first_case.reference}" in cover
    assert f"2 16:15 {second_case.reference}" in cover
    assert db.session.get(Case, withdrawn.case_id).reference not in text
    # One summary per active item, in agenda order, with the item's question.
    assert text.index(f"Case summary {first_case.reference}") < text.index(
        f"Case summary {second_case.reference}"
    )
    assert "Question for the board Limb salvage or amputation?" in text
    assert "Question for the board Is the lesion benign?" in text
    assert "WHO 2020" in text

    entries = _downloads()
    assert {(e.entity_type, e.entity_id) for e in entries} == {
        ("meeting", str(meeting.id))
    }
    assert sorted(e.case_id for e in entries) == sorted([first_case.id, second_case.id])
    assert all(e.actor_id == user.id for e in entries)
    assert entries[0].changes["cases"] == [None, [first_case.id, second_case.id]]
    assert first_case.reference in entries[0].summary


def test_board_pack_of_an_empty_agenda_is_a_message(client, login_as):
    meeting = rf.make_meeting(status=MeetingStatus.PLANNED)
    db.session.commit()
    login_as("coordinator")
    response = client.get(f"/documents/meetings/{meeting.id}/board-pack.pdf")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "no cases yet; the board pack is made once" in page
    assert _downloads() == []


def test_board_pack_of_an_unpublished_agenda_is_for_the_coordinator(client, login_as):
    setup = rf.discussed_item(status=MeetingStatus.PLANNED)
    setup.item.status = AgendaItemStatus.LISTED
    db.session.commit()
    login_as("radiologist")
    response = client.get(f"/documents/meetings/{setup.meeting.id}/board-pack.pdf")
    assert response.status_code == 403
    assert _downloads() == []
