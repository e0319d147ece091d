"""Synthetic services, links and responses, written set-based inside PostgreSQL.

Python only decides how many responses each service gets and the odds of
each option; PostgreSQL draws every random value (generate_series, random())
and inserts a chunk of responses with a handful of INSERT ... SELECT
statements, so memory stays flat whatever N is and nothing passes through the
ORM. The questions and options are the real rows loaded by `migrate`.

Every response gets a random record key (the cell-key method's) and the wave
(collection round) open on its date: `create_waves` cuts the year of dates into
WAVE_COUNT consecutive waves, the last still open. Then a
release: `release` recomputes the `surveys_release` rows of all responses, set-based,
as if they had come in in date order (bench/statements.py), so that
`manage.py rebuild_tallies` counts what the live write path would have counted.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import psycopg2
from psycopg2.extras import execute_values

from .statements import (
    COPY_RESPONSES_SQL,
    DENOMINATORS_SQL,
    LAST_NUMBER_SQL,
    MANY_CHOICES_SQL,
    NEW_RESPONSES_SQL,
    ONE_CHOICES_SQL,
    RELEASE_EVERYONE_SQL,
    RELEASE_SLICES_SQL,
    RELEASED_SQL,
    SERVICES_SQL,
    SESSION_SQL,
    TEXTS_SQL,
    WAVE_SIZES_SQL,
    WAVES_SQL,
)

SERVICE_COUNT = 30
# Fixed sizes under the suppression threshold (5), whatever N is.
TINY_SIZES = {"B27": 4, "B28": 3, "B29": 2, "B30": 1}
# A few big services and a long tail, as in the 2014 survey.
ZIPF_EXPONENT = 1.1
SECURITY_CYCLE = ("high", "medium", "medium", "low", "low", "medium")
SPECIALISMS = {
    "B02": ["women"],
    "B04": ["learning_disability", "autism"],
    "B07": ["personality_disorder"],
    "B09": ["deaf"],
    "B11": ["brain_injury"],
    "B13": ["adolescent"],
    "B16": ["older_adults"],
    "B20": ["women", "personality_disorder"],
}

PATIENT_SHARE = 0.8
PAPER_SHARE = 0.03
SKIP_SHARE = 0.08
DAYS = 365
# Pick-one odds by option code where the real spread matters for a filter
# (secure services are mostly men); elsewhere earlier options are likelier.
ONE_WEIGHTS = {"gender": {"female": 22, "male": 70, "non_binary": 3, "self_describe": 2, "prefer_not": 3}}
MANY_FIRST, MANY_DECAY = 0.4, 0.85
TEXT_SHARES = {"comments": 0.05, "useful_why": 0.03}
PHRASES = [
    "Having someone who has been through it helps.",
    "More time together on the ward, please.",
    "Staff are not always sure what peer support is.",
    "It would help most in the first weeks.",
]
CHUNK = 50_000
# surveys.models.RECORD_KEYS: record keys are drawn from 0 .. RECORD_KEYS - 1.
RECORD_KEYS = 1 << 16
# PEERSURVEY_MIN_CELL, which bench/run.py sets to this for the app too.
MIN_CELL = 5
# Collection rounds: the year of dates cut in WAVE_COUNT waves of WAVE_DAYS days
# ("bench-1" oldest), the last open WAVE_AHEAD days past today.
WAVE_COUNT = 3
WAVE_DAYS = -(-DAYS // WAVE_COUNT)
WAVE_AHEAD = 30
WAVE_PREFIX = "bench-"
# A service's patients (and staff) in a wave: twice its responses, plus this.
DENOMINATOR_EXTRA = 5
# surveys.codes.ABOUT_FILTERS: the about-you questions whose options are slices.
ABOUT_QUESTIONS = ("gender", "age_band", "ethnicity", "time_in_service", "time_in_secure")


def service_code(rank: int) -> str:
    return f"B{rank:02d}"


@dataclass(frozen=True)
class QuestionRow:
    group: str
    questionnaire_id: int
    question_id: int
    code: str
    kind: str
    options: tuple[tuple[int, str], ...]


class Segment(NamedTuple):
    service_id: int
    patient_link: int
    staff_link: int
    first_number: int
    n: int


@dataclass(frozen=True)
class Released:
    """The releases after a step: responses released and waiting (everyone), slice rows."""

    released: int
    waiting: int
    slice_rows: int
    slices_released: int
    seconds: float
    # (wave code, responses, released), oldest wave first; responses outside every wave.
    waves: tuple[tuple[str, int, int], ...] = ()
    unwaved: int = 0


@dataclass(frozen=True)
class Growth:
    target: int
    added: int
    choices: int
    texts: int
    seconds: float
    releases: Released


def connect(url: str):
    return psycopg2.connect(url)


# --- pure planning ------------------------------------------------------------


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), exactly.

    >>> allocate(10, [3, 1, 1])
    [6, 2, 2]
    >>> sum(allocate(1001, [1 / r for r in range(1, 27)]))
    1001
    """
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def service_sizes(total: int) -> dict[str, int]:
    """How many responses each service holds when there are `total` in all.

    >>> sizes = service_sizes(1000)
    >>> sum(sizes.values()), sizes["B01"] > sizes["B02"] > sizes["B26"] > 5, sizes["B30"]
    (1000, True, 1)
    """
    big = [service_code(rank) for rank in range(1, SERVICE_COUNT - len(TINY_SIZES) + 1)]
    rest = max(0, total - sum(TINY_SIZES.values()))
    sizes = dict(zip(big, allocate(rest, [1 / rank**ZIPF_EXPONENT for rank in range(1, len(big) + 1)]), strict=True))
    return {**sizes, **TINY_SIZES}


