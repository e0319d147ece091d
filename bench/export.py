"""The response-level CSV export through gunicorn: time, size and the serving worker's memory.

gunicorn kills a worker whose request runs past its timeout (30 s unless
gunicorn.conf.py or BENCH_GUNICORN_TIMEOUT says otherwise), so a long export
may break off: then what arrived, and the rate, are reported.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass

from .server import RssSampler, Server, memory_kb
from .web import Session, header_bytes

EXPORT_PATH = "/dashboard/export/responses.csv"


@dataclass
class Download:
    status: str = "not started"
    bytes: int = 0
    lines: int = 0


@dataclass(frozen=True)
class Export:
    n: int
    status: str
    seconds: float
    bytes: int
    rows: int
    rss_before_mb: float
    peak_rss_mb: float
    hwm_after_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _download(session: Session, download: Download) -> None:
    response = session.open(EXPORT_PATH)
    download.status = "ok" if response.status == 200 else f"HTTP {response.status}"
    download.bytes = header_bytes(response)
    while block := response.read(1 << 16):
        download.bytes += len(block)
        download.lines += block.count(b"\n")


def measure_export(session: Session, server: Server, n: int) -> Export:
    """Download the export once; the worker that served it is the one whose RSS moved most."""
    pids = server.worker_pids()
    before = {pid: memory_kb(pid) for pid in pids}
    download = Download()
    started = time.perf_counter()
    with RssSampler(pids) as sampler:
        try:
            _download(session, download)
        except (http.client.HTTPException, OSError) as exc:
            download.status = f"broken off ({type(exc).__name__})"
    seconds = time.perf_counter() - started
    served = max(pids, key=lambda pid: sampler.peaks[pid] - before[pid]["VmRSS"])
    if download.status.startswith("broken") and f"WORKER TIMEOUT (pid:{served})" in server.log_path.read_text(errors="replace"):
        download.status = "broken off: gunicorn's WORKER TIMEOUT killed the worker"
    alive = served in server.worker_pids()
    return Export(
        n=n,
        status=download.status,
        seconds=seconds,
        bytes=download.bytes,
        rows=max(0, download.lines - 1),
        rss_before_mb=before[served]["VmRSS"] / 1024,
        peak_rss_mb=sampler.peaks[served] / 1024,
        hwm_after_mb=memory_kb(served)["VmHWM"] / 1024 if alive else float("nan"),
    )
