"""Working diagnosis and precise location over HTTP: the case form, its
refusals, the "location to complete" flag, and the one-line summary on every
page and document that names a case."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.factories import case_form_data
from tests.meetings.factories import make_item, make_meeting
from tests.recommendations import factories as rf
from tests.reviews.factories import make_review
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db
from tumorboard.meetings.models import MeetingStatus

SUMMARY = "Osteosarcoma (suspected) · distal femur, metaphysis, left"


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


def test_register_a_case_with_diagnosis_and_pelvic_zones(
    client, login_as, make_patient
):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    response = client.post(
        f"/cases/new/{patient.id}",
        data=case_form_data(
            working_diagnosis="ewing_sarcoma",
            bone="pelvis",
            bone_end="",
            bone_segment="",
            pelvic_zones=["I", "II"],
            laterality="right",
        ),
    )
    assert response.status_code == 302, response.text
    case = db.session.scalars(sa.select(Case)).one()
    assert (case.bone, case.pelvic_zones, case.site_code) == ("pelvis", "I+II", "C41.4")
    page = client.get(response.headers["Location"]).text
    assert "Ewing sarcoma (suspected) · pelvis, zones I+II, right" in page
    assert "C41.4 — Pelvic bones, sacrum, coccyx" in page
    assert "Location to complete" not in page

    form = client.get(f"/cases/{case.id}/edit").text
    assert 'checked id="pelvic_zones-0"' in form  # zone I
    assert 'checked id="pelvic_zones-1"' in form  # zone II
    assert 'checked id="pelvic_zones-2"' not in form
    assert '<option selected value="ewing_sarcoma">' in form


def test_the_form_offers_the_catalogue_and_the_bones(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    page = client.get(f"/cases/new/{patient.id}").text
    assert '<optgroup label="Osteogenic tumours">' in page
    assert "Conventional osteosarcoma (NOS) (9180/3)" in page
    assert '<option data-kind="long" value="femur">Femur</option>' in page
    assert '<option data-kind="pelvis" value="pelvis">Pelvis</option>' in page
    assert 'name="pelvic_zones" type="checkbox" value="IV"' in page
    assert '<option value="L5">L5</option>' in page
    assert "/static/js/case_location.js" in page
    assert "<script>" not in page  # CSP: no inline script
    assert 'name="site_code"' not in page  # nobody types C-codes


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"working_diagnosis": "not_a_tumour"},
         "&#39;not_a_tumour&#39; is not a WHO 2020 bone tumour in the catalogue"),
        ({"bone": "scapula", "bone_end": "proximal", "bone_segment": "metaphysis"},
         "recorded for the long bones only"),
        ({"pelvic_zones": ["II"]},
         "Enneking–Dunham zones describe the pelvis only, not the femur."),
        ({"bone": "rib", "bone_end": "", "bone_segment": "", "vertebral_level": "T6"},
         "A vertebral level is recorded for a vertebra only, not for the rib."),
        ({"bone": "vertebra", "bone_end": "", "bone_segment": "",
          "vertebral_level": "T13", "laterality": "midline"},
         "&#39;T13&#39; is not a vertebral level; choose C1–C7, T1–T12 or L1–L5"),
        ({"bone": "tibia", "laterality": "not_applicable"},
         "The tibia is a paired bone: choose the side (left, right or bilateral)."),
        ({"bone": ""}, "Choose the bone."),
        ({"bone_segment": "diaphysis"},
         "The diaphysis is the shaft of the bone: leave the end empty."),
    ],
)  # fmt: skip
def test_bad_location_or_diagnosis_is_refused_and_kept(
    client, login_as, make_patient, overrides, message
):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    response = client.post(
        f"/cases/new/{patient.id}",
        data=case_form_data(presentation="Typed presentation stays", **overrides),
    )
    assert response.status_code == 400
    assert message in response.text
    assert "Typed presentation stays" in response.text
    assert _count() == 0


def test_refused_location_keeps_the_chosen_options(client, login_as, make_patient):
    login_as("coordinator")
    patient = make_patient()
    db.session.commit()
    response = client.post(
        f"/cases/new/{patient.id}",
        data=case_form_data(
            working_diagnosis="chondroblastoma",
            bone="humerus",
            bone_end="proximal",
            bone_segment="epiphysis",
            pelvic_zones=["III"],
            laterality="right",
        ),
    )
    assert response.status_code == 400
    text = response.text
    assert '<option selected value="chondroblastoma">' in text
    assert 'data-kind="long" selected value="humerus"' in text
    assert '<option selected value="epiphysis">' in text
    assert 'checked id="pelvic_zones-2"' in text  # zone III
    assert 'class="field zones has-error"' in text


def test_edit_refuses_a_segment_after_switching_to_a_flat_bone(
    client, login_as, make_case
):
    login_as("coordinator")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/edit",
        data=case_form_data(bone="scapula", version=str(case.version)),
    )
    assert response.status_code == 400
    assert "not for the scapula" in response.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).bone == "femur"


def test_edit_completes_a_topography_only_case(client, login_as, make_case):
    user = login_as("coordinator")
    case = make_case(site_code="C41.2", laterality="midline")
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert "Location to complete: choose the bone." in page
    assert "Vertebral column (excludes sacrum and coccyx" in page
    form = client.get(f"/cases/{case.id}/edit").text
    assert "registered with its topography only (C41.2" in form
    response = client.post(
        f"/cases/{case.id}/edit",
        data=case_form_data(
            bone="vertebra",
            bone_end="",
            bone_segment="",
            vertebral_level="L4",
            laterality="midline",
            version=str(case.version),
        ),
    )
    assert response.status_code == 302, response.text
    page = client.get(f"/cases/{case.id}").text
    assert "Location to complete" not in page
    assert "Primary bone tumour (no working diagnosis) · vertebra L4" in page
    assert user.id


def test_the_completion_flag_is_shown_only_to_those_who_can_edit(
    client, login_as, make_case
):
    login_as("radiologist")
    case = make_case(site_code="C40.0", laterality="left")
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert "Location to complete" not in page
    assert "Long bones of upper limb, scapula and associated joints, left" in page


def test_confirmed_diagnosis_replaces_the_suspected_one_on_the_case_page(
    client, login_as, make_case
):
    case = make_case(working_diagnosis="chondroblastoma")
    make_review(case, "pathology", who_entity="giant_cell_tumour_of_bone", grade=None)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/cases/{case.id}").text
    assert "Giant cell tumour of bone NOS (confirmed) · distal femur" in page
    assert "Working diagnosis at referral: Chondroblastoma" in page
    assert "(suspected)" not in page


def test_worklists_name_each_case_by_diagnosis_and_location(
    client, login_as, make_case, count_queries
):
    login_as("coordinator")
    make_case(working_diagnosis="conventional_osteosarcoma")
    make_case(site_code="C41.3", laterality="right")
    for _ in range(3):
        make_case(bone="pelvis", pelvic_zones="II", laterality="left")
    db.session.commit()
    with count_queries() as few:
        page = client.get("/cases/").text
    assert SUMMARY in page
    assert "Rib, sternum, clavicle and associated joints, right" in page
    assert ">C41.3<" not in page
    for _ in range(5):
        make_case(working_diagnosis="enchondroma")
    db.session.commit()
    with count_queries() as more:
        client.get("/cases/")
    assert more.count == few.count  # the summary reads no other table


def test_patient_page_and_waiting_list_show_the_summary(client, login_as, make_case):
    case = make_case(working_diagnosis="conventional_osteosarcoma")
    case.status = CaseStatus.WORKUP
    db.session.commit()
    login_as("radiologist")
    assert SUMMARY in client.get(f"/patients/{case.patient_id}").text
    assert SUMMARY in client.get("/worklist").text


def test_meeting_pages_show_the_summary(client, login_as):
    case = factories.make_case(working_diagnosis="conventional_osteosarcoma")
    meeting = make_meeting(status=MeetingStatus.PUBLISHED)
    item = make_item(meeting, case)
    db.session.commit()
    login_as("coordinator")
    assert SUMMARY in client.get(f"/meetings/{meeting.id}").text
    assert SUMMARY in client.get(f"/meetings/{meeting.id}/print").text
    meeting.status = MeetingStatus.IN_PROGRESS
    db.session.commit()
    login_as("orthopedic_oncologist")
    page = client.get(f"/meetings/{meeting.id}/present/{item.id}").text
    assert SUMMARY in page
    assert "C40.2 — Long bones of lower limb" in page


def test_documents_show_the_summary(client, login_as):
    case = factories.make_case(working_diagnosis="conventional_osteosarcoma")
    setup = rf.discussed_item(case=case)
    rec = rf.signed_recommendation(setup)
    db.session.commit()
    login_as("coordinator")
    for url in (
        f"/documents/cases/{case.id}/summary.pdf",
        f"/documents/meetings/{setup.meeting.id}/minutes.pdf",
        f"/documents/recommendations/{rec.id}/letter.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SUMMARY in _pdf_text(response.data), url
