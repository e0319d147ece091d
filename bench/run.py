"""`make bench`: grow a PostgreSQL database step by step and time the app at each size.

    BENCH_SIZES=1000 python -m bench.run [--repeat 30] [--verbose]

For each N (BENCH_SIZES, ascending): add responses set-based, each in the wave
open on its date, release them in batches of min_cell per service,
questionnaire and wave (bench/generate.py), ANALYZE, `manage.py rebuild_tallies`
(which counts the released answers), then time data.json against the bench
baselines through gunicorn, and the wave reads (data.json with compare=,
trends.json, services.json), and count queries in process; up to
BENCH_REPORT_MAX, the report's page, PDF and PowerPoint for the latest wave,
nationally and for its biggest service (bench/builds.py). At the largest
N: the patient form's transfer size, the response CSV export and submission
throughput. Ends with one markdown table. The database `peersurvey_bench` is
dropped and created again on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import psycopg2

from . import generate
from .builds import measure_report_builds
from .database import recreate_database
from .export import measure_export
from .reads import measure_reads, measure_wave_reads
from .report import GrowthStep, Results, markdown
from .server import ROOT, Server, app_env
from .submit import measure_submissions
from .transfer import measure_transfer
from .web import Session, login

DB_NAME = "peersurvey_bench"
USERNAME = "benchlead"
RATE_LIMIT = 1_000_000
GUNICORN_LOG = Path(tempfile.gettempdir()) / "peersurvey-bench-gunicorn.log"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Peer Support Survey benchmark (see bench/run.py).")
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", "10000,100000,1000000"),
        help="Comma-separated response counts, grown in turn (env BENCH_SIZES).",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=int(os.environ.get("BENCH_REPEAT", "30")),
        help="Timed requests per case (env BENCH_REPEAT).",
    )
    parser.add_argument(
        "--report-max",
        type=int,
        default=int(os.environ.get("BENCH_REPORT_MAX", "100000").replace("_", "")),
        help="Time the report builds (page, PDF, PPTX) at sizes up to this (env BENCH_REPORT_MAX).",
    )
    parser.add_argument("--submissions", type=int, default=int(os.environ.get("BENCH_SUBMISSIONS", "1000")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "8")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8799")))
    parser.add_argument(
        "--gunicorn-timeout",
        type=int,
        default=os.environ.get("BENCH_GUNICORN_TIMEOUT") or None,
        help="Override gunicorn's worker timeout, e.g. to let a long export finish (env BENCH_GUNICORN_TIMEOUT).",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL, without a database name (env BENCH_PG).",
    )
    parser.add_argument("--verbose", action="store_true", help="Also print the SQL of every counted query.")
    args = parser.parse_args(argv)
    args.sizes = sorted(int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip())
    return args


def say(message: str) -> None:
    print(message, flush=True)


# --- setting up -----------------------------------------------------------------


def bench_env(database_url: str, static_root: str, password: str, cache_dir: str) -> dict[str, str]:
    return {
        **app_env("bench.settings", database_url, static_root),
        "PEERSURVEY_LINK_RATE_LIMIT": str(RATE_LIMIT),
        "PEERSURVEY_PASSWORD": password,
        # The generator releases in batches of this size: the app must agree.
        "PEERSURVEY_MIN_CELL": str(generate.MIN_CELL),
        # The rate limit's counters (a file cache): this run's own, not /tmp/peersurvey-cache.
        "PEERSURVEY_CACHE_DIR": cache_dir,
        "CACHE_URL": "",
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        say(done.stdout + done.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed with exit status {done.returncode}")
    return done


def with_connection(database_url: str, read):
    conn = generate.connect(database_url)
    try:
        return read(conn)
    finally:
        conn.close()


def prepare(env: dict[str, str], database_url: str) -> None:
    say(f"Setting up: migrate, collectstatic, 30 services with links, {generate.WAVE_COUNT} waves, a partnership lead")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    with_connection(database_url, generate.create_services)
    with_connection(database_url, generate.create_waves)
    manage(env, "add_user", USERNAME, "--role", "partnership_lead")


def machine_info(database_url: str, repeat: int) -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    conn = psycopg2.connect(database_url)
    with conn.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    conn.close()
    return [
        f"Machine: {os.cpu_count()} CPUs ({model}), {int(memory) / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}",
        f"PostgreSQL {pg_version}; Python {platform.python_version()}, Django {version('django')}, gunicorn {version('gunicorn')}",
        "gunicorn.conf.py with 2 gthread workers of 4 threads, DEBUG=0, settings bench.settings (production settings + baseline views)",
        f"Timings: median / p95 over {repeat} requests after 2 warm-up requests, one client, milliseconds",
    ]


# --- one size -------------------------------------------------------------------


def grow_step(env: dict[str, str], database_url: str, target: int) -> GrowthStep:
    say(f"Growing to {target:,} responses")
    growth = generate.grow(database_url, target, progress=say)
    released = growth.releases
    say(
        f"  released {released.released:,} responses ({released.waiting:,} waiting), "
        f"{released.slices_released:,} of {released.slice_rows:,} slice rows ({released.seconds:.1f} s)"
    )
    say(
        "  by wave (responses / released): "
        + ", ".join(f"{code} {n:,} / {out:,}" for code, n, out in released.waves)
        + f"; outside every wave: {released.unwaved:,}"
    )
    if released.unwaved:
        raise SystemExit("The generator left responses outside every wave: see bench/statements.py WAVES_SQL.")
    analyzed = generate.analyze(database_url)
    started = time.perf_counter()
    manage(env, "rebuild_tallies")
    tallies_seconds = time.perf_counter() - started
    say(f"  generate {growth.seconds:.1f} s, ANALYZE {analyzed:.1f} s, rebuild_tallies {tallies_seconds:.1f} s")
    return GrowthStep(growth, analyzed, tallies_seconds)


def biggest_service(conn, wave: str | None = None) -> str:
    """The service with the most responses, in `wave` if given."""
    in_wave = "JOIN surveys_wave w ON w.id = r.wave_id AND w.code = %(wave)s " if wave else ""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT s.code FROM surveys_service s JOIN surveys_response r ON r.service_id = s.id "
            f"{in_wave}GROUP BY s.code ORDER BY count(*) DESC, s.code LIMIT 1",
            {"wave": wave},
        )
        return cursor.fetchone()[0]


def total_responses(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM surveys_response")
        return cursor.fetchone()[0]


def count_queries(env: dict[str, str], service: str, token: str, verbose: bool) -> dict[str, int | str]:
    """Queries per read (data.json's cases, the wave reads) and per submission
    (queued, releasing, and the mean of a batch)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            "-m",
            "bench.queries_count",
            "--user",
            USERNAME,
            "--service",
            service,
            "--link",
            token,
            "--out",
            out.name,
        ] + (["--verbose"] if verbose else [])
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        counted = json.loads(Path(out.name).read_text())
    submissions = counted["submissions"]
    return {
        **{label: len(sqls) for label, sqls in counted["queries"].items()},
        f"API submission (mean of {len(submissions)})": f"{sum(submissions) / len(submissions):.1f}",
    }