def batches(segments: list[Segment], size: int) -> Iterator[list[Segment]]:
    """Cut segments into batches of at most `size` responses, numbers kept contiguous.

    >>> [[s.first_number for s in b] for b in batches([Segment(1, 0, 0, 1, 5), Segment(2, 0, 0, 9, 2)], 3)]
    [[1], [4, 9], [10]]
    """
    batch: list[Segment] = []
    room = size
    for segment in segments:
        first, left = segment.first_number, segment.n
        while left:
            take = min(left, room)
            batch.append(segment._replace(first_number=first, n=take))
            first, left, room = first + take, left - take, room - take
            if room == 0:
                yield batch
                batch, room = [], size
    if batch:
        yield batch


def option_odds(question: QuestionRow) -> list[tuple[int, float, float, float]]:
    """(option id, lo, hi, p): a pick-one draw u chooses the option with lo <= u < hi;
    a pick-any question chooses each option with probability p."""
    if question.kind == "many":
        return [(pk, 0.0, 0.0, MANY_FIRST * MANY_DECAY**i) for i, (pk, _) in enumerate(question.options)]
    named = ONE_WEIGHTS.get(question.code, {})
    weights = [named.get(code, 1 / (i + 1) ** 0.8) for i, (_, code) in enumerate(question.options)]
    whole, lo, rows = sum(weights), 0.0, []
    for (pk, _), weight in zip(question.options, weights, strict=True):
        hi = lo + weight / whole
        rows.append((pk, lo, hi, 0.0))
        lo = hi
    rows[-1] = (*rows[-1][:2], 1.0, 0.0)
    return rows


# --- services and links ---------------------------------------------------------


