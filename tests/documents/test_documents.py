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
from tumorboard.meetings.models import AgendaItemStatus, Attendance, MeetingStatus
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
    assert "earlier revision(s): 1" in text


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
    assert "WHO 2020: " in text
    # Scores read as text, never as the stored records.
    assert "'label'" not in text and "interpretation" not in text
