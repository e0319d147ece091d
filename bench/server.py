"""gunicorn as scripts/smoke.sh starts it (gunicorn.conf.py, 2 workers), and its workers' memory."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from .web import Session

ROOT = Path(__file__).resolve().parent.parent


class Server:
    def __init__(self, env: dict[str, str], port: int, log_path: Path, *, timeout: int | None = None):
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
        self.options = [] if timeout is None else ["--timeout", str(timeout)]
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "peersurvey.wsgi:application", "--config", "gunicorn.conf.py", *self.options],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _wait_until_ready(self) -> None:
        for _ in range(150):
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                Session("127.0.0.1", self.port, timeout=5).get("/bench/fixed.json")
                if len(self.worker_pids()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The master's children, from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                # The command may hold spaces: the parent pid is the 2nd field after ")".
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


class RssSampler:
    """Samples the workers' VmRSS every `interval` seconds in a thread; keeps each one's peak."""

    def __init__(self, pids: list[int], interval: float = 0.05):
        self.peaks = {pid: 0 for pid in pids}
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.peaks:
                try:
                    self.peaks[pid] = max(self.peaks[pid], memory_kb(pid)["VmRSS"])
                except (OSError, KeyError):
                    pass
            self._stop.wait(self.interval)
