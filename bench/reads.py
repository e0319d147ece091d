"""data.json against its baselines: fixed JSON and one raw SQL statement over the released answers."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .web import Reply, Session, Timing, timing

ENDPOINTS = {"data.json": "/dashboard/data.json", "raw SQL": "/bench/raw.json"}
FIXED = "/bench/fixed.json"
WARMUP = 2
# A cell stops early once it has spent this long and has MIN_SAMPLES timings,
# so raw SQL at 10^6 (seconds a request) does not take half an hour.
BUDGET_SECONDS = 120
MIN_SAMPLES = 5


def cases(biggest_service: str) -> dict[str, str]:
    return {"none": "", "service": f"?service={biggest_service}", "gender": "?gender=female"}


@dataclass(frozen=True)
class ReadTiming:
    n: int
    case: str
    data_json: Timing
    raw_sql: Timing
    fixed: Timing

    @property
    def over_raw(self) -> float:
        return self.data_json.median_ms / self.raw_sql.median_ms

    @property
    def over_fixed(self) -> float:
        return self.data_json.median_ms / self.fixed.median_ms


def _checked(reply: Reply, path: str) -> Reply:
    if reply.status != 200:
        raise RuntimeError(f"GET {path} answered {reply.status}: {reply.text[:300]}")
    try:
        reply.json()
    except ValueError:
        raise RuntimeError(f"GET {path} did not answer JSON: {reply.text[:300]}") from None
    return reply


def time_get(session: Session, path: str, repeat: int) -> tuple[Timing, Reply]:
    """Warm up, then time `repeat` GETs (fewer past the budget); also returns the last reply."""
    for _ in range(WARMUP):
        _checked(session.get(path), path)
    replies = []
    started = time.perf_counter()
    while len(replies) < repeat:
        replies.append(_checked(session.get(path), path))
        if len(replies) >= MIN_SAMPLES and time.perf_counter() - started > BUDGET_SECONDS:
            break
    return timing([reply.seconds for reply in replies]), replies[-1]


def differences(data: dict, raw: dict, *, sliced: bool = False) -> list[str]:
    """Where data.json disagrees with the raw statement over the released answers.

    A group's n is exact: shown, it must equal the raw count; withheld, the raw
    count must be under min_cell (or, `sliced` by an about-you filter, the slice's
    complement may be what withholds it). An option count is perturbed: it may
    differ from the raw count by up to the disclosure block's max_noise.
    """
    found = []
    noise = data["disclosure"]["max_noise"]
    for group, summary in data["groups"].items():
        n = raw["groups"].get(group, 0)
        if summary["n"] is None:
            if n >= data["min_cell"] and not sliced:
                found.append(f"{group} n: data.json withheld, raw SQL {n}")
        elif summary["n"] != n:
            found.append(f"{group} n: data.json {summary['n']}, raw SQL {n}")
    counts = {(group, question, option): n for group, question, option, n in raw["options"]}
    for question in data["questions"]:
        for option in question["options"]:
            for group in data["groups"]:
                cell = option.get(group)
                expected = counts.get((group, question["code"], option["code"]), 0)
                if cell and cell["count"] is not None and abs(cell["count"] - expected) > noise:
                    found.append(f"{group} {question['code']}={option['code']}: data.json {cell['count']}, raw SQL {expected}")
    return found


def measure_reads(session: Session, n: int, biggest_service: str, repeat: int, warn=print) -> list[ReadTiming]:
    fixed, _ = time_get(session, FIXED, repeat)
    results = []
    for case, query in cases(biggest_service).items():
        data_timing, data_reply = time_get(session, ENDPOINTS["data.json"] + query, repeat)
        raw_timing, raw_reply = time_get(session, ENDPOINTS["raw SQL"] + query, repeat)
        for problem in differences(data_reply.json(), raw_reply.json(), sliced=case == "gender")[:5]:
            warn(f"  WARNING N={n} {case}: {problem}")
        results.append(ReadTiming(n, case, data_timing, raw_timing, fixed))
    return results
