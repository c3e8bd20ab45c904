"""Reviews, readiness and staging over HTTP."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import render_template

from tests.reviews.factories import (
    make_performance,
    make_review,
    orthopaedic_data,
    palliative_data,
    pathology_data,
    radiology_data,
)
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import CaseStatus
from tumorboard.cases.panels import load_panels
from tumorboard.extensions import db
from tumorboard.reviews import services
from tumorboard.reviews.models import ReadinessWaiver, ReviewRevision


def form_data(data: dict, base: int = 0) -> dict:
    """Review inputs as the browser posts them (rows as ``key-0-field``)."""
    posted = {"base": str(base)}
    for key, value in data.items():
        if isinstance(value, list):
            for index, row in enumerate(value):
                for field, cell in row.items():
                    posted[f"{key}-{index}-{field}"] = "" if cell is None else str(cell)
        else:
            posted[key] = "" if value is None else str(value)
    return posted


def _edit_url(case, discipline):
    return f"/cases/{case.id}/reviews/{discipline}/edit"


def test_each_discipline_saves_its_review_through_the_form(client, login_as, make_case):
    case = make_case()
    db.session.commit()
    for role, discipline, data in [
        ("radiologist", "radiology", radiology_data()),
        ("pathologist", "pathology", pathology_data()),
        ("orthopedic_oncologist", "orthopaedic_oncology", orthopaedic_data()),
        ("palliative_care", "palliative_care", palliative_data()),
    ]:
        client.post("/logout")
        login_as(role)
        page = client.get(_edit_url(case, discipline))
        assert page.status_code == 200
        response = client.post(_edit_url(case, discipline), data=form_data(data))
        assert response.status_code == 302, response.text
        assert response.headers["Location"] == f"/cases/{case.id}/reviews/{discipline}"
        shown = client.get(response.headers["Location"]).text
        assert "saved as revision 1" in shown
    revisions = db.session.scalars(sa.select(ReviewRevision)).all()
    assert len(revisions) == 4
    page = client.get(f"/cases/{case.id}/reviews/radiology").text
    assert "ACC-1001" in page
    assert "Modified Lodwick–Madewell IIIB" in page


def test_form_shows_only_the_sections_that_apply(client, login_as, make_case):
    login_as("radiologist")
    femur = make_case()
    spine = make_case(site_code="C41.2")
    db.session.commit()
    assert "SINS (spinal lesions)" not in client.get(_edit_url(femur, "radiology")).text
    spinal = client.get(_edit_url(spine, "radiology")).text
    assert "SINS (spinal lesions)" in spinal
    assert "T4a — Spinal canal" in spinal


def test_a_review_by_another_discipline_is_forbidden(client, login_as, make_case):
    login_as("pathologist")
    case = make_case()
    db.session.commit()
    assert client.get(_edit_url(case, "radiology")).status_code == 403
    response = client.post(
        _edit_url(case, "radiology"), data=form_data(radiology_data())
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ReviewRevision.id))) == 0


def test_unknown_discipline_is_404(client, login_as, make_case):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    assert client.get(f"/cases/{case.id}/reviews/nursing").status_code == 404
    assert client.get(_edit_url(case, "astrology")).status_code == 404


def test_bad_input_is_refused_and_the_typed_values_stay(client, login_as, make_case):
    login_as("pathologist")
    case = make_case()
    db.session.commit()
    data = pathology_data(
        specimen="resection",
        margin="wide",
        necrosis_percent=120,
        primary_histology=None,
        reference_centre="Typed reference centre",
    )
    response = client.post(_edit_url(case, "pathology"), data=form_data(data))
    assert response.status_code == 400
    assert "Tumour necrosis must be between 0 and 100 %." in response.text
    assert "Typed reference centre" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ReviewRevision.id))) == 0


def test_service_error_lands_on_its_row_field(client, login_as, make_case):
    login_as("pathologist")
    case = make_case()
    db.session.commit()
    data = pathology_data(icdo_code="9364/3")
    response = client.post(_edit_url(case, "pathology"), data=form_data(data))
    assert response.status_code == 400
    assert 'id="icdo_code-error"' in response.text
    assert "9364/3 belongs to Ewing sarcoma" in response.text


def test_add_row_rerenders_with_one_more_row_and_saves_nothing(
    client, login_as, make_case
):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    posted = form_data(radiology_data(differential="Typed differential"))
    posted["add_row"] = "studies"
    response = client.post(_edit_url(case, "radiology"), data=posted)
    assert response.status_code == 200
    # Two blank rows by default, one filled: the new one is the third.
    assert 'name="studies-2-modality"' in response.text
    assert 'name="studies-3-modality"' not in response.text
    assert "Typed differential" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ReviewRevision.id))) == 0


def test_stale_edit_is_refused_with_the_newer_version_and_input_kept(
    client, login_as, make_case, make_user
):
    case = make_case()
    colleague = make_user("radiologist")
    make_review(case, "radiology", author=colleague)
    db.session.commit()
    login_as("radiologist")
    # Opened at revision 1 ...
    assert 'name="base" type="hidden" value="1"' in client.get(
        _edit_url(case, "radiology")
    ).text.replace('id="base" ', "")
    # ... meanwhile the colleague saves revision 2.
    make_review(case, "radiology", author=colleague, matrix="chondroid")
    db.session.commit()
    mine = radiology_data(differential="My careful differential")
    response = client.post(_edit_url(case, "radiology"), data=form_data(mine, base=1))
    assert response.status_code == 400
    text = response.text
    assert "changed since you opened it" in text
    assert f"revision 2 by {colleague.name}" in text
    assert "The newer version (revision 2" in text
    assert "Chondroid" in text
    assert "My careful differential" in text
    # Saving again, having seen the newer version, is accepted.
    again = client.post(_edit_url(case, "radiology"), data=form_data(mine, base=2))
    assert again.status_code == 302
    review = services.get_review(case, "radiology")
    db.session.refresh(review)
    assert review.current_number == 3


def test_history_revision_and_diff_pages_are_audited_reads(client, login_as, make_case):
    case = make_case()
    make_review(case, "radiology")
    make_review(case, "radiology", size_cc_mm=101)
    db.session.commit()
    login_as("medical_oncologist")
    show = client.get(f"/cases/{case.id}/reviews/radiology").text
    assert "Revision 2 (current)" in show and "1 change" in show
    old = client.get(f"/cases/{case.id}/reviews/radiology/revisions/1").text
    assert "You are looking at an earlier revision" in old and "92 mm" in old
    diff = client.get(f"/cases/{case.id}/reviews/radiology/diff?from=1&to=2").text
    assert "Lesion size · Craniocaudal" in diff
    assert "<del>92 mm</del>" in diff and "<ins>101 mm</ins>" in diff
    assert (
        client.get(f"/cases/{case.id}/reviews/radiology/revisions/9").status_code == 404
    )
    reads = db.session.scalars(
        sa.select(AuditEntry.summary)
        .where(AuditEntry.action == "review.read")
        .order_by(AuditEntry.id)
    ).all()
    assert len(reads) == 3
    assert "changes from revision 1 to 2" in reads[-1]


def test_case_page_shows_reviews_readiness_and_staging(client, login_as, make_case):
    case = make_case()
    make_review(case, "radiology")
    make_review(case, "pathology")
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/cases/{case.id}").text
    assert "Discipline reviews" in page
    assert "Greatest dimension 92 mm" in page
    assert "Not yet reviewed" in page
    assert "Readiness for the board" in page
    assert "No performance status recorded on the case" in page
    assert "Waive this item" in page  # the coordinator may waive
    assert "Staging" in page and "compartment (orthopaedic review)" in page


def test_clinicians_do_not_get_waiver_forms(client, login_as, make_case):
    case = make_case()
    db.session.commit()
    login_as("radiologist")
    page = client.get(f"/cases/{case.id}").text
    assert "Waive this item" not in page
    assert "Write the radiology review" in page
    assert "Write the pathology review" not in page


def test_mark_ready_is_refused_with_what_is_missing(client, login_as, make_case):
    login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP)
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/status",
        data={"target": "ready", "version": case.version},
        follow_redirects=True,
    )
    assert "cannot be marked ready for the board. Missing: Imaging review" in (
        response.text
    )
    db.session.refresh(case)
    assert case.status == CaseStatus.WORKUP


def test_coordinator_waives_over_http_then_marks_ready(client, login_as, make_case):
    login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP)
    make_review(case, "radiology")
    make_review(case, "orthopaedic_oncology")
    make_performance(case)
    db.session.commit()
    bad = client.post(
        f"/cases/{case.id}/readiness/waivers",
        data={"item": "pathology", "kind": "pre_biopsy", "reason": ""},
    )
    assert bad.status_code == 400 and "Give a reason." in bad.text
    ok = client.post(
        f"/cases/{case.id}/readiness/waivers",
        data={
            "item": "pathology",
            "kind": "pre_biopsy",
            "reason": "Biopsy route to be agreed by the board.",
        },
    )
    assert ok.status_code == 302
    response = client.post(
        f"/cases/{case.id}/status", data={"target": "ready", "version": case.version}
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status == CaseStatus.READY
    page = client.get(f"/cases/{case.id}").text
    assert "Pre-biopsy discussion declared: Biopsy route to be agreed" in page


def test_withdraw_a_waiver_over_http(client, login_as, make_case):
    user = login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP)
    services.waive_item(user, case, "imaging", "Outside imaging on the way.")
    db.session.commit()
    waiver = db.session.scalar(sa.select(ReadinessWaiver))
    response = client.post(
        f"/cases/{case.id}/readiness/waivers/{waiver.id}/withdraw", data={}
    )
    assert response.status_code == 302
    db.session.refresh(waiver)
    assert waiver.withdrawn_by_id == user.id


def test_opening_the_edit_form_of_an_existing_review_is_an_audited_read(
    client, login_as, make_case
):
    case = make_case()
    db.session.commit()
    login_as("radiologist")
    # A new review shows no patient data yet: nothing to audit.
    assert client.get(_edit_url(case, "radiology")).status_code == 200
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "review.read")
    )
    make_review(case, "radiology")
    db.session.commit()
    response = client.get(_edit_url(case, "radiology"))
    assert response.status_code == 200 and 'value="ACC-1001"' in response.text
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "review.read")
    ).one()
    assert entry.case_id == case.id and entry.patient_id == case.patient_id
    assert "revision 1, opened for editing" in entry.summary


def test_case_page_and_presentation_survive_a_site_change(
    app, client, login_as, make_case
):
    # A pelvic T1a (reference §2.1c) is not in the spine table (§2.1b).
    case = make_case(site_code="C41.4")
    make_review(case, "radiology", t_category="T1a")
    make_review(case, "pathology")
    case.site_code = "C41.2"
    db.session.commit()
    user = login_as("medical_oncologist")
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    assert "T category recorded for another site; update the radiology review" in (
        response.text
    )
    db.session.refresh(case)
    with app.test_request_context():
        rendered = [
            render_template(panel.template, panel=data, case=case)
            for panel, data in load_panels("presentation", user, case)
            if panel.name == "key_findings"
        ]
    assert len(rendered) == 1
    assert "T category recorded for another site" in rendered[0]


def test_withdrawing_a_needed_waiver_of_a_ready_case_is_refused(
    client, login_as, make_case
):
    user = login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP)
    services.waive_item(user, case, "imaging", "Outside imaging on the way.")
    case.status = CaseStatus.READY
    db.session.commit()
    waiver = db.session.scalar(sa.select(ReadinessWaiver))
    response = client.post(
        f"/cases/{case.id}/readiness/waivers/{waiver.id}/withdraw",
        data={},
        follow_redirects=True,
    )
    assert "is ready for the board, and withdrawing this waiver would leave" in (
        response.text
    )
    db.session.refresh(waiver)
    assert waiver.withdrawn_at is None


def test_service_error_inside_a_row_lands_on_that_rows_field(
    client, login_as, make_case
):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    study = {**radiology_data()["studies"][0], "reference": "ftp://pacs/1001"}
    data = radiology_data(studies=[study], differential="Typed differential")
    response = client.post(_edit_url(case, "radiology"), data=form_data(data))
    assert response.status_code == 400
    assert 'id="studies-0-reference-error"' in response.text
    assert "A viewer link must start with https:// or http://." in response.text
    assert "Typed differential" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ReviewRevision.id))) == 0


def test_a_waiver_the_service_refuses_shows_why_on_the_waiver_page(
    client, login_as, make_case
):
    login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP)
    make_review(case, "radiology")
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/readiness/waivers",
        data={"item": "imaging", "reason": "Outside imaging on the way."},
    )
    assert response.status_code == 400
    assert "is already complete; nothing to waive." in response.text
    assert case.reference in response.text
    assert db.session.scalar(sa.select(sa.func.count(ReadinessWaiver.id))) == 0


# Readiness panel wording -----------------------------------------------------------


def test_readiness_panel_names_what_a_withdrawal_withdraws(client, login_as, make_case):
    user = login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP, biopsy_status="not_biopsied")
    services.waive_item(user, case, "imaging", "Outside imaging on the way.")
    services.waive_item(
        user, case, "pathology", "Biopsy route first.", kind="pre_biopsy"
    )
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert "Withdraw the waiver</button>" in page
    assert "Withdraw the pre-biopsy declaration</button>" in page
    assert "Withdraw the waived" not in page
    summaries = [
        entry.summary
        for entry in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "readiness.waive")
        )
    ]
    assert sorted(summaries) == [
        f"{case.reference}: pre-biopsy declaration for "
        "'Pathology review or pre-biopsy discussion'",
        f"{case.reference}: waiver for 'Imaging review'",
    ]


def _details(page: str, summary: str) -> str:
    """The <details> element whose summary reads ``summary``."""
    match = re.search(
        rf"<details[^>]*>\s*<summary>{re.escape(summary)}</summary>(.*?)</details>",
        page,
        re.DOTALL,
    )
    assert match, f"no <details> with the summary {summary!r}"
    return match.group(1)


def test_pre_biopsy_declaration_is_its_own_action(client, login_as, make_case):
    login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP, biopsy_status="not_biopsied")
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    declare = _details(page, "Declare a pre-biopsy discussion")
    assert 'name="kind" value="pre_biopsy"' in declare
    assert '<button type="submit">Declare a pre-biopsy discussion</button>' in (declare)
    # The waiver forms no longer hold the declaration.
    waive_forms = re.findall(
        r"<summary>Waive this item</summary>(.*?)</details>", page, re.DOTALL
    )
    assert waive_forms and not any("pre_biopsy" in f for f in waive_forms)

    response = client.post(
        f"/cases/{case.id}/readiness/waivers",
        data={"item": "pathology", "kind": "pre_biopsy", "reason": "Route first."},
        follow_redirects=True,
    )
    assert "Pre-biopsy discussion declared; the reason is on the checklist." in (
        response.text
    )
    assert "Declare a pre-biopsy discussion</summary>" not in response.text


def test_a_biopsied_case_offers_no_pre_biopsy_declaration(client, login_as, make_case):
    login_as("coordinator")
    case = make_case(status=CaseStatus.WORKUP, biopsy_status="done_at_centre")
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert "Waive this item" in page
    assert "pre-biopsy discussion</summary>" not in page
