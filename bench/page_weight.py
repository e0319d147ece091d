"""Page weight: bytes on the wire for a first visit, and the time until the charts are drawn.

    python -m bench.page_weight                      # its own gunicorn on SQLite with the demo data
    python -m bench.page_weight --url http://127.0.0.1:8104 --kiosk /c/<token>/   # a server already running

Headless Chromium (Playwright, /usr/bin/chromium or CHROMIUM_PATH) opens each page in a fresh
context, so the HTTP cache is empty, and counts every response's encoded bytes (headers and
body as they crossed the wire, Chrome DevTools' Network.loadingFinished encodedDataLength):

- the dashboard (/dashboard/, signed in as the demo's partnership lead; the sign-in is made
  with the context's request client, so the login page and its files are neither counted nor
  cached), and the time from navigation start until every `.chart` holds Plotly's
  `svg.main-svg` (the page draws its figures from JSON embedded in it; charts.json is only
  fetched on the live refresh, every 30 s, so it is not part of a first draw);
- the patient kiosk questionnaire (/c/<token>/), the page and its files; what the tablet's
  service worker then keeps for offline use (audio files, the page in the other language)
  is fetched from the worker and counted apart.

Without --url it does what production does: collectstatic (peersurvey.storage.StaticStorage,
hashed and compressed), migrate, `manage.py demo` into a temporary SQLite database, then
gunicorn with gunicorn.conf.py, DEBUG=0. Prints one markdown table. Exits 0 with a message
when Chromium or Playwright is missing.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .server import ROOT, Server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
USERNAME = "lead"
PASSWORD = "peer-support-demo"
TARGET_BYTES = 700_000
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('.chart')];
  return charts.length > 0 && charts.every(c => c.querySelector('svg.main-svg')) ? [performance.now(), charts.length] : false;
}"""
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Visit:
    requests: int = 0
    bytes: int = 0
    by_url: dict[str, int] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    worker_requests: int = 0
    worker_bytes: int = 0
    page_gzip: int | None = None
    charts: int = 0
    drawn_ms: float | None = None
    load_ms: float | None = None


# --- a server of our own ---------------------------------------------------------


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def kiosk_path(env: dict[str, str]) -> str:
    """A patient kiosk link from `manage.py show_links` (service, questionnaire, kind, path)."""
    for line in _manage(env, "show_links").splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[1] == "patient" and parts[2] == "kiosk":
            return parts[3]
    raise SystemExit("show_links listed no patient kiosk link")


def own_server(workdir: Path, port: int) -> tuple[Server, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peersurvey.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "PEERSURVEY_CACHE_DIR": str(workdir / "cache"),
        "CACHE_URL": "",
        "GUNICORN_ACCESS_LOG": "0",
    }
    say("collectstatic, migrate, demo data (SQLite)")
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "demo")
    server = Server(env, port, workdir / "gunicorn.log", workers=2, ready=lambda session: session.get("/").status < 500)
    return server, kiosk_path(env)


# --- the browser -----------------------------------------------------------------


def _log_in(context, base: str, username: str, password: str) -> None:
    """Sign in with the context's request client: the cookies reach the pages, the HTTP cache stays empty."""
    login = context.request.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text())
    if not token:
        raise SystemExit(f"no sign-in form at {base}/accounts/login/")
    reply = context.request.post(
        f"{base}/accounts/login/",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1), "next": "/dashboard/"},
        headers={"Referer": f"{base}/accounts/login/"},
        max_redirects=0,
    )
    if reply.status != 302:
        raise SystemExit(f"signing in as {username} answered {reply.status}, not a redirect: wrong password?")


def _count(context, page) -> Visit:
    """Start counting the page's network traffic (CDP) and its service worker's (Playwright's events)."""
    visit = Visit()
    cdp = context.new_cdp_session(page)
    urls: dict[str, str] = {}
    cdp.on("Network.responseReceived", lambda event: _response(visit, urls, event))
    cdp.on("Network.loadingFinished", lambda event: _finished(visit, urls, event))
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    context.on("requestfinished", lambda request: _worker_request(visit, request))
    return visit