def questionnaire_rows(conn) -> list[QuestionRow]:
    """The latest patient and staff questionnaires' questions and options, as stored
    (without the exclusive "none" options)."""
    with conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT qn.code, qn.id, q.id, q.code, q.kind,
                   coalesce(array_agg(o.id ORDER BY o.position) FILTER (WHERE o.id IS NOT NULL), '{}'),
                   coalesce(array_agg(o.code ORDER BY o.position) FILTER (WHERE o.id IS NOT NULL), '{}')
            FROM surveys_questionnaire qn
            JOIN surveys_question q ON q.questionnaire_id = qn.id
            -- "None of these" options are left out: a draw would pair them with others.
            LEFT JOIN surveys_option o ON o.question_id = q.id AND NOT o.exclusive
            WHERE qn.version = (SELECT max(version) FROM surveys_questionnaire x WHERE x.code = qn.code)
            GROUP BY qn.code, qn.id, q.id, q.code, q.kind, q.position
            ORDER BY qn.code, q.position
            """
        )
        return [
            QuestionRow(group, qn_id, q_id, code, kind, tuple(zip(option_ids, option_codes, strict=True)))
            for group, qn_id, q_id, code, kind, option_ids, option_codes in cursor.fetchall()
        ]


def create_services(conn) -> None:
    """Thirty services B01..B30, with a patient kiosk link and a staff web link each."""
    rows = [
        (service_code(rank), f"Bench service {rank}", "Bench trust", SECURITY_CYCLE[rank % len(SECURITY_CYCLE)], 0, "")
        for rank in range(1, SERVICE_COUNT + 1)
    ]
    with conn, conn.cursor() as cursor:
        ids = dict(
            execute_values(
                cursor,
                "INSERT INTO surveys_service (code, name, provider, security, last_number, support) VALUES %s RETURNING code, id",
                rows,
                fetch=True,
            )
        )
        specialisms = [(ids[code], name) for code, names in SPECIALISMS.items() for name in names]
        execute_values(cursor, "INSERT INTO surveys_servicespecialism (service_id, specialism) VALUES %s", specialisms)
        cursor.execute(
            "SELECT code, id FROM surveys_questionnaire WHERE version = (SELECT max(version) FROM surveys_questionnaire x WHERE x.code = surveys_questionnaire.code)"
        )
        questionnaires = dict(cursor.fetchall())
        links = [
            (secrets.token_urlsafe(16), kiosk, 120, 45, label, questionnaires[group], service_id)
            for service_id in ids.values()
            for group, kiosk, label in (("patient", True, "Ward tablet"), ("staff", False, "Staff link"))
        ]
        execute_values(
            cursor,
            """INSERT INTO surveys_collectionlink
                   (token, kiosk, idle_seconds, thanks_seconds, label, created_on, questionnaire_id, service_id)
            VALUES %s""",
            links,
            template="(%s, %s, %s, %s, %s, current_date, %s, %s)",
        )


def create_waves(conn) -> None:
    """WAVE_COUNT consecutive waves over the generated dates, the last still open."""
    params = {"prefix": WAVE_PREFIX, "days": DAYS, "span": WAVE_DAYS, "count": WAVE_COUNT, "ahead": WAVE_AHEAD}
    with conn, conn.cursor() as cursor:
        cursor.execute(WAVES_SQL, params)


def wave_codes(conn) -> list[str]:
    """Every wave's code, oldest first (the app's order: opens, then code)."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT code FROM surveys_wave ORDER BY opens, code")
        return [code for (code,) in cursor.fetchall()]


def links(conn) -> list[tuple[str, str, str]]:
    """(service code, group, token) of every active link, biggest services first."""
    with conn.cursor() as cursor:
        cursor.execute(
            """SELECT s.code, qn.code, l.token FROM surveys_collectionlink l
            JOIN surveys_service s ON s.id = l.service_id JOIN surveys_questionnaire qn ON qn.id = l.questionnaire_id
            WHERE l.revoked_on IS NULL ORDER BY s.code, qn.code, l.id"""
        )
        return cursor.fetchall()


# --- responses ------------------------------------------------------------------


def _skip_foreign_key_checks(cursor) -> None:
    """Skip the per-row foreign-key triggers when allowed (superuser only).

    Every id the generator writes is read from the table it points at, so the
    checks cannot fail; they are more than half of the generation time.
    """
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET session_replication_role = replica")


def _load_odds(cursor, questions: list[QuestionRow]) -> dict[str, int]:
    """Fill the session's odds tables; returns questionnaire ids by group."""
    cursor.execute(SESSION_SQL)
    choice = [q for q in questions if q.kind in ("one", "many")]
    execute_values(
        cursor, "INSERT INTO bench_question VALUES %s", [(q.question_id, q.questionnaire_id, q.kind, SKIP_SHARE) for q in choice]
    )
    execute_values(
        cursor,
        "INSERT INTO bench_option VALUES %s",
        [(pk, q.question_id, lo, hi, p) for q in choice for pk, lo, hi, p in option_odds(q)],
    )
    texts = [(q.question_id, q.questionnaire_id, TEXT_SHARES[q.code]) for q in questions if q.code in TEXT_SHARES]
    execute_values(cursor, "INSERT INTO bench_text VALUES %s", texts)
    return {q.group: q.questionnaire_id for q in questions}


