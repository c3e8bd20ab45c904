"""Attachments over the API: metadata, and the file behind the page's own
access check and audit."""

from __future__ import annotations

import io

import sqlalchemy as sa

from tests import factories
from tests.attachments.files import FAKE_PNG, PDF_BYTES, PNG_BYTES
from tumorboard.attachments import services
from tumorboard.attachments.models import Attachment
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db

PROBLEM = "application/problem+json"


def _actions():
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action))]


def _attach(case, data=PNG_BYTES, name="stir.png", kind="key_image", role=None):
    uploader = factories.make_user(role or "radiologist")
    return services.attach_file(
        uploader,
        case,
        kind=kind,
        stream=io.BytesIO(data),
        filename=name,
        caption="Axial STIR",
        series_slice="Series 7, slice 23",
    )


def test_metadata_of_a_cases_files(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    case = factories.make_case()
    image = _attach(case)
    report = _attach(case, PDF_BYTES, "report.pdf", "report", "pathologist")
    db.session.commit()
    listed = client.get(f"/api/v1/cases/{case.id}/attachments", headers=headers)
    assert listed.status_code == 200, listed.json
    assert [a["id"] for a in listed.json["items"]] == [report.id, image.id]
    one = client.get(f"/api/v1/attachments/{image.id}", headers=headers)
    assert one.json["content_type"] == "image/png"
    assert one.json["caption"] == "Axial STIR"
    assert one.json["sha256"] == image.sha256
    assert _actions().count("case.read") == 2


def test_download_is_checked_typed_and_audited(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    report = _attach(case, PDF_BYTES, "Outside report.pdf", "report", "pathologist")
    db.session.commit()
    response = client.get(f"/api/v1/attachments/{report.id}/content", headers=headers)
    assert response.status_code == 200
    assert response.data == report_bytes(report)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Outside_report.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment.download" in _actions()


def report_bytes(attachment) -> bytes:
    return services.file_path(attachment).read_bytes()


def test_withdrawn_or_unknown_files_are_404(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    image = _attach(case)
    coordinator = factories.make_user("coordinator")
    services.withdraw(coordinator, case, image, "Wrong series.")
    db.session.commit()
    for url in (
        f"/api/v1/attachments/{image.id}",
        f"/api/v1/attachments/{image.id}/content",
        "/api/v1/attachments/999999/content",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.mimetype == PROBLEM
    assert "attachment.download" not in _actions()
    listed = client.get(f"/api/v1/cases/{case.id}/attachments", headers=headers)
    assert listed.json["items"] == []


def test_no_case_reader_no_file(client, token_for):
    _user, _token, headers = token_for("admin")
    case = factories.make_case()
    image = _attach(case)
    db.session.commit()
    response = client.get(f"/api/v1/attachments/{image.id}/content", headers=headers)
    assert response.status_code == 403
    assert client.get(f"/api/v1/attachments/{image.id}/content").status_code == 401


def _upload(client, headers, case, data=PNG_BYTES, name="stir.png", **fields):
    form = {
        "kind": "key_image",
        "caption": "Axial STIR",
        "series_slice": "Series 7, slice 23",
        "file": (io.BytesIO(data), name),
        **fields,
    }
    return client.post(
        f"/api/v1/cases/{case.id}/attachments",
        data=form,
        headers=headers,
        content_type="multipart/form-data",
    )


def test_upload_goes_through_the_pages_checks(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    response = _upload(client, headers, case)
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == "image/png"
    assert response.json["kind"] == "key_image"
    stored = services.file_path(db.session.get(Attachment, response.json["id"]))
    assert stored.read_bytes() == PNG_BYTES
    assert "attachment.upload" in _actions()


def test_upload_refusals_name_the_field(client, token_for):
    _user, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    fake = _upload(client, headers, case, FAKE_PNG, "x.png")
    assert fake.status_code == 422
    assert fake.mimetype == PROBLEM
    assert fake.json["errors"][0]["field"] == "file"
    no_slice = _upload(client, headers, case, series_slice="")
    assert no_slice.status_code == 422
    assert no_slice.json["errors"][0]["field"] == "series_slice"
    unknown = _upload(client, headers, case, colour="red")
    assert unknown.status_code == 422
    assert unknown.json["errors"][0]["field"] == "colour"
    micrograph = _upload(client, headers, case, kind="micrograph")
    assert micrograph.status_code == 403
    json_body = client.post(
        f"/api/v1/cases/{case.id}/attachments", json={}, headers=headers
    )
    assert json_body.status_code == 415
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