# What the page asks for itself (its HTML and the files it names); a script's fetch() after
# it loaded (the tablet keeping the page in its other language) counts as kept for offline.
PAGE_TYPES = {"Document", "Stylesheet", "Script", "Image", "Font", "Media", "Manifest", "Other"}


def _response(visit: Visit, urls: dict[str, str], event: dict) -> None:
    if event.get("type") not in PAGE_TYPES:
        urls[event["requestId"]] = "offline:" + event["response"]["url"]
        return
    urls[event["requestId"]] = event["response"]["url"]
    headers = {name.lower(): value for name, value in event["response"].get("headers", {}).items()}
    visit.encodings[event["response"]["url"]] = headers.get("content-encoding", "none")


def _finished(visit: Visit, urls: dict[str, str], event: dict) -> None:
    url = urls.get(event["requestId"], event["requestId"])
    if url.startswith("data:"):
        return  # an image inlined in the CSS: nothing crossed the wire
    if url.startswith("offline:"):
        visit.worker_requests += 1
        visit.worker_bytes += int(event["encodedDataLength"])
        return
    visit.requests += 1
    visit.bytes += int(event["encodedDataLength"])
    visit.by_url[url] = visit.by_url.get(url, 0) + int(event["encodedDataLength"])


def _worker_request(visit: Visit, request) -> None:
    if request.service_worker is None:
        return  # the page's own: counted by CDP
    try:
        sizes = request.sizes()
    except Exception:  # noqa: BLE001 - a request the worker dropped has no sizes
        return
    visit.worker_requests += 1
    visit.worker_bytes += sizes["responseHeadersSize"] + sizes["responseBodySize"]


def visit_dashboard(browser, base: str, username: str, password: str) -> Visit:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    try:
        _log_in(context, base, username, password)
        page = context.new_page()
        visit = _count(context, page)
        page.goto(f"{base}/dashboard/", wait_until="commit")
        if "/accounts/login/" in page.url:
            raise SystemExit("the dashboard sent the signed-in lead back to the login page")
        drawn = page.wait_for_function(CHARTS_DRAWN, polling="raf", timeout=60_000).json_value()
        visit.drawn_ms, visit.charts = drawn[0], int(drawn[1])
        page.wait_for_load_state("networkidle")
        visit.load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        visit.page_gzip = _gzipped(context, f"{base}/dashboard/")
        return visit
    finally:
        context.close()


def _settle(page, visit: Visit, quiet_ms: int = 3000, limit_s: float = 60) -> None:
    """Wait until the service worker has kept what it keeps: no new response for `quiet_ms`."""
    page.wait_for_load_state("networkidle")
    page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => true) : true")
    deadline = time.monotonic() + limit_s
    seen = -1
    while time.monotonic() < deadline and seen != visit.worker_requests + visit.requests:
        seen = visit.worker_requests + visit.requests
        page.wait_for_timeout(quiet_ms)


def _gzipped(context, url: str) -> int:
    """The page's HTML as nginx would send it (deploy/nginx.conf: gzip_comp_level 5); gunicorn sends it plain."""
    return len(gzip.compress(context.request.get(url).body(), compresslevel=5))


def visit_kiosk(browser, base: str, path: str) -> Visit:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        page = context.new_page()
        visit = _count(context, page)
        page.goto(f"{base}{path}", wait_until="load")
        visit.load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        _settle(page, visit)
        visit.page_gzip = _gzipped(context, f"{base}{path}")
        return visit
    finally:
        context.close()


# --- the report ------------------------------------------------------------------


def _kb(count: float) -> str:
    return f"{count / 1000:,.1f} kB"


