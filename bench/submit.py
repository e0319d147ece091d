"""Submission throughput: the JSON API against a bare insert of the same rows.

Every body has a new random (version 4) client_id, as a tablet makes one: the
API refuses any other version. Through the API, every fifth submission to a
service and questionnaire releases a batch (surveys/releases.py); the bare
insert queues and releases nothing.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from .generate import QuestionRow
from .web import Session

SKIP_SHARE = 0.1
TEXT_SHARE = 0.1
WARMUP = 16


@dataclass(frozen=True)
class Throughput:
    endpoint: str
    requests: int
    threads: int
    seconds: float
    statuses: dict[int | str, int]

    @property
    def per_second(self) -> float:
        return self.statuses.get(201, 0) / self.seconds


def answers_for(questions: list[QuestionRow], rng: random.Random) -> dict:
    """A valid, varied set of answers: one option, one or more options, a skip, some text."""
    answers: dict[str, object] = {}
    for question in questions:
        codes = [code for _, code in question.options]
        if rng.random() < SKIP_SHARE:
            continue
        if question.kind == "one":
            answers[question.code] = rng.choice(codes)
        elif question.kind == "many":
            answers[question.code] = rng.sample(codes, rng.randint(1, min(3, len(codes))))
        elif question.code == "comments" and rng.random() < TEXT_SHARE:
            answers[question.code] = "Peer support helped me settle in."
    return answers or {"useful": "yes"}


def jobs(links: list[tuple[str, str, str]], questions: list[QuestionRow], count: int, path, seed: int) -> list[tuple[str, bytes]]:
    """`count` (path, body) pairs spread over the links, each with a new client_id."""
    rng = random.Random(seed)
    by_group = {i: [q for q in questions if q.group == i] for i in {q.group for q in questions}}
    pairs = []
    for index in range(count):
        _, group, token = links[index % len(links)]
        body = {"client_id": str(uuid.uuid4()), "answers": answers_for(by_group[group], rng)}
        pairs.append((path(token), json.dumps(body).encode()))
    return pairs


def api_path(token: str) -> str:
    return f"/api/v1/links/{token}/responses"


def insert_path(token: str) -> str:
    return f"/bench/insert?link={token}"


def _post_all(port: int, work: list[tuple[str, bytes]], statuses: Counter, start: threading.Barrier) -> None:
    session = Session("127.0.0.1", port)
    start.wait()
    for path, body in work:
        try:
            statuses[session.post_json(path, body).status] += 1
        except (OSError, http.client.HTTPException) as exc:
            statuses[type(exc).__name__] += 1
            session.close()
    session.close()


def post_concurrently(endpoint: str, port: int, work: list[tuple[str, bytes]], threads: int) -> Throughput:
    """POST everything from `threads` clients at once; wall time from the common start."""
    counters = [Counter() for _ in range(threads)]
    start = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=_post_all, args=(port, work[i::threads], counters[i], start)) for i in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    return Throughput(endpoint, len(work), threads, seconds, dict(sum(counters, Counter())))


def measure_submissions(port, links, questions, count: int, threads: int) -> list[Throughput]:
    results = []
    for seed, (endpoint, path) in enumerate((("API", api_path), ("bare insert", insert_path))):
        post_concurrently(endpoint, port, jobs(links, questions, WARMUP, path, seed=100 + seed), threads)
        results.append(post_concurrently(endpoint, port, jobs(links, questions, count, path, seed=seed), threads))
    return results
