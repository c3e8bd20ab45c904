"""Upload safety: stored names carry the detected type's extension, PDFs with
active content are refused, images are re-encoded without metadata, and audit
summaries carry no clinical text. Every file is built here, in memory."""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from tumorboard.attachments import content, services
from tumorboard.attachments.models import Attachment
from tumorboard.audit.models import AuditEntry
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db

CAPTION = "Pathological fracture, left femur, Jane Doe"
SECRET = b"Jane Doe"
#: The start of a JPEG (SOI, APP0/JFIF) and its end, with no image between.
JPEG_HEADER_ONLY = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)


# --- files --------------------------------------------------------------------


def _pdf_bytes(build=None, **save) -> bytes:
    """A one-page PDF, changed by ``build(pdf)`` before it is written."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if build is not None:
        build(pdf)
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def _js(code: str = "app.alert('x')") -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def _open_action_js(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(_js())


def _open_at_first_page(pdf):
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])


def _page_aa(pdf):
    # An automatic action on opening the page; a harmless URI, so only /AA is found.
    uri = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://x.org"))
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=uri)


def _annotation(pdf, action) -> None:
    link = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[0, 0, 100, 100],
            P=pdf.pages[0].obj,  # annotation → page → annotation: a cycle
            A=action,
        )
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([link]))


def _launch(pdf):
    _annotation(
        pdf,
        pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")),
    )


def _embedded_file(pdf):
    pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"hidden notes")


def _file_attachment_annotation(pdf):
    # A file carried by an annotation, outside the EmbeddedFiles name tree.
    spec = pikepdf.AttachedFileSpec(pdf, b"hidden notes", filename="notes.txt")
    pdf.pages[0].obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.FileAttachment,
                    Rect=[0, 0, 20, 20],
                    FS=spec.obj,
                )
            ]
        )
    )


def _js_without_action_type(pdf):
    # Script in a link's action that leaves out /S.
    _annotation(pdf, pikepdf.Dictionary(JS=pikepdf.String("app.alert('x')")))


def _xfa(pdf):
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array(), XFA=pikepdf.Stream(pdf, b"<xdp:xdp/>")
    )


def _js_name_tree(pdf):
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("init"), pdf.make_indirect(_js())])
        )
    )


def _js_behind_a_cycle(pdf):
    # Two objects referring to each other, with JavaScript past the loop.
    first = pdf.make_indirect(pikepdf.Dictionary(Kind=pikepdf.Name.First))
    second = pdf.make_indirect(pikepdf.Dictionary(Kind=pikepdf.Name.Second))
    first.Next = second
    second.Next = first
    second.Action = _js()
    pdf.Root.Loop = first


def _png_bytes(image: Image.Image, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def _png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order."""
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        chunks.append(data[offset + 4 : offset + 8])
        offset += 12 + length
    return chunks


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Patient Jane Doe, MRN 123456")
    info.add_itxt("Author", "Jane Doe", zip=True)
    image = Image.new("RGB", (8, 6), (200, 40, 40))
    return _png_bytes(image, pnginfo=info, dpi=(300, 300))