def logged_in(port: int, password: str) -> Session:
    session = Session("127.0.0.1", port)
    login(session, USERNAME, password)
    return session


# --- the run --------------------------------------------------------------------


@dataclass(frozen=True)
class Bench:
    args: argparse.Namespace
    env: dict[str, str]
    database_url: str
    password: str
    links: list[tuple[str, str, str]]

    def kiosk_link(self, service: str) -> str:
        return next(token for code, group, token in self.links if code == service and group == "patient")


def measure_size(bench: Bench, target: int, results: Results) -> None:
    """Grow to `target`, then time the reads and count their queries."""
    results.growth.append(grow_step(bench.env, bench.database_url, target))
    service = with_connection(bench.database_url, biggest_service)
    say(f"  timing data.json and baselines (biggest service {service})")
    session = logged_in(bench.args.port, bench.password)
    raws: dict[str, dict] = {}
    results.reads += measure_reads(session, target, service, bench.args.repeat, warn=say, raws=raws)
    waves = with_connection(bench.database_url, generate.wave_codes)
    say(f"  timing the wave reads (waves {', '.join(waves)}): data.json with compare=, trends.json, services.json")
    results.endpoints += measure_wave_reads(session, target, service, waves, bench.args.repeat, warn=say, raws=raws)
    if target <= bench.args.report_max:
        time_report_builds(bench, session, target, waves[-1], results)
    say("  counting queries in process")
    results.queries[target] = count_queries(bench.env, service, bench.kiosk_link(service), bench.args.verbose)


