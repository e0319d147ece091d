"""The report in its three forms (page, PDF, PowerPoint) built through gunicorn:
time, size, and pages or slides, for the national picture of the latest wave
and for the biggest service in it. A failed build is reported, not fatal."""

from __future__ import annotations

import http.client
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from io import BytesIO

from .web import Reply, Session

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Label: (path, the content type it must answer).
REPORTS = {
    "report page": ("/dashboard/report/", "text/html"),
    "PDF": ("/dashboard/report.pdf", "application/pdf"),
    "PPTX": ("/dashboard/report.pptx", PPTX_TYPE),
}
WARMUP = 1
# A build takes up to seconds: this many timed runs at most, whatever BENCH_REPEAT says.
MAX_REPEAT = 3


def selections(latest_wave: str, biggest_service: str) -> dict[str, str]:
    return {"national": f"?wave={latest_wave}", "service": f"?wave={latest_wave}&service={biggest_service}"}


@dataclass(frozen=True)
class ReportBuild:
    n: int
    report: str
    selection: str
    path: str
    status: str
    median_ms: float | None = None
    max_ms: float | None = None
    runs: int = 0
    bytes: int | None = None
    pages: int | None = None


def problem(reply: Reply, content_type: str) -> str:
    """'' when the reply is a 200 of the expected type; else what is wrong with it."""
    if reply.status != 200:
        return f"HTTP {reply.status}"
    answered = reply.headers.get("content-type", "").split(";")[0].strip()
    return "" if answered == content_type else f"type {answered or 'none'}"


def pdf_pages(body: bytes) -> int | None:
    """Pages by poppler's pdfinfo, when installed (object streams hide `/Type /Page`)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(body)
        pdf.flush()
        done = subprocess.run([pdfinfo, pdf.name], capture_output=True, text=True)
    pages = [line.split(":", 1)[1] for line in done.stdout.splitlines() if line.startswith("Pages:")]
    return int(pages[0]) if done.returncode == 0 and pages else None


def pptx_slides(body: bytes) -> int | None:
    from pptx import Presentation

    try:
        return len(Presentation(BytesIO(body)).slides)
    except Exception:  # not a presentation after all: no count, the size still says something
        return None


COUNTERS = {"PDF": pdf_pages, "PPTX": pptx_slides}


def _get(session: Session, path: str, content_type: str) -> tuple[Reply | None, str]:
    """One GET: the reply and '' if it is right, else what went wrong (a broken connection too)."""
    try:
        reply = session.get(path)
    except (http.client.HTTPException, OSError) as exc:
        session.close()
        return None, f"broken off ({type(exc).__name__})"
    return reply, problem(reply, content_type)


def build(session: Session, n: int, report: str, selection: str, query: str, repeat: int) -> ReportBuild:
    """Warm up once, then time `repeat` builds; stops at the first failure."""
    path, content_type = REPORTS[report]
    path += query
    replies = []
    for number in range(WARMUP + repeat):
        reply, wrong = _get(session, path, content_type)
        if wrong:
            return ReportBuild(n, report, selection, path, wrong, runs=len(replies))
        if number >= WARMUP:
            replies.append(reply)
    seconds = [reply.seconds for reply in replies]
    last = replies[-1].body
    counter = COUNTERS.get(report)
    return ReportBuild(
        n,
        report,
        selection,
        path,
        "ok",
        median_ms=round(statistics.median(seconds) * 1000, 1),
        max_ms=round(max(seconds) * 1000, 1),
        runs=len(replies),
        bytes=len(last),
        pages=counter(last) if counter else None,
    )


def measure_report_builds(
    session: Session, n: int, latest_wave: str, biggest_service: str, repeat: int, warn=print
) -> list[ReportBuild]:
    """Every report form for each selection; `repeat` is capped at MAX_REPEAT."""
    repeat = max(1, min(repeat, MAX_REPEAT))
    results = []
    for selection, query in selections(latest_wave, biggest_service).items():
        for report in REPORTS:
            result = build(session, n, report, selection, query, repeat)
            if result.status != "ok":
                warn(f"  WARNING N={n} {report} {selection}: {result.status} ({result.path})")
            results.append(result)
    return results
