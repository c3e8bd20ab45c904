"""HTML to PDF with WeasyPrint, never reaching outside the document."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def url_fetcher() -> URLFetcher:
    """A fetcher that refuses everything but inline ``data:`` URLs.

    Text in a document (an annotation, a free-text field) therefore cannot make
    WeasyPrint read a local file or call a server.
    """
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf(html: str) -> bytes:
    """The PDF for a self-contained HTML document (CSS inline, system fonts)."""
    return HTML(string=html, base_url=None, url_fetcher=url_fetcher()).write_pdf()