def time_report_builds(bench: Bench, session: Session, target: int, wave: str, results: Results) -> None:
    service = with_connection(bench.database_url, lambda conn: biggest_service(conn, wave))
    say(f"  timing the report builds (page, PDF, PPTX) for wave {wave}, nationally and for {service}")
    results.builds += measure_report_builds(session, target, wave, service, bench.args.repeat, warn=say)


def measure_largest(bench: Bench, server: Server, results: Results) -> None:
    """At the largest N: the form's transfer size, submissions, then the export."""
    port = bench.args.port
    say("Measuring the patient form's transfer size")
    service = with_connection(bench.database_url, biggest_service)
    results.transfer = measure_transfer(Session("127.0.0.1", port), f"/c/{bench.kiosk_link(service)}/")
    say(f"Posting {bench.args.submissions:,} submissions from {bench.args.threads} threads, API then bare insert")
    top_services = sorted({code for code, _, _ in bench.links})[:10]
    targets = [link for link in bench.links if link[0] in top_services]
    questions = with_connection(bench.database_url, generate.questionnaire_rows)
    results.submissions = measure_submissions(port, targets, questions, bench.args.submissions, bench.args.threads)
    # Last: a worker that runs past gunicorn's timeout is killed and replaced.
    total = with_connection(bench.database_url, total_responses)
    say(f"Downloading the response-level CSV export of all {total:,} responses (the submissions included)")
    results.export = measure_export(logged_in(port, bench.password), server, total)


def notes(bench: Bench) -> list[str]:
    timeout = bench.args.gunicorn_timeout
    return [
        f"gunicorn worker timeout: {f'{timeout} s (BENCH_GUNICORN_TIMEOUT)' if timeout else 'as gunicorn.conf.py sets it (default 30 s)'}.",
        f"The per-link submission rate limit (PEERSURVEY_LINK_RATE_LIMIT) was raised to {RATE_LIMIT:,}/min "
        "for this run so the limiter does not dominate; production's default is 300/min.",
        "The generator skips per-row foreign-key triggers (session_replication_role = replica, superuser only): "
        "every id it writes comes from the referenced table.",
        f"Releases are recomputed for all responses at every step, as if they had come in in date order: "
        f"per service, questionnaire and wave, batches of {generate.MIN_CELL} released on their newest date, "
        f"the remainder waiting; about-you slices likewise, in exact batches of {generate.MIN_CELL}. "
        "No round is closed, so nothing is pooled.",
        f"Waves: {generate.WAVE_COUNT} consecutive rounds of {generate.WAVE_DAYS} days over the year of dates "
        f"({generate.WAVE_PREFIX}1 oldest, the last open {generate.WAVE_AHEAD} days past today); each response is in "
        "the wave open on its date, every release batch within one wave, and every service has a denominator "
        f"(twice its responses plus {generate.DENOMINATOR_EXTRA}) in every wave. "
        "The wave reads are checked against raw.json like data.json (group sizes exact, counts within the noise).",
        "The rate limit's counters are files (PEERSURVEY_CACHE_DIR, a temporary directory of the run), "
        "as on a single machine without Redis.",
    ]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    password = secrets.token_urlsafe(18)
    database_url = f"{args.server}/{DB_NAME}"
    recreate_database(database_url)
    results = Results(machine=machine_info(database_url, args.repeat), repeat=args.repeat)
    GUNICORN_LOG.write_bytes(b"")
    with (
        tempfile.TemporaryDirectory(prefix="peersurvey-bench-static-") as static_root,
        tempfile.TemporaryDirectory(prefix="peersurvey-bench-cache-") as cache_dir,
    ):
        env = bench_env(database_url, static_root, password, cache_dir)
        prepare(env, database_url)
        bench = Bench(args, env, database_url, password, with_connection(database_url, generate.links))
        with Server(env, args.port, GUNICORN_LOG, timeout=args.gunicorn_timeout) as server:
            say(f"gunicorn on 127.0.0.1:{args.port} (log: {GUNICORN_LOG})")
            for target in args.sizes:
                measure_size(bench, target, results)
            measure_largest(bench, server, results)
    results.notes = notes(bench)
    say("")
    say(markdown(results))


if __name__ == "__main__":
    main()
