"""What an uploaded file is, and the bytes and name it is stored under.

The type comes from the bytes (``filetype`` for images, the ``%PDF-``
signature for PDF), never from the name or what the browser claims. Images are
decoded and re-encoded with Pillow without their metadata; PDFs are opened with
pikepdf, refused if they carry scripts, automatic or launch actions, embedded
files or XFA forms, and stored as pikepdf writes them again. The stored name
ends in the extension of the detected type. No Flask, no database.
"""

from __future__ import annotations

import io
import os

import filetype
import pikepdf
from PIL import Image, ImageCms, ImageOps, JpegImagePlugin

from tumorboard.errors import InvalidInput

PNG, JPEG, PDF = "image/png", "image/jpeg", "application/pdf"
IMAGES = frozenset({PNG, JPEG})
FORMAT_NAMES = {PNG: "PNG image", JPEG: "JPEG image", PDF: "PDF"}
#: File name endings and the format each claims to be.
CLAIMED = {".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".pdf": PDF}
#: The endings a stored file of each format may have; the first is given to
#: a file named otherwise.
EXTENSIONS = {PNG: (".png",), JPEG: (".jpg", ".jpeg"), PDF: (".pdf",)}
#: Most PDF objects and entries looked at before a file is refused as too
#: complex to check; a real report needs a small fraction of this.
PDF_CHECK_LIMIT = 200_000


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` if it is a PNG, JPEG or PDF, else None."""
    if data.startswith(b"%PDF-"):
        return PDF
    kind = filetype.guess(data)
    if kind is not None and kind.mime in IMAGES:
        return kind.mime
    return None


def with_extension(name: str, content_type: str) -> tuple[str, str]:
    """``name`` split into a stem and the extension of ``content_type``: the
    name's own ending if it is one of that type's, else the type's usual one."""
    stem, suffix = os.path.splitext(name)
    if suffix.lower() in EXTENSIONS[content_type]:
        return stem, suffix.lower()
    return stem, EXTENSIONS[content_type][0]


def stored_name(name: str, content_type: str) -> str:
    """The name an upload is stored under: ``name`` ending in the extension of
    the type found in its content (``report.html`` holding a PDF is stored as
    ``report.pdf``), at most 255 characters."""
    stem, extension = with_extension(name, content_type)
    stem = stem.strip(" .")[: 255 - len(extension)] or "attachment"
    return stem + extension


# --- PDF ------------------------------------------------------------------

#: What a PDF may not contain, in the order the refusal names them.
_JAVASCRIPT = "JavaScript"
_OPEN_ACTION = "an action run when it is opened (/OpenAction)"
_AUTO_ACTIONS = "automatic actions (/AA)"
_LAUNCH = "a launch action (/Launch)"
_EMBEDDED = "embedded files (/EmbeddedFiles)"
_XFA = "an XFA form (/XFA)"
_PDF_RISKS = (_JAVASCRIPT, _OPEN_ACTION, _AUTO_ACTIONS, _LAUNCH, _EMBEDDED, _XFA)
_RISKY_KEYS = {
    "/JS": _JAVASCRIPT,
    "/JavaScript": _JAVASCRIPT,  # the document's JavaScript name tree
    "/OpenAction": _OPEN_ACTION,
    "/AA": _AUTO_ACTIONS,  # document, page, annotation or form field
    "/EmbeddedFiles": _EMBEDDED,  # the embedded files name tree
    "/EF": _EMBEDDED,  # a file specification carrying the file itself
    "/XFA": _XFA,
}
_RISKY_ACTIONS = {"/JavaScript": _JAVASCRIPT, "/Launch": _LAUNCH}
_CONTAINERS = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)


class _TooComplex(Exception):
    """The PDF has more objects than the check looks at."""


def _pdf_risks(pdf: pikepdf.Pdf) -> set[str]:
    """What of ``_PDF_RISKS`` the objects reachable from the trailer contain.

    Walks every dictionary, array and stream dictionary reachable from the
    trailer (document catalog, name trees, pages, annotations, form fields,
    outlines), each indirect object once, so reference cycles end; stream
    contents are not read. Raises _TooComplex past ``PDF_CHECK_LIMIT``.
    """
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    budget = PDF_CHECK_LIMIT
    stack: list[pikepdf.Object] = [pdf.trailer]
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            entries = list(obj.items())
            for key, value in entries:
                risk = _RISKY_KEYS.get(key)
                if key == "/OpenAction" and isinstance(value, pikepdf.Array):
                    risk = None  # a page to open at, not an action
                elif key == "/S" and isinstance(value, pikepdf.Name):
                    risk = _RISKY_ACTIONS.get(str(value))
                if risk is not None:
                    found.add(risk)
            children = [value for _, value in entries]
        budget -= len(children) + 1
        if budget < 0:
            raise _TooComplex
        stack.extend(child for child in children if isinstance(child, _CONTAINERS))
    return found


def _clean_pdf(data: bytes, name: str) -> bytes:
    """``data`` checked and written again by pikepdf, or InvalidInput.

    Writing it again stores exactly the objects that were checked: no earlier
    revisions, unreferenced objects or trailing bytes, and no encryption.
    """
    unreadable = InvalidInput(
        f"'{name}' could not be opened as a PDF; it may be damaged. Save or print "
        "it again as a PDF and attach that.",
        "file",
    )
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise InvalidInput(
            f"'{name}' is protected by a password; attach a copy without one.",
            "file",
        ) from None
    except Exception:
        raise unreadable from None
    with pdf:
        try:
            found = _pdf_risks(pdf)
        except _TooComplex:
            raise InvalidInput(
                f"'{name}' is too complex to check (more than "
                f"{PDF_CHECK_LIMIT:,} PDF objects and entries). Print it to a "
                "new PDF and attach that.",
                "file",
            ) from None
        except Exception:
            raise unreadable from None
        if found:
            listed = [risk for risk in _PDF_RISKS if risk in found]
            what = ", ".join(listed[:-1]) + " and " if len(listed) > 1 else ""
            raise InvalidInput(
                f"'{name}' contains {what}{listed[-1]}. PDFs with scripts, "
                "automatic or launch actions, embedded files or XFA forms are "
                "not accepted; print the document to a new PDF and attach that.",
                "file",
            )
        out = io.BytesIO()
        try:
            pdf.save(out, deterministic_id=True)
        except Exception:
            raise unreadable from None
    return out.getvalue()


# --- Images ----------------------------------------------------------------

#: Modes Pillow writes as PNG as they are; others are converted first.
_PNG_MODES = frozenset({"1", "L", "LA", "I;16", "I;16B", "P", "RGB", "RGBA"})


def _usable_icc(profile: bytes | None) -> bytes | None:
    """``profile`` if it is an ICC profile that parses, else None."""
    if not profile:
        return None
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except Exception:
        return None
    return profile


def _clean_image(data: bytes, content_type: str, name: str) -> bytes:
    """``data`` decoded and encoded again with Pillow, or InvalidInput.

    The EXIF orientation is applied to the pixels first; then only the pixels,
    the palette and its transparency, and a valid ICC colour profile are kept:
    EXIF (GPS, camera, dates), XMP, IPTC, comments and PNG text chunks are
    dropped. JPEGs are written with their own quantisation tables, so the loss
    from re-encoding stays small.
    """
    label = FORMAT_NAMES[content_type]
    image_format = "PNG" if content_type == PNG else "JPEG"
    limit = Image.MAX_IMAGE_PIXELS
    too_large = InvalidInput(
        f"'{name}' has too many pixels to be a plausible image (the limit is "
        f"{limit or 0:,} pixels); attach a smaller export.",
        "file",
    )
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as source:
            width, height = source.size
            if limit and width * height > limit:
                raise too_large
            source.load()
            try:
                upright = ImageOps.exif_transpose(source)
            except Exception:  # unreadable EXIF: no orientation to apply
                upright = source.copy()
            icc = _usable_icc(source.info.get("icc_profile"))
            transparency = source.info.get("transparency")
            qtables = getattr(source, "quantization", None)
            sampling = (
                JpegImagePlugin.get_sampling(source) if image_format == "JPEG" else -1
            )
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except Exception:
        raise InvalidInput(
            f"'{name}' could not be read as a {label}; it may be damaged. Export "
            "it again and attach the new file.",
            "file",
        ) from None

    upright.info = {} if transparency is None else {"transparency": transparency}
    if image_format == "PNG" and upright.mode not in _PNG_MODES:
        upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
        upright.info = {}
    attempts: list[dict] = [{"format": image_format, "icc_profile": icc}]
    if image_format == "JPEG":
        if qtables:
            attempts[0]["qtables"] = qtables
            if sampling != -1:
                attempts[0]["subsampling"] = sampling
            # Tables the encoder does not take: a plain high quality instead.
            attempts.append({"format": "JPEG", "icc_profile": icc, "quality": 90})
        else:
            attempts[0]["quality"] = 90
    for options in attempts:
        out = io.BytesIO()
        try:
            upright.save(out, **options)
        except (OSError, ValueError):
            continue
        return out.getvalue()
    raise InvalidInput(
        f"'{name}' could not be stored as a {label}. Export it again and attach "
        "the new file.",
        "file",
    )


def cleaned(data: bytes, content_type: str, name: str) -> bytes:
    """The bytes to store for an upload of ``content_type``."""
    if content_type == PDF:
        return _clean_pdf(data, name)
    return _clean_image(data, content_type, name)
