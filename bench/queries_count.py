"""SQL queries per dashboard read (data.json's cases, the wave reads) and per API submission, counted in process.

bench/run.py runs this with DJANGO_SETTINGS_MODULE=bench.settings and the bench
database's DATABASE_URL:

    python -m bench.queries_count --user benchlead --service B01 --link TOKEN --out counts.json [--verbose]

Each request runs once untimed first, so per-process caches (questionnaire
definitions) are warm and the count is the steady state.

A submission's queries depend on whether it completes a batch of min_cell
(surveys/releases.py): of `BATCH` submissions in a row to one link exactly one
releases a batch. Both kinds are reported, and the mean over the `BATCH`
(in the JSON written by --out, under "submissions").
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid

import django

BATCH = 5  # PEERSURVEY_MIN_CELL, as bench/run.py sets it
QUEUED = "API submission (queued)"
RELEASING = "API submission (releases a batch)"


def _captured(call, expect: int) -> tuple[list[str], object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = call()
    if response.status_code != expect:
        raise SystemExit(f"queries_count: expected {expect}, got {response.status_code}: {response.content[:300]!r}")
    return [query["sql"] for query in captured.captured_queries], response


def count_queries(username: str, biggest_service: str, token: str) -> tuple[dict[str, list[str]], list[int]]:
    """{label: [sql, ...]} for data.json's cases, the wave reads (bench/reads.py
    `wave_cases`) and both kinds of submission; and the query counts of `BATCH`
    submissions in a row."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from surveys.models import Release
    from surveys.tallies import EVERYONE

    from .generate import questionnaire_rows, wave_codes
    from .reads import ENDPOINTS, cases, wave_cases
    from .submit import answers_for, api_path

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    queries = {}
    for case, query in cases(biggest_service).items():
        path = ENDPOINTS["data.json"] + query
        client.get(path)
        queries[f"data.json {case}"], _ = _captured(lambda path=path: client.get(path), 200)
    waves = wave_codes(connection)
    for label, path in wave_cases(biggest_service, waves[-1], waves[-2]).items():
        client.get(path)
        queries[label], _ = _captured(lambda path=path: client.get(path), 200)

    rng = random.Random(7)
    patient = [question for question in questionnaire_rows(connection) if question.group == "patient"]

    tablet = Client(HTTP_HOST="127.0.0.1")  # a tablet has no dashboard session

    def submit():
        body = {"client_id": str(uuid.uuid4()), "answers": answers_for(patient, rng)}
        return tablet.post(api_path(token), json.dumps(body), content_type="application/json")

    submit()
    counts, kinds = [], {}
    for _ in range(BATCH):
        sqls, response = _captured(submit, 201)
        counts.append(len(sqls))
        released = Release.objects.filter(response_id=response.json()["id"], among=EVERYONE, released_on__isnull=False)
        kinds.setdefault(RELEASING if released.exists() else QUEUED, []).append(sqls)
    if len(kinds.get(RELEASING, [])) != 1:
        raise SystemExit(f"queries_count: {BATCH} submissions in a row should release exactly one batch, not {kinds.keys()}")
    return {**queries, QUEUED: kinds[QUEUED][0], RELEASING: kinds[RELEASING][0]}, counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", required=True)
    parser.add_argument("--service", required=True, help="The biggest service's code (the 'service' case).")
    parser.add_argument("--link", required=True, help="A patient link's token for the API submission.")
    parser.add_argument("--out", help="Write {label: [sql, ...]} here as JSON.")
    parser.add_argument("--verbose", action="store_true", help="Print every query's SQL.")
    args = parser.parse_args(argv)
    django.setup()
    queries, submissions = count_queries(args.user, args.service, args.link)
    for label, sqls in queries.items():
        print(f"  {label}: {len(sqls)} queries")
        if args.verbose:
            for number, sql in enumerate(sqls, start=1):
                print(f"    {number:2d}. {sql}")
    print(f"  {BATCH} API submissions in a row: {submissions} queries")
    if args.out:
        with open(args.out, "w") as handle:
            json.dump({"queries": queries, "submissions": submissions}, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