def _median(values: list[float | None]) -> float | None:
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def table(dashboards: list[Visit], kiosks: list[Visit], verbose: bool) -> str:
    lines = [
        f"Fresh browser context each visit (empty cache), medians of {len(dashboards)} visits; "
        "bytes are encoded (compressed) bytes on the wire, headers included.",
        "",
        "| page | requests | bytes on the wire | the same, HTML gzipped as by nginx | largest file | charts drawn at | load event at |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, visits in (("/dashboard/ (signed in)", dashboards), ("kiosk questionnaire /c/<token>/", kiosks)):
        if not visits:
            continue
        last = visits[-1]
        largest = max(last.by_url.items(), key=lambda item: item[1])
        largest_name = urlsplit(largest[0]).path.rsplit("/", 1)[-1] or urlsplit(largest[0]).path
        drawn = _median([visit.drawn_ms for visit in visits])
        load = _median([visit.load_ms for visit in visits])
        html = max(count for url, count in last.by_url.items() if urlsplit(url).path.startswith(("/dashboard/", "/c/")))
        behind_nginx = _median([v.bytes for v in visits]) - html + (last.page_gzip or html)
        lines.append(
            f"| {name} | {int(_median([v.requests for v in visits]))} | {_kb(_median([v.bytes for v in visits]))} "
            f"| {_kb(behind_nginx)} "
            f"| {largest_name} {_kb(largest[1])} ({last.encodings.get(largest[0], '?')}) "
            f"| {f'{drawn:,.0f} ms ({last.charts} charts)' if drawn is not None else '–'} "
            f"| {f'{load:,.0f} ms' if load else '–'} |"
        )
        if last.worker_requests:
            lines.append(
                f"| … then kept for offline use (page script and service worker) | {last.worker_requests} "
                f"| {_kb(last.worker_bytes)} | | | | |"
            )
    if dashboards:
        total = _median([v.bytes for v in dashboards])
        verdict = "within" if total <= TARGET_BYTES else "OVER"
        lines += ["", f"Dashboard first visit: {total:,.0f} bytes, {verdict} the {TARGET_BYTES:,}-byte target."]
    if verbose:
        for name, visits in (("dashboard", dashboards), ("kiosk", kiosks)):
            if visits:
                lines += ["", f"{name}, last visit, each response:"]
                for url, count in sorted(visits[-1].by_url.items(), key=lambda item: -item[1]):
                    lines.append(f"  {count:>10,}  {visits[-1].encodings.get(url, '?'):<5} {urlsplit(url).path}")
    return "\n".join(lines)


def measure(base: str, kiosk: str | None, args: argparse.Namespace) -> str:
    from playwright.sync_api import sync_playwright

    dashboards, kiosks = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for run in range(args.runs):
                say(f"visit {run + 1} of {args.runs}")
                dashboards.append(visit_dashboard(browser, base, args.username, args.password))
                if kiosk:
                    kiosks.append(visit_kiosk(browser, base, kiosk))
        finally:
            browser.close()
    return table(dashboards, kiosks, args.verbose)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Bytes on the wire and chart drawing time (see bench/page_weight.py).")
    parser.add_argument("--url", help="A running server, e.g. http://127.0.0.1:8104 (default: start one).")
    parser.add_argument("--kiosk", help="The kiosk questionnaire's path on --url, e.g. /c/<token>/ (manage.py show_links).")
    parser.add_argument("--username", default=os.environ.get("PAGE_WEIGHT_USER", USERNAME))
    parser.add_argument("--password", default=os.environ.get("PAGE_WEIGHT_PASSWORD", PASSWORD))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("PAGE_WEIGHT_RUNS", "3")))
    parser.add_argument("--port", type=int, default=0, help="Port for the server it starts (default: a free one).")
    parser.add_argument("--verbose", action="store_true", help="Also list every response of the last visit.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # Playwright reports the service worker's own requests only when asked to.
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    args = parse_args(argv)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        print("page weight skipped: Playwright is not installed (pip install -e '.[dev]')")
        return 0
    if not Path(CHROMIUM).exists():
        print(f"page weight skipped: no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
        return 0
    if args.url:
        print(measure(args.url.rstrip("/"), args.kiosk, args))
        return 0
    with tempfile.TemporaryDirectory(prefix="peersurvey-page-weight-") as workdir:
        started = time.perf_counter()
        server, kiosk = own_server(Path(workdir), args.port)
        with server:
            base = f"http://127.0.0.1:{server.port}"
            say(f"gunicorn on {base} ({time.perf_counter() - started:.0f} s to set up)")
            print(measure(base, kiosk, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
