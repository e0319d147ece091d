"""The final markdown tables, ready to paste into docs/benchmarks.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from .builds import MAX_REPEAT, ReportBuild
from .export import Export
from .generate import Growth
from .reads import EndpointTiming, ReadTiming
from .submit import Throughput
from .transfer import Transfer
from .web import Timing


@dataclass(frozen=True)
class GrowthStep:
    growth: Growth
    analyze_seconds: float
    tallies_seconds: float


@dataclass
class Results:
    machine: list[str]
    repeat: int
    growth: list[GrowthStep] = field(default_factory=list)
    reads: list[ReadTiming] = field(default_factory=list)
    endpoints: list[EndpointTiming] = field(default_factory=list)
    queries: dict[int, dict[str, int | str]] = field(default_factory=dict)
    builds: list[ReportBuild] = field(default_factory=list)
    transfer: Transfer | None = None
    export: Export | None = None
    submissions: list[Throughput] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def table(header: list[str], rows: list[list]) -> str:
    """A markdown table.

    >>> print(table(["a", "b"], [[1, "x"]]))
    | a | b |
    | --- | --- |
    | 1 | x |
    """
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _ms(value: Timing, repeat: int) -> str:
    fewer = f" ({value.count} requests)" if value.count < repeat else ""
    return f"{value.median_ms:.1f} / {value.p95_ms:.1f}{fewer}"


def _growth(results: Results) -> str:
    rows = [
        [
            f"{step.growth.target:,}",
            f"{step.growth.added:,}",
            f"{step.growth.choices:,}",
            f"{step.growth.texts:,}",
            f"{step.growth.seconds:.1f}",
            f"{step.growth.releases.released:,} / {step.growth.releases.waiting:,}",
            f"{step.growth.releases.slices_released:,} / {step.growth.releases.slice_rows:,}",
            f"{step.growth.releases.seconds:.1f}",
            f"{step.analyze_seconds:.1f}",
            f"{step.tallies_seconds:.1f}",
        ]
        for step in results.growth
    ]
    header = [
        "N",
        "responses added",
        "choice rows added",
        "text rows added",
        "generate (s)",
        "released / waiting",
        "slice rows released / all",
        "release (s)",
        "ANALYZE (s)",
        "rebuild_tallies (s)",
    ]
    return table(header, rows)


def _reads(results: Results) -> str:
    rows = [
        [
            f"{r.n:,}",
            r.case,
            *(_ms(t, results.repeat) for t in (r.data_json, r.raw_sql, r.fixed)),
            f"{r.over_raw:.1f}",
            f"{r.over_fixed:.1f}",
        ]
        for r in results.reads
    ]
    header = ["N", "filter", "data.json ms (median / p95)", "raw SQL ms", "fixed JSON ms", "data.json ÷ raw", "data.json ÷ fixed"]
    return table(header, rows)


def _queries(results: Results) -> str:
    """data.json's cases and the submissions (the wave reads' counts are in the table by size)."""
    wave_reads = {e.case for e in results.endpoints}
    labels = [label for label in next(iter(results.queries.values())) if label not in wave_reads]
    rows = [[f"{n:,}", *(counts[label] for label in labels)] for n, counts in results.queries.items()]
    return table(["N", *labels], rows)


def _by_size(results: Results) -> str:
    """Every read's median per size, the largest size against the smallest, and its queries."""
    sizes = sorted({r.n for r in results.reads} | {e.n for e in results.endpoints})
    medians: dict[tuple[str, str], dict[int, float]] = {}
    for r in results.reads:
        medians.setdefault((f"data.json {r.case}", f"/dashboard/data.json{r.query}"), {})[r.n] = r.data_json.median_ms
    for e in results.endpoints:
        medians.setdefault((e.case, e.path), {})[e.n] = e.timing.median_ms
    rows = []
    for (label, path), by_n in medians.items():
        first, last = by_n.get(sizes[0]), by_n.get(sizes[-1])
        ratio = f"{last / first:.2f}" if first and last and len(sizes) > 1 else "–"
        counts = [results.queries.get(n, {}).get(label) for n in sizes]
        known = [count for count in counts if count is not None]
        queries = str(known[0]) if known and len(set(known)) == 1 else " / ".join(str(c) for c in counts)
        cells = [f"{by_n[n]:.1f}" if n in by_n else "–" for n in sizes]
        rows.append([label, f"`{path}`", *cells, ratio, queries])
    header = ["read", "request", *(f"{n:,}" for n in sizes), f"{sizes[-1]:,} ÷ {sizes[0]:,}", "queries"]
    return table(header, rows)


