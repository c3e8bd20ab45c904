"""Small real files for upload tests, built in memory."""

from __future__ import annotations

import io

import pikepdf
from PIL import Image


def _png(width: int = 2, height: int = 2) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (128, 128, 128)).save(out, format="PNG")
    return out.getvalue()


def _jpeg(width: int = 8, height: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (128, 128, 128)).save(out, format="JPEG")
    return out.getvalue()


def _pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


#: A valid 2×2 grey PNG without metadata, as uploads are stored: re-encoding
#: it gives the same bytes.
PNG_BYTES = _png()
#: A valid 8×8 grey JPEG.
JPEG_BYTES = _jpeg()
#: A valid one-page PDF.
PDF_BYTES = _pdf()
#: Text pretending to be an image.
FAKE_PNG = b"this is not really a PNG, just text named like one\n"
