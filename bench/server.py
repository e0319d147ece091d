"""gunicorn as scripts/smoke.sh starts it (gunicorn.conf.py), its environment, and its workers' memory."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .web import Session

ROOT = Path(__file__).resolve().parent.parent


def app_env(settings: str, database_url: str, static_root: str) -> dict[str, str]:
    """The environment of a child process that runs the app (manage.py, gunicorn): production's
    settings read from the environment, DEBUG off, a secret key of its own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STATIC_ROOT": static_root,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def any_reply(session: Session) -> bool:
    """Ready when any reply comes (the bench's own view, under bench.settings)."""
    session.get("/bench/fixed.json")
    return True


class ServerError(RuntimeError):
    """gunicorn exited, or did not answer, before it was ready."""


class Server:
    """gunicorn on 127.0.0.1:`port` (0: a free one), log appended to `log_path`; `with` starts it and
    waits until `ready(session)` holds and all `workers` are up, and stops it at the end."""

    def __init__(
        self,
        env: dict[str, str],
        port: int,
        log_path: Path,
        *,
        timeout: int | None = None,
        workers: int = 2,
        ready: Callable[[Session], bool] = any_reply,
    ):
        self.port = port or free_port()
        self.workers = workers
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers)}
        self.options = [] if timeout is None else ["--timeout", str(timeout)]
        self.log_path = log_path
        self.ready = ready
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with self.log_path.open("ab") as log:  # gunicorn keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [str(ROOT / ".venv/bin/gunicorn"), "peersurvey.wsgi:application", "--config", "gunicorn.conf.py", *self.options],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_until_ready(self) -> None:
        for _ in range(150):
            if self.process.poll() is not None:
                raise ServerError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            session = Session("127.0.0.1", self.port, timeout=5)
            try:
                if self.ready(session) and len(self.worker_pids()) == self.workers:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                session.close()
            time.sleep(0.2)
        raise ServerError(f"gunicorn did not answer; see {self.log_path}")

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
