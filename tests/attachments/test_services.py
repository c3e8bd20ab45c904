"""Attachments: content checks, size limit, storage outside static/, audit,
withdrawal that keeps the file."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.attachments.files import FAKE_PNG, JPEG_BYTES, PDF_BYTES, PNG_BYTES
from tumorboard.attachments import services
from tumorboard.attachments.models import Attachment
from tumorboard.audit.models import AuditEntry
from tumorboard.errors import AccessDenied, Conflict, InvalidInput, NotFound
from tumorboard.extensions import db


def _attach(actor, case, data: bytes, name: str, kind="key_image", **extra):
    values = {"caption": "Coronal T1", "series_slice": "Series 4, slice 12"}
    values.update(extra)
    return services.attach_file(
        actor, case, kind=kind, stream=io.BytesIO(data), filename=name, **values
    )


def test_key_image_is_stored_outside_static_with_sniffed_type(
    app, make_case, make_user
):
    case = make_case()
    attachment = _attach(make_user("radiologist"), case, PNG_BYTES, "../../evil.jpg")
    path = services.file_path(attachment)
    assert path.read_bytes() == PNG_BYTES
    assert Path(app.config["UPLOAD_FOLDER"]) in path.parents
    assert "static" not in path.parts
    # Sniffed from the bytes, not from the ".jpg" name.
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "evil.png"  # named as its content
    assert attachment.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "attachment.upload")
    ).one()
    assert entry.case_id == case.id and entry.changes["size"] == [None, len(PNG_BYTES)]


def test_pathologist_attaches_micrographs_and_report_pdfs(make_case, make_user):
    case = make_case()
    pathologist = make_user("pathologist")
    micrograph = _attach(pathologist, case, JPEG_BYTES, "he.jpg", kind="micrograph")
    report = _attach(pathologist, case, PDF_BYTES, "report.pdf", kind="report")
    assert micrograph.content_type == "image/jpeg"
    assert report.content_type == "application/pdf" and not report.is_image


def test_a_file_that_claims_to_be_a_png_but_is_not_is_refused(make_case, make_user):
    with pytest.raises(
        InvalidInput, match="named like a PNG image but its content"
    ) as info:
        _attach(make_user("radiologist"), make_case(), FAKE_PNG, "scan.png")
    assert info.value.field == "file"
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


@pytest.mark.parametrize(
    ("role", "kind", "data", "name", "match"),
    [
        ("radiologist", "key_image", PDF_BYTES, "x.pdf", "must be a PNG image or JPEG"),
        (
            "pathologist",
            "report",
            PNG_BYTES,
            "x.png",
            "must be a PDF; 'x.png' is a PNG",
        ),
        ("radiologist", "key_image", b"", "x.png", "'x.png' is empty"),
        ("radiologist", "key_image", PNG_BYTES, "", "Choose a file"),
    ],
)
def test_wrong_formats_are_refused(make_case, make_user, role, kind, data, name, match):
    with pytest.raises(InvalidInput, match=match):
        _attach(make_user(role), make_case(), data, name, kind=kind)


def test_oversized_upload_is_refused(app, make_case, make_user):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    big = PNG_BYTES + b"\x00" * 2048
    with pytest.raises(
        InvalidInput, match="larger than the 0.0009765625 MB limit|larger than"
    ):
        _attach(make_user("radiologist"), make_case(), big, "big.png")
    assert (
        not any(Path(app.config["UPLOAD_FOLDER"]).rglob("*"))
        if Path(app.config["UPLOAD_FOLDER"]).exists()
        else True
    )


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("pathologist", "key_image"),
        ("radiologist", "micrograph"),
        ("orthopedic_oncologist", "report"),
        ("coordinator", "key_image"),
        ("admin", "outside_report"),
    ],
)
def test_who_may_attach_what(make_case, make_user, role, kind):
    with pytest.raises(AccessDenied):
        _attach(make_user(role), make_case(), PNG_BYTES, "x.png", kind=kind)


@pytest.mark.parametrize(
    "role", ["orthopedic_oncologist", "nurse_specialist", "coordinator"]
)
def test_any_discipline_attaches_outside_reports(make_case, make_user, role):
    attachment = _attach(
        make_user(role), make_case(), PDF_BYTES, "outside.pdf", kind="outside_report"
    )
    assert attachment.kind == "outside_report"


def test_key_image_needs_caption_and_series(make_case, make_user):
    radiologist = make_user("radiologist")
    with pytest.raises(InvalidInput, match="A caption is required"):
        _attach(radiologist, make_case(), PNG_BYTES, "x.png", caption=" ")
    with pytest.raises(InvalidInput, match="The series and slice is required"):
        _attach(radiologist, make_case(), PNG_BYTES, "x.png", series_slice="")


def test_withdraw_keeps_the_file_and_is_audited(make_case, make_user):
    case = make_case()
    radiologist = make_user("radiologist")
    attachment = _attach(radiologist, case, PNG_BYTES, "x.png")
    with pytest.raises(AccessDenied):
        services.withdraw(make_user("radiologist"), case, attachment, "Wrong patient")
    services.withdraw(radiologist, case, attachment, "Wrong series")
    assert attachment.is_withdrawn
    assert services.file_path(attachment).exists()
    assert services.case_attachments(case.id) == []
    with pytest.raises(Conflict):
        services.withdraw(radiologist, case, attachment, "Again")
    with pytest.raises(NotFound, match="withdrawn"):
        services.open_for_download(radiologist, case, attachment, inline=False)


def test_download_is_checked_and_audited(make_case, make_user):
    case = make_case()
    attachment = _attach(make_user("radiologist"), case, PNG_BYTES, "x.png")
    reader = make_user("nurse_specialist")
    path = services.open_for_download(reader, case, attachment, inline=True)
    assert path.read_bytes() == PNG_BYTES
    with pytest.raises(AccessDenied):
        services.open_for_download(make_user("admin"), case, attachment, inline=False)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "attachment.download")
    ).one()
    assert entry.actor_id == reader.id and entry.case_id == case.id
