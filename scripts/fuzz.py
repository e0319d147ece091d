#!/usr/bin/env python
"""Fuzz the JSON submission API: hostile bodies must never 500 or store anything,
valid ones must all be stored exactly as sent, and released to tallies that a full
recount agrees with.

    scripts/fuzz.py --hostile 10000 --valid 1000 --seed 7

Uses a throwaway SQLite database in a temporary directory, or, when DATABASE_URL
is set, a throwaway test database beside it (Django's `test_<name>`, dropped at the
end). The rate limit counts in files in a temporary directory (PEERSURVEY_CACHE_DIR).
Prints a table and exits non-zero if any target fails. The generators live in
tests/fuzzing.py, which the suite also runs (tests/surveys/test_fuzz_small.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hostile", type=int, default=10000, help="hostile submissions to send (default 10000)")
    parser.add_argument("--valid", type=int, default=1000, help="valid submissions to send (default 1000)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="KIND",
        help="leave out a hostile generator (tests/fuzzing.py h_KIND), e.g. a known bug; repeatable",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "peersurvey.settings"
    # This run's own key: without DEBUG the settings refuse to start with none (peersurvey/settings.py).
    os.environ.setdefault("SECRET_KEY", os.urandom(32).hex())
    # The fuzzer sends thousands a minute through one link; the rate limit is not under test.
    os.environ["PEERSURVEY_LINK_RATE_LIMIT"] = str(10**9)
    cache_dir = tempfile.mkdtemp(prefix="peersurvey-fuzz-cache-")
    os.environ["PEERSURVEY_CACHE_DIR"] = cache_dir
    tmpdir = None
    if not os.environ.get("DATABASE_URL"):
        tmpdir = tempfile.mkdtemp(prefix="peersurvey-fuzz-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/fuzz.sqlite3"

    try:
        import django
    except ModuleNotFoundError:
        # Run as ./scripts/fuzz.py outside the venv: start again with the project's own Python.
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable).resolve() != venv_python.resolve():
            os.execv(str(venv_python), [str(venv_python), __file__, *(argv if argv is not None else sys.argv[1:])])
        raise

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host (testserver) in
    settings.PEERSURVEY_LINK_RATE_LIMIT = 10**9
    # Every 4xx would log a warning; the first few 5xx still log, with their traceback.
    request_log = logging.getLogger("django.request")
    request_log.setLevel(logging.ERROR)
    shown = iter(range(3))
    request_log.addFilter(lambda record: next(shown, None) is not None)

    real_name = None
    try:
        if tmpdir is None:
            # Never the database DATABASE_URL names: a fresh test_<name> beside it.
            real_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        else:
            call_command("migrate", verbosity=0)
        engine = connection.vendor
        from surveys.selectors import clear_questionnaire_cache, latest_loaded
        from surveys.services import link_create, link_revoke, service_upsert
        from surveys.tallies import tallies_differences
        from tests.fuzzing import Link, run_fuzz

        clear_questionnaire_cache()
        service, _ = service_upsert(code="FZ", name="Fuzz service", security="low")
        staff = link_create(service=service, group="staff")
        patient = link_create(service=service, group="patient", kiosk=True)
        revoked = link_create(service=service, group="patient")
        link_revoke(token=revoked.token)
        links = [
            Link(staff.token, latest_loaded("staff").definition),
            Link(patient.token, latest_loaded("patient").definition),
        ]
        started = time.monotonic()

        def progress(done, total):
            if not args.quiet and (done % 500 == 0 or done == total):
                print(f"\r{done}/{total} sent, {time.monotonic() - started:.0f} s", end="", file=sys.stderr, flush=True)

        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        report = run_fuzz(
            client,
            links,
            hostile=args.hostile,
            valid=args.valid,
            seed=seed,
            revoked_token=revoked.token,
            skip_kinds=tuple(args.skip),
            progress=progress,
        )
        if not args.quiet:
            print(file=sys.stderr)
        skipped = f", skipped {', '.join(args.skip)}" if args.skip else ""
        print(f"fuzz: database {engine}, seed {seed}, {time.monotonic() - started:.0f} s{skipped}")
        print(report.table())
        # Valid submissions were released in batches (surveys/releases.py) into the tallies.
        differences = tallies_differences()
        print(f"tallies unlike a full recount: {len(differences)}" + "".join(f"\n  {d}" for d in differences))
        ok = report.ok and not differences
        print("RESULT:", "PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        connection.close()
        if real_name is not None:
            connection.creation.destroy_test_db(real_name, verbosity=0)
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
