"""The report as a PDF, laid out on the server by WeasyPrint from the report's
own HTML: tagged (headings, lists, tables and images with their alt text reach
a screen reader), charts as vectors, A4 with page numbers. No browser. Its
language (/Lang) is the HTML's `lang`, so a Welsh report is a Welsh PDF.

WeasyPrint needs the Pango libraries (Debian: libpango-1.0-0 libpangoft2-1.0-0).
Without them the import fails; `PDF_UNAVAILABLE` then says why, and the view
answers 503 with that message instead of failing the whole dashboard.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

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


def page_footer() -> str:
    """Each page's footer as CSS `content`, in the reader's language: the page
    numbers are CSS counters, so the translated sentence is cut at its placeholders.

    >>> print(page_footer())
    "Peer support in secure services · page " counter(page) " of " counter(pages)
    """
    words = _("Peer support in secure services · page %(page)s of %(pages)s")
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", words):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"')
    return " ".join(parts)


def pdf_bytes(html: str) -> bytes:
    document = HTML(string=html, url_fetcher=_data_only(), base_url="data:,")
    footer = CSS(string=f"@page report {{ @bottom-center {{ content: {page_footer()}; }} }}")
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET)), footer], pdf_tags=True, custom_metadata=True)
