"""De-identified teaching exports: no name, MRN, reference or real date, in
the page or in the PDF's text (read with pypdf); intervals kept; audited."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.audit.models import AuditEntry
from tumorboard.errors import AccessDenied
from tumorboard.extensions import db
from tumorboard.quality import teaching

BIRTH = date(1961, 4, 9)
REFERRED = date(2026, 3, 2)
EXCISION = date(2026, 2, 20)
MEETING = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)


def _real_dates() -> list[str]:
    """Every real date of the case, as the app and people write them."""
    written = []
    for d in (BIRTH, REFERRED, EXCISION, MEETING.date()):
        written += [
            d.isoformat(),
            f"{d.day} {d:%b %Y}",
            f"{d:%d/%m/%Y}",
            f"{d.day} {d:%B %Y}",
        ]
    return written


@pytest.fixture
def story(app):
    """A case whose free text names the patient, the MRN and real dates."""
    patient = factories.make_patient(
        given_name="Marguerite",
        family_name="Oyelaran-Brandt",
        mrn="MRN-770315",
        birth_date=BIRTH,
    )
    case = factories.make_case(
        patient,
        referral_date=REFERRED,
        unplanned_excision_date=EXCISION,
        unplanned_excision_institution="District General",
        presentation=(
            "Mrs Oyelaran-Brandt (MRN 770315) noticed a lump on 20 Feb 2026; "
            "marguerite had it shelled out elsewhere on 2026-02-20."
        ),
        clinical_question="Re-excision for Marguerite? Seen 02/03/2026.",
    )
    setup = rf.discussed_item(case=case, starts_at=MEETING)
    rec = factories.make_user("coordinator")
    from tumorboard.recommendations import services as recommendations

    recommendations.record_recommendation(
        rec,
        setup.item,
        rf.rec_data(
            free_text="Re-excision for Ms Oyelaran Brandt, MRN770315, by 1 April 2026.",
            rationale="Margins after the excision of March 1, 2026 are unknown.",
        ),
    )
    db.session.commit()
    return setup


def _leaks(text: str, setup) -> list[str]:
    words = ["Marguerite", "Oyelaran", "Brandt", "770315", "MRN-770315"]
    words += [setup.case.reference, *_real_dates()]
    return [w for w in words if re.search(re.escape(w), text, re.IGNORECASE)]


def test_scrubber_replaces_names_mrn_and_written_dates(app):
    patient = factories.make_patient(
        given_name="Ana Lucía", family_name="Ruiz", mrn="AB-12 34"
    )
    scrub = teaching.scrubber(patient)
    assert scrub("ana lucía RUIZ, mrn ab1234, seen 3 Jan 2026 and 2026-01-03") == (
        "[name] [name] [name], mrn [MRN], seen [date] and [date]"
    )
    # Words that merely contain a name are kept.
    assert scrub("Ruizton Anatomy") == "Ruizton Anatomy"


def test_age_in_years_and_the_shift():
    assert teaching.age_in_years(date(1961, 4, 9), date(2026, 4, 8)) == 64
    assert teaching.age_in_years(date(1961, 4, 9), date(2026, 4, 9)) == 65
    for _ in range(50):
        shift = teaching.random_shift()
        assert teaching.MIN_SHIFT <= abs(shift) <= teaching.MAX_SHIFT


def test_case_export_keeps_intervals_and_drops_identity(story):
    clinician = factories.make_user("radiologist")
    export = teaching.case_export(clinician, story.case, shift=100)
    (case,) = export.cases
    assert case.label == "Case A" and case.age == "64 years"
    assert case.referred_on == date(2026, 6, 10)
    assert case.unplanned_excision_on == date(2026, 5, 31)
    (discussion,) = case.discussions
    assert (discussion.on, discussion.day) == (date(2026, 6, 20), 10)
    assert "[name]" in case.presentation and "[MRN]" in case.presentation
    assert "[date]" in discussion.free_text and "[date]" in discussion.rationale
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "teaching.read")
    ).one()
    assert entry.case_id == story.case.id
    assert entry.changes["date_shift_days"] == [None, 100]


def test_only_clinicians_export(story):
    with pytest.raises(AccessDenied):
        teaching.case_export(factories.make_user("coordinator"), story.case)


def test_the_page_and_the_pdf_show_no_identity(client, login_as, story):
    login_as("pathologist")
    page = client.get(f"/quality/teaching/cases/{story.case.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "De-identified — for teaching" in html
    body = html.split('<main id="main"', 1)[1]
    assert _leaks(body, story) == []
    pdf = client.get(f"/quality/teaching/cases/{story.case.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "De-identified — for teaching" in text
    assert "Re-excision for [name]" in text
    assert _leaks(text, story) == []
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.action.like("teaching.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["teaching.read", "teaching.download"]


def test_a_whole_meeting(client, login_as, story):
    other_patient = factories.make_patient(family_name="Quennell")
    other = factories.make_case(other_patient, referral_date=date(2026, 3, 1))
    rf.make_item(story.meeting, other)
    db.session.commit()
    login_as("medical_oncologist")
    html = client.get(f"/quality/teaching/meetings/{story.meeting.id}").get_data(
        as_text=True
    )
    assert "Case A:" in html and "Case B:" in html
    body = html.split('<main id="main"', 1)[1]
    assert _leaks(body, story) == []
    assert "Quennell" not in body
    pdf = client.get(f"/quality/teaching/meetings/{story.meeting.id}.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert _leaks(text, story) == [] and "Quennell" not in text
