#!/usr/bin/env python
"""Durability: 1,000 submissions from 20 concurrent clients to gunicorn on PostgreSQL,
while PostgreSQL restarts and a gunicorn worker is killed; every one is stored once, whole.

    scripts/durability.py [--database-url postgres://postgres@127.0.0.1:5432/peersurvey_durability]

Drops and re-creates the database the URL names (default `peersurvey_durability`),
migrates it, loads the demo (`demo --no-user`) and picks the patient and staff links of
a few services from `show_links`. It then starts gunicorn on a free port and sends the
submissions (valid, varied, many with free text) from 20 client threads. Like the
tablet's outbox, a client sends a submission again, with the same client_id and the
same body, after a connection error, a timeout, a 5xx or a 429 (with backoff, for at
most 60 s), and takes 201 or 200 (already stored) as done; 400 and 409 are failures.
After 300 successes it restarts PostgreSQL (`pg_ctlcluster ... restart`, so it runs as
root on the machine that runs PostgreSQL), after 600 it kills a gunicorn worker with
SIGKILL. At the end it reads the database itself: stored, lost, duplicated and partial
(answers stored differently from what was sent, or missing) responses; that each is
queued for release once, that no release unit (service, questionnaire, slice) was left
holding a full batch and none released fewer than min_cell on a day (surveys/releases.py);
and that the tallies equal a full recount from the releases. It prints a table, and
exits non-zero unless all are stored once and whole and released as the rules say.
The per-link rate limit counts in files (PEERSURVEY_CACHE_DIR, a temporary directory
of the run) unless CACHE_URL names Redis.

Restarting PostgreSQL breaks every other connection to it for a moment: do not run it
while something else uses the same cluster. PostgreSQL is started again at the end if
it is not running, whatever happened; gunicorn is always stopped.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Both use the standard library only, so they import before main() looks for the venv.
from bench.server import Server, ServerError, app_env
from bench.web import Session

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peersurvey_durability"
REQUEST_TIMEOUT = 20  # seconds for one attempt (gunicorn's own worker timeout is 30)


@dataclass
class Submission:
    index: int
    token: str
    questionnaire: str
    client_id: str
    answers: dict
    body: bytes
    has_text: bool
    # Filled in by the client that sends it.
    outcome: str = ""  # "stored", "duplicate", or why it failed
    reply_id: str | None = None
    attempts: int = 0


@dataclass
class Figures:
    """Shared by the client threads; every change under `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    successes: int = 0
    finished: int = 0
    attempts: Counter = field(default_factory=Counter)  # reply status or error kind -> count, every attempt
    retried_by_phase: dict = field(default_factory=dict)  # phase -> Counter of what caused a retry
    phase: str = "before any fault"

    def retry(self, cause: str) -> None:
        with self.lock:
            self.retried_by_phase.setdefault(self.phase, Counter())[cause] += 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help=f"PostgreSQL database to drop, re-create and use (default {DEFAULT_URL})"
    )
    parser.add_argument("--submissions", type=int, default=1000, help="submissions to send (default 1000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent client threads (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--services", type=int, default=4, help="services whose patient and staff links are used (default 4)")
    parser.add_argument("--restart-at", type=int, default=300, help="restart PostgreSQL after this many successes")
    parser.add_argument("--kill-at", type=int, default=600, help="SIGKILL a gunicorn worker after this many successes")
    parser.add_argument("--give-up", type=float, default=60.0, help="seconds a client keeps retrying one submission (default 60)")
    parser.add_argument("--port", type=int, default=0, help="gunicorn port (default: a free one)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if not 0 < args.restart_at < args.kill_at < args.submissions:
        parser.error("need 0 < --restart-at < --kill-at < --submissions")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)

    try:
        import django  # noqa: F401
        import psycopg2  # noqa: F401
    except ModuleNotFoundError:
        # Run as ./scripts/durability.py outside the venv: start again with the project's own Python.
        # (The venv's python is a symlink to the interpreter it was made from, so compare prefixes.)
        venv = ROOT / ".venv"
        venv_python = venv / "bin" / "python"
        if venv_python.exists() and Path(sys.prefix).resolve() != venv.resolve():
            os.execv(str(venv_python), [str(venv_python), __file__, *(argv if argv is not None else sys.argv[1:])])
        raise

    url = urlsplit(args.database_url)
    if url.scheme not in ("postgres", "postgresql", "pgsql") or not url.path.strip("/"):
        parser.error("--database-url must name a PostgreSQL database, e.g. " + DEFAULT_URL)
    if (url.hostname or "localhost") not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--database-url must point at this machine: the script restarts its PostgreSQL")
    port = url.port or 5432
    cluster = _cluster_for_port(port)
    if cluster is None:
        print(
            f"durability: no local PostgreSQL cluster on port {port} (pg_lsclusters); it must run here to restart it",
            file=sys.stderr,
        )
        return 2

    say = (lambda *a: None) if args.quiet else (lambda *a: print("durability:", *a, file=sys.stderr, flush=True))
    # Stopped from outside (SIGTERM, or SIGINT from a shell that ignored it): still leave the
    # `with Server` below, which stops gunicorn, and run the `finally`, which leaves PostgreSQL running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    static_root = tempfile.mkdtemp(prefix="peersurvey-durability-static-")
    cache_dir = tempfile.mkdtemp(prefix="peersurvey-durability-cache-")
    try:
        from bench.database import recreate_database

        recreate_database(args.database_url)
        say(f"database {url.path.strip('/')} re-created on PostgreSQL {cluster[0]}/{cluster[1]}")
        os.environ["DATABASE_URL"] = args.database_url
        os.environ["DJANGO_SETTINGS_MODULE"] = "peersurvey.settings"
        # This run's own key: without DEBUG the settings refuse to start with none (peersurvey/settings.py).
        os.environ.setdefault("SECRET_KEY", os.urandom(32).hex())
        links = _prepare(say)
        submissions = _generate(links, args.submissions, seed, args.services)
        rows_before = _count_responses()

        handle, name = tempfile.mkstemp(prefix="peersurvey-durability-gunicorn-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
        env = {**app_env("peersurvey.settings", args.database_url, static_root), "PEERSURVEY_CACHE_DIR": cache_dir}
        try:
            with Server(env, args.port, log_path, workers=args.workers, ready=_through_to_database) as server:
                say(f"gunicorn {server.process.pid} with {args.workers} workers on 127.0.0.1:{server.port}, log {log_path}")
                figures = Figures()
                events = {}
                started = time.monotonic()
                threads = _start_clients(submissions, figures, server.port, args.clients, args.give_up)
                _faults(args, figures, events, cluster, server, threads, started, say)
                for thread in threads:
                    thread.join()
                elapsed = time.monotonic() - started
                say(f"all {len(submissions)} sent in {elapsed:.1f} s; stopping gunicorn")
        except ServerError as exc:  # it did not start
            raise SystemExit(f"durability: {exc}") from None
        _ensure_postgres(cluster)

        check = _check_database(submissions, links)
        check["stray"] = _count_responses() - rows_before - check["rows"]
        log_text = log_path.read_text(errors="replace")
        result = _report(args, seed, cluster, submissions, figures, events, elapsed, check, log_text, log_path)
        if result == 0 and "Traceback" not in log_text:
            log_path.unlink()  # kept, and named in the report, when something went wrong
        return result
    finally:
        _ensure_postgres(cluster)
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(cache_dir, ignore_errors=True)


# --- setting up ---------------------------------------------------------------------


def _cluster_for_port(port: int) -> tuple[str, str] | None:
    """(version, name) of the local cluster listening on `port`, from pg_lsclusters."""
    try:
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == str(port):
            return parts[0], parts[1]
    return None


@dataclass(frozen=True)
class LinkInfo:
    service: str
    questionnaire: str
    token: str
    definition: object  # surveys.definitions.QuestionnaireDef


def _prepare(say) -> list[LinkInfo]:
    """Migrate, load the demo, and read the active links as `show_links` lists them."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from surveys.models import CollectionLink
    from surveys.selectors import loaded_questionnaire

    call_command("migrate", verbosity=0, interactive=False)
    out = io.StringIO()
    call_command("demo", no_user=True, stdout=out)
    say(out.getvalue().strip().splitlines()[-1])
    out = io.StringIO()
    call_command("show_links", stdout=out)
    links = []
    for line in out.getvalue().splitlines():
        service, questionnaire, _kind, path = line.split("\t")
        token = path.strip("/").split("/")[-1]
        questionnaire_id = CollectionLink.objects.get(token=token).questionnaire_id
        links.append(LinkInfo(service, questionnaire, token, loaded_questionnaire(questionnaire_id).definition))
    connections.close_all()  # PostgreSQL will restart under this process too
    return links


def _generate(links: list[LinkInfo], count: int, seed: int, services: int) -> list[Submission]:
    """`count` valid submissions spread round-robin over the patient and staff links of `services` services."""
    from tests.fuzzing import new_id, valid_answers

    chosen_services = []
    for link in links:
        codes = {other.questionnaire for other in links if other.service == link.service}
        if {"patient", "staff"} <= codes and link.service not in chosen_services:
            chosen_services.append(link.service)
    chosen_services = chosen_services[:services]
    if not chosen_services:
        raise SystemExit("durability: the demo has no service with both a patient and a staff link")
    targets = []
    for service in chosen_services:
        for questionnaire in ("patient", "staff"):
            targets.append(next(link for link in links if link.service == service and link.questionnaire == questionnaire))
    rng = random.Random(seed)
    submissions = []
    for index in range(count):
        link = targets[index % len(targets)]
        client_id = new_id(rng)
        answers = valid_answers(rng, link.definition)
        body = {"client_id": client_id, "answers": answers}
        raw = json.dumps(body, ensure_ascii=rng.random() < 0.5).encode("utf-8")
        has_text = any(question.kind == "text" and answers.get(question.code) for question in link.definition.questions)
        submissions.append(Submission(index, link.token, link.questionnaire, client_id, answers, raw, has_text))
    return submissions


def _count_responses() -> int:
    from django.db import connections

    from surveys.models import Response

    try:
        return Response.objects.count()
    finally:
        connections.close_all()


def _through_to_database(session: Session) -> bool:
    """Ready when a request goes through to the database: an unknown token answers 404."""
    return session.post_json("/api/v1/links/no-such-token/responses", b"{}").status == 404


def _pg_ready(cluster: tuple[str, str]) -> bool:
    port = _cluster_port(cluster)
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", port]).returncode == 0


def _cluster_port(cluster: tuple[str, str]) -> str:
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        parts = line.split()
        if parts[:2] == list(cluster):
            return parts[2]
    return "5432"


def _ensure_postgres(cluster: tuple[str, str] | None) -> None:
    """Leave PostgreSQL running, whatever happened."""
    if cluster is None or _pg_ready(cluster):
        return
    print("durability: PostgreSQL is not answering; starting it", file=sys.stderr)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster[0], cluster[1], "start"])
    for _ in range(60):
        if _pg_ready(cluster):
            return
        time.sleep(0.5)
    print("durability: PostgreSQL still does not answer; start it by hand", file=sys.stderr)


# --- the clients ----------------------------------------------------------------------


def _post(port: int, path: str, body: bytes, timeout: float):
    """One attempt, on a connection of its own."""
    session = Session("127.0.0.1", port, timeout=timeout)
    try:
        return session.post_json(path, body)
    finally:
        session.close()


def _start_clients(submissions, figures: Figures, port: int, clients: int, give_up: float) -> list[threading.Thread]:
    todo: queue.Queue = queue.Queue()
    for submission in submissions:
        todo.put(submission)

    def client() -> None:
        rng = random.Random()
        while True:
            try:
                submission = todo.get_nowait()
            except queue.Empty:
                return
            _send(submission, figures, port, give_up, rng)
            with figures.lock:
                figures.finished += 1
                figures.successes += submission.outcome in ("stored", "duplicate")

    threads = [threading.Thread(target=client, name=f"client-{n}", daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def _send(submission: Submission, figures: Figures, port: int, give_up: float, rng: random.Random) -> None:
    """Send one submission until it is stored, like the tablet's outbox: same client_id, same body."""
    path = f"/api/v1/links/{submission.token}/responses"
    deadline = time.monotonic() + give_up
    delay = 0.1
    while True:
        submission.attempts += 1
        retry_after = 0.0
        try:
            reply = _post(port, path, submission.body, REQUEST_TIMEOUT)
            status, headers, raw = reply.status, reply.headers, reply.body
            seen = str(status)
        except TimeoutError:
            status, seen = None, "timeout"
        except (OSError, http.client.HTTPException):
            status, seen = None, "connection error"
        with figures.lock:
            figures.attempts[seen] += 1
        if status in (200, 201):
            submission.outcome = "stored" if status == 201 else "duplicate"
            try:
                submission.reply_id = json.loads(raw)["id"]
            except (ValueError, KeyError, TypeError):
                submission.reply_id = None
            return
        if status is not None and status != 429 and status < 500:
            submission.outcome = f"refused with {status}: {raw[:200].decode('utf-8', 'replace')}"
            return
        if status is not None:
            try:
                retry_after = float(headers.get("retry-after", 0))
            except ValueError:
                retry_after = 0.0
        if time.monotonic() >= deadline:
            submission.outcome = f"gave up after {give_up:.0f} s (last: {seen})"
            return
        figures.retry(seen)
        # Exponential backoff with jitter, from 0.1 s to 2 s; Retry-After caps it at 5 s.
        wait = min(2.0, delay) * rng.uniform(0.5, 1.5)
        if retry_after:
            wait = max(wait, min(retry_after, 5.0) * rng.uniform(0.5, 1.0))
        time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
        delay *= 2


# --- the faults -----------------------------------------------------------------------


def _faults(args, figures: Figures, events: dict, cluster, server: Server, threads, started, say) -> None:
    """Restart PostgreSQL after `restart_at` successes, then kill a worker after `kill_at`."""
    last_progress = time.monotonic()

    def wait_for(count: int) -> bool:
        nonlocal last_progress
        while True:
            with figures.lock:
                successes, finished = figures.successes, figures.finished
            if successes >= count:
                return True
            if not any(thread.is_alive() for thread in threads):
                return False
            if time.monotonic() - last_progress >= 5:
                say(f"{finished}/{args.submissions} done, {successes} stored, {time.monotonic() - started:.0f} s")
                last_progress = time.monotonic()
            time.sleep(0.02)

    if wait_for(args.restart_at):
        with figures.lock:
            figures.phase = "PostgreSQL restart"
            events["restart_at"] = figures.successes
        say(f"restarting PostgreSQL at {events['restart_at']} stored")
        began = time.monotonic()
        restart = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster[0], cluster[1], "restart"],
            capture_output=True,
            text=True,
        )
        events["restart_seconds"] = time.monotonic() - began
        events["restart_ok"] = restart.returncode == 0
        if restart.returncode != 0:
            say(f"pg_ctlcluster restart failed ({restart.returncode}): {restart.stderr.strip()}")
        say(f"PostgreSQL back after {events['restart_seconds']:.1f} s")

    if wait_for(args.kill_at):
        before = server.worker_pids()
        if before:
            victim = random.choice(before)
            with figures.lock:
                figures.phase = "worker kill"
                events["kill_at"] = figures.successes
            os.kill(victim, signal.SIGKILL)
            events["killed"] = victim
            say(f"killed worker {victim} with SIGKILL at {events['kill_at']} stored")
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                now = server.worker_pids()
                if victim not in now and len(now) >= len(before):
                    events["respawned"] = sorted(set(now) - set(before))
                    break
                time.sleep(0.1)
        else:
            say("no gunicorn worker found to kill")
    wait_for(args.submissions + 1)  # progress lines until the clients are done


# --- the checks -----------------------------------------------------------------------


def _check_database(submissions: list[Submission], links: list[LinkInfo]) -> dict:
    """Read back what PostgreSQL holds for the submissions' client_ids and compare with what was sent."""
    import uuid

    from django.db import connections
    from django.db.models import Count

    from surveys.models import ChoiceAnswer, Response, TextAnswer
    from surveys.tallies import tallies_differences
    from surveys.validation import answers_digest, clean_answers

    definitions = {link.token: link.definition for link in links}
    ids = [uuid.UUID(s.client_id) for s in submissions]
    try:
        rows = list(Response.objects.filter(client_id__in=ids).values_list("id", "client_id", "link__token", "digest"))
        per_client = dict(
            Response.objects.filter(client_id__in=ids)
            .values_list("client_id")
            .annotate(n=Count("id"))
            .values_list("client_id", "n")
        )
        choices: dict = {}
        for response_id, question, option in ChoiceAnswer.objects.filter(response__client_id__in=ids).values_list(
            "response_id", "option__question__code", "option__code"
        ):
            choices.setdefault(response_id, set()).add((question, option))
        texts: dict = {}
        for response_id, question, text in TextAnswer.objects.filter(response__client_id__in=ids).values_list(
            "response_id", "question__code", "text"
        ):
            texts.setdefault(response_id, set()).add((question, text))
        releases = _check_releases(ids)
        # The dashboard's counts, kept in each submission's transaction, against a full recount.
        tally_differences = tallies_differences()
    finally:
        connections.close_all()

    by_client: dict = {}
    for response_id, client_id, token, digest in rows:
        by_client.setdefault(str(client_id), []).append((response_id, token, digest))

    partial = []
    unacknowledged = []
    for submission in submissions:
        stored = by_client.get(submission.client_id, [])
        definition = definitions[submission.token]
        want_choices, want_texts = _expected(submission.answers, definition)
        want_digest = answers_digest(clean_answers(definition, submission.answers))
        for response_id, token, digest in stored:
            got = (token, digest, choices.get(response_id, set()), texts.get(response_id, set()))
            if got != (submission.token, want_digest, want_choices, want_texts):
                partial.append(submission.index)
        if stored and submission.reply_id and submission.reply_id not in {str(r[0]) for r in stored}:
            unacknowledged.append(submission.index)
    return {
        "rows": len(rows),
        "distinct": len(by_client),
        "lost": sum(1 for s in submissions if s.client_id not in by_client),
        "duplicated": sum(1 for n in per_client.values() if n > 1),
        "partial": len(set(partial)),
        "partial_examples": sorted(set(partial))[:5],
        "reply_id_mismatch": len(unacknowledged),
        "tally_differences": len(tally_differences),
        **releases,
    }


def _check_releases(client_ids: list) -> dict:
    """How the submissions were released (surveys/releases.py): each queued once for
    everyone; no unit left with a full batch waiting; none released fewer than
    min_cell on one day (batches are min_cell or more, and a day's are summed)."""
    from django.conf import settings
    from django.db.models import Count, Q

    from surveys.models import Release, Response
    from surveys.tallies import EVERYONE

    min_cell = settings.PEERSURVEY_MIN_CELL
    queued = Count("releases", filter=Q(releases__among=EVERYONE))
    mine = Response.objects.filter(client_id__in=client_ids).annotate(queued=queued)
    unit = ("service_id", "questionnaire_id", "among")
    own = Release.objects.filter(pooled=False)
    waiting = own.filter(released_on__isnull=True).values(*unit).annotate(n=Count("id"))
    released = own.filter(released_on__isnull=False).values(*unit, "released_on").annotate(n=Count("id"))
    return {
        "not_queued_once": mine.exclude(queued=1).count(),
        "released": mine.filter(releases__among=EVERYONE, releases__released_on__isnull=False).count(),
        "full_batches_waiting": waiting.filter(n__gte=min_cell).count(),
        "small_releases": released.filter(n__lt=min_cell).count(),
    }


def _expected(answers: dict, definition) -> tuple[set, set]:
    """The (question, option) and (question, text) rows these answers must leave, from the definition alone."""
    kinds = {question.code: question.kind for question in definition.questions}
    choices, texts = set(), set()
    for code, value in answers.items():
        if value in (None, "", []):
            continue  # a skipped question stores nothing
        if kinds[code] == "text":
            texts.add((code, value))
        elif kinds[code] == "one":
            choices.add((code, value))
        else:
            choices.update((code, option) for option in value)
    return choices, texts


def _report(args, seed, cluster, submissions, figures: Figures, events, elapsed, check, log_text, log_path) -> int:
    sent = len(submissions)
    outcomes = Counter(s.outcome for s in submissions)
    failures = [s for s in submissions if s.outcome not in ("stored", "duplicate")]
    retried = Counter()
    for counter in figures.retried_by_phase.values():
        retried.update(counter)
    tracebacks = log_text.count("Traceback")
    links_used = len({s.token for s in submissions})

    def causes(counter: Counter) -> str:
        """E.g. "503 20, connection errors 1": reply statuses first, then errors without a reply."""
        named = {"connection error": "connection errors", "timeout": "timeouts"}
        order = sorted(counter, key=lambda k: (not k.isdigit(), k))
        return ", ".join(f"{named.get(k, k)} {counter[k]}" for k in order if counter[k]) or "none"

    def phase(name: str) -> str:
        counter = figures.retried_by_phase.get(name, Counter())
        total = sum(counter.values())
        return f"{total} {'retry' if total == 1 else 'retries'}" + (f" ({causes(counter)})" if total else "")

    restart = (
        f"PostgreSQL restarted at {events['restart_at']} stored (back in {events['restart_seconds']:.1f} s"
        f"{'' if events.get('restart_ok') else ', pg_ctlcluster FAILED'}): {phase('PostgreSQL restart')}"
        if "restart_at" in events
        else "PostgreSQL NOT restarted"
    )
    if "killed" in events:
        respawned = ", ".join(map(str, events.get("respawned", []))) or "NOT respawned"
        kill = (
            f"worker {events['killed']} SIGKILLed at {events['kill_at']} stored (respawned: {respawned}): {phase('worker kill')}"
        )
    else:
        kill = "no worker killed"
    checks = [
        ("stored", check["rows"], sent, check["rows"] == sent),
        ("lost", check["lost"], 0, check["lost"] == 0),
        ("duplicated", check["duplicated"], 0, check["duplicated"] == 0 and check["rows"] == check["distinct"]),
        ("partial", check["partial"], 0, check["partial"] == 0),
        ("refused (400/409) or gave up", len(failures), 0, not failures),
        ("stray rows", check["stray"], 0, check["stray"] == 0),
        ("acknowledged id not stored", check["reply_id_mismatch"], 0, check["reply_id_mismatch"] == 0),
        ("not queued for release once", check["not_queued_once"], 0, check["not_queued_once"] == 0),
        ("full batches left waiting", check["full_batches_waiting"], 0, check["full_batches_waiting"] == 0),
        ("released fewer than min_cell", check["small_releases"], 0, check["small_releases"] == 0),
        ("tallies unlike a recount", check["tally_differences"], 0, check["tally_differences"] == 0),
        ("PostgreSQL restarted", "yes" if events.get("restart_ok") else "no", "yes", bool(events.get("restart_ok"))),
        ("worker killed, respawned", "yes" if events.get("respawned") else "no", "yes", bool(events.get("respawned"))),
    ]
    ok = all(passed for *_, passed in checks)

    print(
        f"durability: PostgreSQL {cluster[0]}/{cluster[1]}, gunicorn {args.workers} workers, {args.clients} clients, "
        f"{links_used} links in {links_used // 2} services, seed {seed}"
    )
    print(
        f"sent {sent}  stored {check['rows']}  lost {check['lost']}  duplicated {check['duplicated']}  "
        f"partial {check['partial']}  retries {sum(retried.values())} ({causes(retried)})  elapsed {elapsed:.1f} s"
    )
    print(f"  released to the figures {check['released']} of {check['rows']} (the rest wait for their batch)")
    print(f"  {restart}")
    print(f"  {kill}")
    print(f"  before either fault: {phase('before any fault')}")
    print(
        f"  replies that ended a submission: 201 {outcomes['stored']}, 200 duplicate {outcomes['duplicate']} "
        "(stored by an attempt whose reply was lost)"
    )
    print(
        f"  submissions with free text {sum(s.has_text for s in submissions)}, sent more than once "
        f"{sum(1 for s in submissions if s.attempts > 1)}, most attempts for one {max(s.attempts for s in submissions)}, "
        f"tracebacks in the gunicorn log {tracebacks}"
    )
    print(f"{'check':<30}{'got':>8}{'want':>8}")
    for name, got, want, passed in checks:
        print(f"{name:<30}{got!s:>8}{want!s:>8}  {'PASS' if passed else 'FAIL'}")
    for s in failures[:5]:
        print(f"  failed #{s.index} ({s.questionnaire}): {s.outcome}")
    if check["partial_examples"]:
        print(f"  partial: submissions {check['partial_examples']}")
    if not ok or tracebacks:
        print(f"gunicorn log: {log_path}")
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
