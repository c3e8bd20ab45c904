"""Attachments over HTTP: upload, thumbnails, access-checked downloads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.attachments.files import FAKE_PNG, PDF_BYTES, PNG_BYTES
from tumorboard.attachments.models import Attachment
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db


def _upload(client, case, data: bytes, name: str, **fields):
    form = {
        "kind": "key_image",
        "caption": "Axial STIR",
        "series_slice": "Series 7, slice 23",
        "review_id": "",
        "file": (io.BytesIO(data), name),
    }
    form.update(fields)
    return client.post(
        f"/cases/{case.id}/attachments", data=form, content_type="multipart/form-data"
    )


def _uploaded_key_image(client, case) -> Attachment:
    """Upload a PNG key image to ``case`` and return its stored row."""
    _upload(client, case, PNG_BYTES, "x.png")
    return db.session.scalar(sa.select(Attachment))


def _audited(action: str) -> int:
    """How many audit entries record ``action``."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == action)
    )


def test_upload_then_thumbnail_and_download(client, login_as, make_case):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    response = _upload(client, case, PNG_BYTES, "stir.png")
    assert response.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    page = client.get(f"/cases/{case.id}").text
    assert f'src="/attachments/{attachment.id}?inline=1"' in page
    assert 'alt="Axial STIR"' in page and "Series 7, slice 23" in page
    inline = client.get(f"/attachments/{attachment.id}?inline=1")
    assert inline.status_code == 200
    assert inline.data == PNG_BYTES
    assert inline.headers["Content-Type"] == "image/png"
    assert inline.headers["X-Content-Type-Options"] == "nosniff"
    assert inline.headers["Content-Disposition"].startswith("inline")
    download = client.get(f"/attachments/{attachment.id}")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "stir.png" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    assert _audited("attachment.download") == 2


def test_pdf_is_never_shown_inline(client, login_as, make_case):
    login_as("pathologist")
    case = make_case()
    db.session.commit()
    _upload(client, case, PDF_BYTES, "report.pdf", kind="report", series_slice="")
    attachment = db.session.scalar(sa.select(Attachment))
    response = client.get(f"/attachments/{attachment.id}?inline=1")
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_oversized_upload_is_refused_with_a_message(app, client, login_as, make_case):
    app.config["MAX_UPLOAD_BYTES"] = 100
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    response = _upload(client, case, PNG_BYTES + b"\x00" * 200, "big.png")
    assert response.status_code == 400
    assert (
        "larger than the" in response.text and "limit for attachments" in response.text
    )


def test_role_may_not_upload_another_kind(client, login_as, make_case):
    login_as("orthopedic_oncologist")
    case = make_case()
    db.session.commit()
    response = _upload(client, case, PNG_BYTES, "x.png")
    assert response.status_code == 400
    assert "Not a valid choice" in response.text


def test_withdrawn_file_is_no_longer_served(client, login_as, make_case):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    attachment = _uploaded_key_image(client, case)
    bad = client.post(f"/attachments/{attachment.id}/withdraw", data={"reason": ""})
    assert bad.status_code == 400
    ok = client.post(
        f"/attachments/{attachment.id}/withdraw", data={"reason": "Wrong series"}
    )
    assert ok.status_code == 302
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    page = client.get(f"/cases/{case.id}").text
    assert f"/attachments/{attachment.id}?inline=1" not in page
    assert "Withdrew key image" in page  # the timeline keeps the record


def _stored_files(app) -> list:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_upload_stores_the_file_and_its_row(app, client, login_as, make_case):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    response = _upload(client, case, PNG_BYTES, "stir.png", caption="Coronal T1")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.id}#attachments"
    assert "&#39;Coronal T1&#39; attached." in client.get(response.location).text
    attachment = db.session.scalar(sa.select(Attachment))
    assert [p.read_bytes() for p in _stored_files(app)] == [PNG_BYTES]
    assert _stored_files(app)[0].name == attachment.storage_key


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (FAKE_PNG, "fake.png", "named like a PNG image but its content is not one"),
        (b"", "empty.png", "&#39;empty.png&#39; is empty."),
    ],
    ids=["content-is-not-a-png", "empty-file"],
)
def test_refused_upload_says_why_and_stores_neither_file_nor_row(
    app, client, login_as, make_patient, make_case, data, name, message
):
    login_as("radiologist")
    patient = make_patient()
    case = make_case(patient)
    db.session.commit()
    response = _upload(client, case, data, name)
    assert response.status_code == 400
    assert message in response.text
    assert "Axial STIR" in response.text  # typed caption kept
    assert f"<strong>{patient.mrn}</strong>" in response.text  # the case header
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert _stored_files(app) == []


def test_withdrawing_twice_is_refused_on_the_form(
    client, login_as, make_patient, make_case
):
    login_as("radiologist")
    patient = make_patient()
    case = make_case(patient)
    db.session.commit()
    attachment = _uploaded_key_image(client, case)
    first = client.post(
        f"/attachments/{attachment.id}/withdraw", data={"reason": "Wrong series"}
    )
    assert first.status_code == 302
    again = client.post(
        f"/attachments/{attachment.id}/withdraw", data={"reason": "Wrong patient"}
    )
    assert again.status_code == 400
    assert "This file was already withdrawn." in again.text
    assert (
        "Axial STIR" in again.text and f"<strong>{patient.mrn}</strong>" in again.text
    )
    db.session.refresh(attachment)
    assert attachment.withdraw_reason == "Wrong series"
    assert _audited("attachment.withdraw") == 1


def test_withdrawn_file_is_not_found_and_not_audited(client, login_as, make_case):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    attachment = _uploaded_key_image(client, case)
    client.post(f"/attachments/{attachment.id}/withdraw", data={"reason": "Wrong"})
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 404
    assert "This file was withdrawn." in response.text
    assert _audited("attachment.download") == 0
