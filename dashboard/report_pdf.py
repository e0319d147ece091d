"""The report as a PDF, laid out on the server by WeasyPrint from the report's
own HTML: tagged (headings, lists, tables and images with their alt text reach
a screen reader), charts as vectors, A4 with page numbers. No browser.

WeasyPrint needs the Pango libraries (Debian: libpango-1.0-0 libpangoft2-1.0-0).
Without them the import fails; `PDF_UNAVAILABLE` then says why, and the view
answers 503 with that message instead of failing the whole dashboard.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

try:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher
except OSError as missing:  # Pango not installed
    PDF_UNAVAILABLE = (
        f"PDF reports need the Pango libraries on the server (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {missing}"
    )
else:
    PDF_UNAVAILABLE = ""

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "report.css"


def _data_only() -> URLFetcher:
    """The report embeds its charts as data: images; anything else it might name
    is refused, so laying out a PDF never reaches the network or the disk."""
    return URLFetcher(allowed_protocols={"data"})


def pdf_bytes(html: str) -> bytes:
    document = HTML(string=html, url_fetcher=_data_only(), base_url="data:,")
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))], pdf_tags=True, custom_metadata=True)