def _count(value: float | int | None, form: str = "{:,}") -> str:
    return "–" if value is None else form.format(value)


def _builds(results: Results) -> str:
    rows = [
        [
            f"{b.n:,}",
            b.report,
            b.selection,
            f"`{b.path}`",
            b.status,
            _count(b.median_ms, "{:,.1f}"),
            _count(b.max_ms, "{:,.1f}"),
            b.runs,
            _count(b.bytes),
            _count(b.pages),
        ]
        for b in results.builds
    ]
    header = ["N", "report", "selection", "request", "status", "median ms", "max ms", "runs", "bytes", "pages / slides"]
    return table(header, rows)


def _builds_intro(results: Results) -> str:
    repeat = min(results.repeat, MAX_REPEAT)
    return (
        "The report as a page, a PDF (WeasyPrint) and a PowerPoint (python-pptx), built through gunicorn "
        "for the latest wave nationally and for its biggest service: "
        f"{repeat} timed requests each after one warm-up, the whole request (data, quotes, layout, file) "
        "to the last byte; size of the body; pages by poppler's pdfinfo (blank without it), slides by python-pptx."
    )


def _submissions(results: Results) -> str:
    rows = [
        [
            t.endpoint,
            t.requests,
            t.threads,
            f"{t.seconds:.1f}",
            f"{t.per_second:.0f}",
            ", ".join(f"{k}: {v}" for k, v in sorted(t.statuses.items(), key=str)),
        ]
        for t in results.submissions
    ]
    text = table(["endpoint", "requests", "client threads", "seconds", "stored/s (201s)", "statuses"], rows)
    if len(results.submissions) == 2:
        api, bare = results.submissions
        text += f"\n\nAPI ÷ bare insert throughput: {api.per_second / bare.per_second:.2f}"
    return text


def _transfer(results: Results) -> str:
    t = results.transfer
    return table(
        [
            "first load (KB)",
            "repeat load (KB)",
            "of which the page (KB)",
            "files",
            "fetched again on repeat",
            "page encoding",
            "static encoding",
        ],
        [
            [
                f"{t.first_bytes / 1024:.1f}",
                f"{t.repeat_bytes / 1024:.1f}",
                f"{t.page_bytes / 1024:.1f}",
                t.files,
                t.refetched,
                t.page_encoding,
                t.static_encoding,
            ]
        ],
    )


def _export(results: Results) -> str:
    e = results.export
    text = table(
        [
            "N",
            "status",
            "time (s)",
            "size (MB)",
            "rows",
            "rows/s",
            "worker RSS before (MB)",
            "peak RSS during (MB)",
            "VmHWM after (MB)",
        ],
        [
            [
                f"{e.n:,}",
                e.status,
                f"{e.seconds:.1f}",
                f"{e.bytes / 2**20:.1f}",
                f"{e.rows:,}",
                f"{e.rows_per_second:,.0f}",
                f"{e.rss_before_mb:.0f}",
                f"{e.peak_rss_mb:.0f}",
                f"{e.hwm_after_mb:.0f}",
            ]
        ],
    )
    if e.status != "ok" and e.rows_per_second:
        text += (
            f"\n\nAt {e.rows_per_second:,.0f} rows/s all {e.n:,} rows would take about {e.n / e.rows_per_second / 60:.0f} min."
        )
    return text


def markdown(results: Results) -> str:
    parts = [
        "## Benchmark results",
        "\n".join(f"- {line}" for line in results.machine),
        "### Data generation and release (set-based SQL)",
        _growth(results),
        f"### Dashboard reads through gunicorn ({results.repeat} timed requests per cell after warm-up, fewer past 2 minutes)",
        _reads(results),
        "### SQL queries per request (in process, steady state)",
        _queries(results),
        "### Every read by size (data.json and the wave reads; median ms through gunicorn, queries in process)",
        _by_size(results),
    ]
    if results.builds:
        parts += ["### Report builds", _builds_intro(results), _builds(results)]
    if results.submissions:
        parts += ["### Submissions through gunicorn", _submissions(results)]
    if results.transfer:
        parts += ["### Patient form (kiosk link) transfer size", _transfer(results)]
    if results.export:
        parts += ["### Response-level CSV export", _export(results)]
    if results.notes:
        parts += ["### Notes", "\n".join(f"- {note}" for note in results.notes)]
    return "\n\n".join(parts)