def _segments(cursor, target: int) -> list[Segment]:
    """What each service still needs to reach its share of `target`."""
    cursor.execute(SERVICES_SQL)
    wanted = service_sizes(target)
    segments = []
    for service_id, code, last_number, count, patient_link, staff_link in cursor.fetchall():
        missing = wanted.get(code, 0) - count
        if missing > 0:
            segments.append(Segment(service_id, patient_link, staff_link, last_number + 1, missing))
    return segments


def _insert_batch(conn, cursor, batch: list[Segment], questionnaires: dict[str, int]) -> tuple[int, int]:
    cursor.execute("TRUNCATE bench_plan, bench_new")
    execute_values(cursor, "INSERT INTO bench_plan VALUES %s", batch)
    params = {
        "patient": questionnaires["patient"],
        "staff": questionnaires["staff"],
        "patient_share": PATIENT_SHARE,
        "paper_share": PAPER_SHARE,
        "days": DAYS,
        "record_keys": RECORD_KEYS,
    }
    cursor.execute(NEW_RESPONSES_SQL, params)
    cursor.execute("ANALYZE bench_new")
    cursor.execute(COPY_RESPONSES_SQL)
    choices = 0
    for sql in (ONE_CHOICES_SQL, MANY_CHOICES_SQL):
        cursor.execute(sql)
        choices += cursor.rowcount
    cursor.execute(TEXTS_SQL, {"phrases": PHRASES, "count": len(PHRASES)})
    texts = cursor.rowcount
    conn.commit()
    return choices, texts


def grow(url: str, target: int, *, chunk: int = CHUNK, progress=print) -> Growth:
    """Add responses until there are `target` in all, each service reaching its share."""
    started = time.perf_counter()
    added = choices = texts = 0
    conn = connect(url)
    try:
        with conn.cursor() as cursor:
            _skip_foreign_key_checks(cursor)
            questionnaires = _load_odds(cursor, questionnaire_rows(conn))
            segments = _segments(cursor, target)
            for batch in batches(segments, chunk):
                batch_choices, batch_texts = _insert_batch(conn, cursor, batch, questionnaires)
                added += sum(segment.n for segment in batch)
                choices, texts = choices + batch_choices, texts + batch_texts
                progress(f"  generated {added:,} responses, {choices:,} choices ({time.perf_counter() - started:.0f} s)")
            cursor.execute(LAST_NUMBER_SQL)
            cursor.execute(DENOMINATORS_SQL, {"extra": DENOMINATOR_EXTRA})
            conn.commit()
            generated = time.perf_counter() - started
            releases = release(conn, cursor)
    finally:
        conn.close()
    return Growth(target, added, choices, texts, generated, releases)


def release(conn, cursor, *, min_cell: int = MIN_CELL) -> Released:
    """Recompute every response's releases, for everyone and for its about-you slices, in one transaction.

    All of them, not only a step's new responses: those have dates spread over
    the same year, so they fall between the batches already released.
    """
    started = time.perf_counter()
    cursor.execute("TRUNCATE surveys_release")
    params = {"min_cell": min_cell, "about": list(ABOUT_QUESTIONS)}
    cursor.execute(RELEASE_EVERYONE_SQL, params)
    # The slices read the everyone rows just written: let the planner see them.
    cursor.execute("ANALYZE surveys_release")
    cursor.execute(RELEASE_SLICES_SQL, params)
    cursor.execute(RELEASED_SQL)
    released, waiting, slice_rows, slices_released = cursor.fetchone()
    conn.commit()
    seconds = time.perf_counter() - started
    cursor.execute(WAVE_SIZES_SQL)
    waves = tuple(cursor.fetchall())
    cursor.execute("SELECT count(*) FROM surveys_response WHERE wave_id IS NULL")
    unwaved = cursor.fetchone()[0]
    return Released(released, waiting, slice_rows, slices_released, seconds, waves, unwaved)


def analyze(url: str) -> float:
    started = time.perf_counter()
    conn = connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("ANALYZE")
    finally:
        conn.close()
    return time.perf_counter() - started