def _jpeg_with_gps_and_orientation() -> bytes:
    """40×20 pixels as stored, red on the left, blue on the right; EXIF says
    to turn it a quarter clockwise (orientation 6), so it shows 20×40, red on
    top."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "ScannerCo"
    exif[ExifTags.Base.Artist] = "Jane Doe"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=SECRET, quality=95)
    return out.getvalue()


# --- helpers ------------------------------------------------------------------


def _attach(actor, case, data: bytes, name: str, kind="report", **extra):
    values = {"caption": CAPTION, "series_slice": "Series 4, slice 12"}
    values.update(extra)
    return services.attach_file(
        actor, case, kind=kind, stream=io.BytesIO(data), filename=name, **values
    )


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _assert_nothing_stored(app) -> None:
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert _stored_files(app) == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEntry.action == "attachment.upload")
        )
        == 0
    )


def _refused(app, actor, case, data: bytes, name: str, kind="report") -> str:
    """Upload ``data``, expect a refusal on the file field, check that nothing
    was kept and return the message."""
    with pytest.raises(InvalidInput) as info:
        _attach(actor, case, data, name, kind=kind)
    assert info.value.field == "file"
    _assert_nothing_stored(app)
    return str(info.value)


# --- names --------------------------------------------------------------------


def test_pdf_named_html_is_stored_and_served_as_pdf(client, login_as, make_case):
    login_as("pathologist")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/attachments",
        data={
            "kind": "report",
            "caption": CAPTION,
            "series_slice": "",
            "review_id": "",
            "file": (io.BytesIO(_pdf_bytes()), "report.html"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.original_name == "report.pdf"
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "report.pdf" in disposition and ".html" not in disposition


def test_a_name_stored_before_names_were_corrected_is_served_as_its_type(
    app, client, login_as, make_case
):
    user = login_as("pathologist")
    case = make_case()
    attachment = Attachment(
        case_id=case.id,
        kind="report",
        caption=CAPTION,
        original_name="report.html",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        storage_key="legacy".ljust(32, "0"),
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    path = services.file_path(attachment)
    path.parent.mkdir(parents=True)
    path.write_bytes(_pdf_bytes())
    db.session.commit()
    disposition = client.get(f"/attachments/{attachment.id}").headers[
        "Content-Disposition"
    ]
    assert "report.pdf" in disposition and ".html" not in disposition


@pytest.mark.parametrize(
    ("name", "content_type", "stored"),
    [
        ("report.html", "application/pdf", "report.pdf"),
        ("report", "application/pdf", "report.pdf"),
        ("Report.PDF", "application/pdf", "Report.pdf"),
        ("scan.jpg", "image/png", "scan.png"),
        ("scan.JPEG", "image/jpeg", "scan.jpeg"),
        ("scan.png.exe", "image/jpeg", "scan.png.jpg"),
        (".pdf", "application/pdf", "pdf.pdf"),
        ("...", "application/pdf", "attachment.pdf"),
        ("x" * 300 + ".html", "application/pdf", "x" * 251 + ".pdf"),
    ],
)
def test_stored_name_ends_in_the_detected_type(name, content_type, stored):
    assert content.stored_name(name, content_type) == stored


@pytest.mark.parametrize(
    ("name", "content_type", "served"),
    [
        ("report.html", "application/pdf", "report.pdf"),
        ("../../etc/passwd", "image/png", "etc_passwd.png"),
        ("報告.pdf", "application/pdf", "attachment-7.pdf"),
        ("scan.jpeg", "image/jpeg", "scan.jpeg"),
    ],
)
def test_download_name_is_safe_and_ends_in_the_stored_type(name, content_type, served):
    attachment = Attachment(id=7, original_name=name, content_type=content_type)
    assert services.download_name(attachment) == served


# --- PDFs ---------------------------------------------------------------------


def test_clean_pdf_is_stored_as_pikepdf_writes_it(app, make_case, make_user):
    # Bytes after the end of the file (here, HTML) are not part of the PDF and
    # are not stored.
    data = _pdf_bytes() + b"<html><script>alert(1)</script></html>\n"
    attachment = _attach(make_user("pathologist"), make_case(), data, "report.pdf")
    stored = services.file_path(attachment).read_bytes()
    assert stored.startswith(b"%PDF-") and b"<script>" not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1
    assert attachment.size == len(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()


def test_pdf_opening_at_a_page_is_accepted(make_case, make_user):
    # An /OpenAction that is only a destination sets the first view; it runs
    # nothing (LaTeX and many exporters write one).
    data = _pdf_bytes(_open_at_first_page)
    attachment = _attach(make_user("pathologist"), make_case(), data, "report.pdf")
    assert attachment.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("build", "found"),
    [
        (
            _open_action_js,
            "contains JavaScript and an action run when it is opened (/OpenAction)",
        ),
        (_page_aa, "contains automatic actions (/AA)."),
        (_launch, "contains a launch action (/Launch)."),
        (_embedded_file, "contains embedded files (/EmbeddedFiles)."),
        (_file_attachment_annotation, "contains embedded files (/EmbeddedFiles)."),
        (_xfa, "contains an XFA form (/XFA)."),
        (_js_name_tree, "contains JavaScript."),
        (_js_behind_a_cycle, "contains JavaScript."),
        (_js_without_action_type, "contains JavaScript."),
    ],
    ids=[
        "open-action-js",
        "page-aa",
        "launch",
        "embedded-files",
        "file-attachment-annotation",
        "acroform-xfa",
        "js-name-tree",
        "js-behind-a-cycle",
        "js-without-action-type",
    ],
)
def test_pdf_with_active_content_is_refused_and_nothing_kept(
    app, make_case, make_user, build, found
):
    message = _refused(
        app,
        make_user("pathologist"),
        make_case(),
        _pdf_bytes(build),
        "report.pdf",
    )
    assert message.startswith(f"'report.pdf' {found}")
    assert "print the document to a new PDF" in message


def test_every_finding_is_named(app, make_case, make_user):
    def everything(pdf):
        for build in (_open_action_js, _page_aa, _launch, _embedded_file, _xfa):
            build(pdf)

    message = _refused(
        app, make_user("pathologist"), make_case(), _pdf_bytes(everything), "r.pdf"
    )
    assert message.startswith(
        "'r.pdf' contains JavaScript, an action run when it is opened "
        "(/OpenAction), automatic actions (/AA), a launch action (/Launch), "
        "embedded files (/EmbeddedFiles) and an XFA form (/XFA)."
    )


def test_pdf_that_cannot_be_opened_is_refused(app, make_case, make_user):
    data = b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n"
    message = _refused(app, make_user("pathologist"), make_case(), data, "r.pdf")
    assert message.startswith("'r.pdf' could not be opened as a PDF")


def test_password_protected_pdf_is_refused(app, make_case, make_user):
    data = _pdf_bytes(encryption=pikepdf.Encryption(user="secret", owner="owner"))
    message = _refused(app, make_user("pathologist"), make_case(), data, "r.pdf")
    assert message.startswith("'r.pdf' is protected by a password")


def test_pdf_check_is_bounded(app, monkeypatch, make_case, make_user):
    monkeypatch.setattr(content, "PDF_CHECK_LIMIT", 5)
    message = _refused(
        app, make_user("pathologist"), make_case(), _pdf_bytes(), "r.pdf"
    )
    assert message.startswith("'r.pdf' is too complex to check (more than 5 PDF")


# --- images -------------------------------------------------------------------


def test_png_is_stored_without_text_chunks(app, make_case, make_user):
    data = _png_with_text()
    assert b"Jane Doe" in data and b"pHYs" in data  # the test file has them
    attachment = _attach(
        make_user("radiologist"), make_case(), data, "scan.jpg", kind="key_image"
    )
    stored = services.file_path(attachment).read_bytes()
    assert _png_chunks(stored) == [b"IHDR", b"IDAT", b"IEND"]
    assert b"Jane" not in stored and b"123456" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (8, 6) and image.getpixel((3, 3)) == (200, 40, 40)
        assert not getattr(image, "text", {}) and "dpi" not in image.info
    assert attachment.original_name == "scan.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert attachment.sha256 != hashlib.sha256(data).hexdigest()


def test_jpeg_is_turned_upright_and_stored_without_exif(app, make_case, make_user):
    data = _jpeg_with_gps_and_orientation()
    assert SECRET in data and b"ScannerCo" in data
    attachment = _attach(
        make_user("pathologist"), make_case(), data, "he.jpeg", kind="micrograph"
    )
    stored = services.file_path(attachment).read_bytes()
    assert b"Exif" not in stored and SECRET not in stored
    assert b"ScannerCo" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "comment" not in image.info and "exif" not in image.info
        # Turned a quarter clockwise: the red left half is now on top.
        assert image.size == (20, 40)
        red, _, blue = image.getpixel((10, 5))
        assert red > 200 and blue < 60
        red, _, blue = image.getpixel((10, 35))
        assert red < 60 and blue > 200
    assert attachment.original_name == "he.jpeg"
    assert attachment.size == len(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()


def test_icc_profile_is_kept(make_case, make_user):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _png_bytes(Image.new("RGB", (4, 4), (10, 20, 30)), icc_profile=icc)
    attachment = _attach(
        make_user("radiologist"), make_case(), data, "x.png", kind="key_image"
    )
    with Image.open(services.file_path(attachment)) as image:
        assert image.info.get("icc_profile") == icc


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
            "x.png",
            "'x.png' could not be read as a PNG image",
        ),
        (JPEG_HEADER_ONLY, "x.jpg", "'x.jpg' could not be read as a JPEG image"),
        (
            _jpeg_with_gps_and_orientation()[:400],
            "cut.jpg",
            "'cut.jpg' could not be read as a JPEG image",
        ),
    ],
    ids=["png-signature-only", "jpeg-header-only", "truncated-jpeg"],
)
def test_image_that_cannot_be_decoded_is_refused(
    app, make_case, make_user, data, name, message
):
    found = _refused(
        app, make_user("radiologist"), make_case(), data, name, kind="key_image"
    )
    assert found.startswith(message)


# Pillow only warns between its limit and twice it; in production that warning
# is not an error, so the check must not depend on it.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [11, 15], ids=["over-the-limit", "twice-the-limit"])
def test_image_with_too_many_pixels_is_refused(
    app, monkeypatch, make_case, make_user, side
):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    data = _png_bytes(Image.new("L", (side, side), 128))
    message = _refused(
        app, make_user("radiologist"), make_case(), data, "big.png", kind="key_image"
    )
    assert message.startswith(
        "'big.png' has too many pixels to be a plausible image (the limit is 100 "
        "pixels)"
    )


def test_refused_upload_over_http_keeps_neither_row_nor_file(
    app, client, login_as, make_case
):
    login_as("pathologist")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/attachments",
        data={
            "kind": "report",
            "caption": CAPTION,
            "series_slice": "",
            "review_id": "",
            "file": (io.BytesIO(_pdf_bytes(_open_action_js)), "report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "contains JavaScript" in response.text
    _assert_nothing_stored(app)


# --- audit --------------------------------------------------------------------


def test_audit_summaries_carry_ids_not_captions(make_case, make_user):
    case = make_case()
    radiologist = make_user("radiologist")
    image = _png_bytes(Image.new("RGB", (4, 4)))
    attachment = _attach(radiologist, case, image, "x.png", kind="key_image")
    services.open_for_download(radiologist, case, attachment, inline=True)
    services.open_for_download(radiologist, case, attachment, inline=False)
    services.withdraw(radiologist, case, attachment, "Wrong side, Jane Doe")
    entries = {
        e.action: e
        for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action.like("attachment.%"))
        )
    }
    ref, number = case.reference, attachment.id
    assert entries["attachment.upload"].summary == (
        f"Attached key image #{number} to {ref}"
    )
    assert entries["attachment.withdraw"].summary == (
        f"Withdrew key image #{number} of {ref}"
    )
    downloads = db.session.scalars(
        sa.select(AuditEntry.summary)
        .where(AuditEntry.action == "attachment.download")
        .order_by(AuditEntry.id)
    ).all()
    assert downloads == [
        f"Viewed key image #{number} of {ref}",
        f"Downloaded key image #{number} of {ref}",
    ]
    summaries = db.session.scalars(sa.select(AuditEntry.summary)).all()
    assert not any("Jane Doe" in s or "fracture" in s for s in summaries)
    # The values stay in the changes, shown only to those who read the case.
    assert entries["attachment.upload"].changes["caption"] == [None, CAPTION]
    assert entries["attachment.withdraw"].changes["reason"] == [
        None,
        "Wrong side, Jane Doe",
    ]
