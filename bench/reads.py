"""data.json against its baselines (fixed JSON and one raw SQL statement over the
released answers), then the wave reads: data.json with a comparison, trends.json
and services.json, each checked against the raw statement too."""

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


# The question the trends and services cases follow ("Yes": their default answer).
TREND_QUESTION = "useful"


def wave_cases(biggest_service: str, latest_wave: str, previous_wave: str) -> dict[str, str]:
    """The reads that came with waves, by label: the path of each."""
    return {
        "data.json service, compare=national": f"/dashboard/data.json?service={biggest_service}&compare=national",
        "data.json wave, compare=previous wave": f"/dashboard/data.json?wave={latest_wave}&compare=wave:{previous_wave}",
        "trends.json by quarter": f"/dashboard/trends.json?question={TREND_QUESTION}&by=quarter",
        "trends.json by wave": f"/dashboard/trends.json?question={TREND_QUESTION}&by=wave",
        "services.json": f"/dashboard/services.json?question={TREND_QUESTION}",
    }


@dataclass(frozen=True)
class ReadTiming:
    n: int
    case: str
    data_json: Timing
    raw_sql: Timing
    fixed: Timing
    query: str = ""

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


def measure_reads(
    session: Session, n: int, biggest_service: str, repeat: int, warn=print, raws: dict[str, dict] | None = None
) -> list[ReadTiming]:
    """Time data.json and its baselines per case; `raws` collects raw.json's answers by query."""
    fixed, _ = time_get(session, FIXED, repeat)
    results = []
    for case, query in cases(biggest_service).items():
        data_timing, data_reply = time_get(session, ENDPOINTS["data.json"] + query, repeat)
        raw_timing, raw_reply = time_get(session, ENDPOINTS["raw SQL"] + query, repeat)
        for problem in differences(data_reply.json(), raw_reply.json(), sliced=case == "gender")[:5]:
            warn(f"  WARNING N={n} {case}: {problem}")
        if raws is not None:
            raws[query] = raw_reply.json()
        results.append(ReadTiming(n, case, data_timing, raw_timing, fixed, query))
    return results


# --- the wave reads ---------------------------------------------------------------


@dataclass(frozen=True)
class EndpointTiming:
    n: int
    case: str
    path: str
    timing: Timing


def _group_n_differences(label: str, shown: dict, raw: dict) -> list[str]:
    """Group sizes: shown (not None) must equal the raw count exactly."""
    return [
        f"{label} {group} n: {summary['n']}, raw SQL {raw['groups'].get(group, 0)}"
        for group, summary in shown.items()
        if summary["n"] is not None and summary["n"] != raw["groups"].get(group, 0)
    ]


def _cell_differences(label: str, cell: dict | None, raw: dict, group: str, option: str, noise: int) -> list[str]:
    """One trend or services cell {n, count, ...}: n exact, count within the noise."""
    if not cell or cell["n"] is None:
        return []
    found = []
    n = raw["groups"].get(group, 0)
    if cell["n"] != n:
        found.append(f"{label} {group} n: {cell['n']}, raw SQL {n}")
    expected = {(g, q, o): c for g, q, o, c in raw["options"]}.get((group, TREND_QUESTION, option), 0)
    if abs(cell["count"] - expected) > noise:
        found.append(f"{label} {group} {TREND_QUESTION}={option}: {cell['count']}, raw SQL {expected}")
    return found


def wave_read_differences(case: str, data: dict, raw, *, service: str, latest: str, previous: str) -> list[str]:
    """Where a wave read disagrees with the raw statement; `raw(query)` answers raw.json."""
    if case == "data.json service, compare=national":
        return differences(data, raw(f"?service={service}")) + _group_n_differences("compare", data["compare"]["groups"], raw(""))
    if case == "data.json wave, compare=previous wave":
        found = differences(data, raw(f"?wave={latest}"))
        return found + _group_n_differences("compare", data["compare"]["groups"], raw(f"?wave={previous}"))
    noise = data["disclosure"]["max_noise"]
    option = data["option"]
    found = []
    if case == "trends.json by wave":
        for point in data["series"]:
            for group in ("patient", "staff"):
                found += _cell_differences(point["period"], point[group], raw(f"?wave={point['period']}"), group, option, noise)
    elif case == "trends.json by quarter":
        whole = raw("")
        for group in ("patient", "staff"):
            cells = [point[group] for point in data["series"] if point[group] is not None]
            if cells and all(cell["n"] is not None for cell in cells):
                total = {"n": sum(cell["n"] for cell in cells), "count": sum(cell["count"] for cell in cells)}
                found += _cell_differences("all quarters", total, whole, group, option, noise * len(cells))
    elif case == "services.json":
        for row in data["services"]:
            if row["service"] == service:
                for group in ("patient", "staff"):
                    found += _cell_differences(service, row[group], raw(f"?service={service}"), group, option, noise)
        for group in ("patient", "staff"):
            found += _cell_differences("national", data["national"][group], raw(""), group, option, noise)
    return found


def measure_wave_reads(
    session: Session,
    n: int,
    biggest_service: str,
    waves: list[str],
    repeat: int,
    warn=print,
    raws: dict[str, dict] | None = None,
) -> list[EndpointTiming]:
    """Time each wave read through gunicorn, then check its last answer against
    raw.json (untimed; `raws` holds raw answers already fetched, by query)."""
    raws = {} if raws is None else raws
    latest, previous = waves[-1], waves[-2]

    def raw(query: str) -> dict:
        if query not in raws:
            raws[query] = _checked(session.get(ENDPOINTS["raw SQL"] + query), query).json()
        return raws[query]

    results = []
    for case, path in wave_cases(biggest_service, latest, previous).items():
        took, reply = time_get(session, path, repeat)
        checked = wave_read_differences(case, reply.json(), raw, service=biggest_service, latest=latest, previous=previous)
        for problem in checked[:5]:
            warn(f"  WARNING N={n} {case}: {problem}")
        results.append(EndpointTiming(n, case, path, took))
    return results
