"""Counts kept as answers are released, so the dashboard never counts answers itself.

When a batch of responses is released (surveys/releases.py), each adds one to
a few dozen `Tally` rows of its release month: one for the response, one per
many-choice question answered and one per option chosen, among everyone or
among one about-you slice (so "women only" is a lookup, not a scan). Each row
also sums its respondents' record keys, the cell key that the release layer
perturbs by. The dashboard then sums at most services x months x options rows,
however many responses there are.

Three ways in, all exact:
- `tallies_add`: a released batch (the write path, one statement);
- `tallies_rebuild`: recount from the releases and answers in set-based SQL
  (purges, recovery, bulk loads; `manage.py rebuild_tallies`);
- `tallies_differences`: a full recount in Python compared with what is
  stored, which the suite and `rebuild_tallies --check` use to prove the two agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection

from .codes import ABOUT_FILTERS, Kind
from .models import ChoiceAnswer, Option, Period, Question, Release, Response, Tally, TallyKind
from .selectors import catalogue

EVERYONE = 0

Key = tuple[int, str, date, int, int, str, int]  # service, period, start, among, wave, kind, ref

NO_WAVE = 0  # Tally.wave for answers given outside any wave


@dataclass(frozen=True)
class Counted:
    """One response as the tallies see it: ids, and its record key."""

    pk: object
    service_id: int
    questionnaire_id: int
    wave_id: int | None
    rkey: int
    options: tuple[int, ...]
    many_questions: tuple[int, ...]
    slices: tuple[int, ...]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s.

    >>> next_month(date(2026, 12, 9)), next_month(date(2026, 1, 31))
    (datetime.date(2027, 1, 1), datetime.date(2026, 2, 1))
    """
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def tally_keys(response: Counted, *, among: int, month: date, period: str = Period.MONTH) -> Iterator[Key]:
    """Every tally row one released response adds one to, in one release unit.

    >>> counted = Counted("r1", 7, 1, 3, rkey=99, options=(10, 20), many_questions=(4,), slices=(20,))
    >>> keys = list(tally_keys(counted, among=0, month=date(2026, 3, 1)))
    >>> len(keys)  # the response, 1 many-choice question answered, 2 options chosen
    4
    >>> (7, "m", date(2026, 3, 1), 0, 3, "o", 10) in keys  # service 7, wave 3
    True
    """
    facts = [
        (TallyKind.RESPONSES.value, response.questionnaire_id),
        *((TallyKind.ANSWERED.value, question) for question in response.many_questions),
        *((TallyKind.CHOSE.value, option) for option in response.options),
    ]
    for kind, ref in facts:
        yield (response.service_id, str(period), month, among, response.wave_id or NO_WAVE, kind, ref)


def tallies_add(entries: Iterable[tuple[Counted, int]], *, month: date, period: str = Period.MONTH) -> None:
    """Add released responses to the tallies, each (response, among) in its
    release unit: one upsert statement however many.

    Rows go in key order, so two transactions never wait for each other's
    rows in opposite orders (no deadlock).
    """
    counts: Counter[Key] = Counter()
    keys: Counter[Key] = Counter()
    for response, among in entries:
        for key in tally_keys(response, among=among, month=month, period=period):
            counts[key] += 1
            keys[key] += response.rkey
    if not counts:
        return
    table = Tally._meta.db_table
    rows = [(*key, n, keys[key]) for key, n in sorted(counts.items())]
    if connection.vendor == "postgresql":
        # Nine arrays rather than thousands of parameters: far less to parse.
        source = (
            "SELECT * FROM unnest(%s::integer[], %s::varchar[], %s::date[], %s::integer[], %s::integer[], %s::varchar[], "
            "%s::integer[], %s::integer[], %s::bigint[])"
        )
        params = [list(column) for column in zip(*rows, strict=True)]
    else:
        source = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (service_id, period, start, among, wave, kind, ref, n, k) {source} "  # noqa: S608
            f"ON CONFLICT (service_id, period, start, among, wave, kind, ref) "
            f"DO UPDATE SET n = {table}.n + excluded.n, k = {table}.k + excluded.k",
            params,
        )


def counted(response_ids: list) -> list[Counted]:
    """The responses as the tallies count them: two queries however many there are
    (the question and option ids come from the per-process catalogue)."""
    names = catalogue()
    chosen: dict = {}
    for response_id, option_id in ChoiceAnswer.objects.filter(response_id__in=response_ids).values_list(
        "response_id", "option_id"
    ):
        chosen.setdefault(response_id, []).append(option_id)
    if not names.knows((), (), {option for options in chosen.values() for option in options}):
        names = catalogue(refresh=True)  # a questionnaire version loaded since this process began
    questions = {pk: (code, kind) for pk, (_, code, kind) in names.questions.items()}
    result = []
    for pk, service_id, questionnaire_id, wave_id, rkey in Response.objects.filter(pk__in=response_ids).values_list(
        "pk", "service_id", "questionnaire_id", "wave_id", "rkey"
    ):
        result.append(
            counted_one(pk, service_id, questionnaire_id, wave_id, rkey, chosen.get(pk, ()), questions, names.option_question)
        )
    return result


def counted_one(pk, service_id, questionnaire_id, wave_id, rkey, options, questions, option_question) -> Counted:
    options = tuple(sorted(options))
    answered = {option_question[option] for option in options}
    return Counted(
        pk=pk,
        service_id=service_id,
        questionnaire_id=questionnaire_id,
        wave_id=wave_id,
        rkey=rkey,
        options=options,
        many_questions=tuple(sorted(q for q in answered if questions[q][1] == Kind.MANY)),
        slices=tuple(o for o in options if questions[option_question[o]][0] in ABOUT_FILTERS),
    )


# --- recounting --------------------------------------------------------------


def _month_expr(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _recount_sql(where: str) -> str:
    """One statement that inserts the tally rows of every release `where` selects."""
    release, response, choice = Release._meta.db_table, Response._meta.db_table, ChoiceAnswer._meta.db_table
    option, question = Option._meta.db_table, Question._meta.db_table
    return f"""
        WITH rel AS (
            SELECT rel.response_id, rel.among, rel.service_id,
                   CASE WHEN rel.pooled THEN '{Period.POOLED.value}' ELSE '{Period.MONTH.value}' END AS period,
                   {_month_expr("rel.released_on")} AS start, COALESCE(resp.wave_id, {NO_WAVE}) AS wave,
                   resp.questionnaire_id, resp.rkey
            FROM {release} rel JOIN {response} resp ON resp.id = rel.response_id
            WHERE rel.released_on IS NOT NULL AND {where}
        ),
        chose AS (
            SELECT c.response_id, c.option_id, o.question_id, q.kind
            FROM {choice} c
            JOIN {option} o ON o.id = c.option_id
            JOIN {question} q ON q.id = o.question_id
            WHERE c.response_id IN (SELECT response_id FROM rel)
        ),
        facts AS (
            SELECT DISTINCT response_id, 'r' AS kind, questionnaire_id AS ref FROM rel
            UNION ALL
            SELECT DISTINCT response_id, 'q', question_id FROM chose WHERE kind = '{Kind.MANY.value}'
            UNION ALL
            SELECT response_id, 'o', option_id FROM chose
        )
        INSERT INTO {Tally._meta.db_table} (service_id, period, start, among, wave, kind, ref, n, k)
        SELECT rel.service_id, rel.period, rel.start, rel.among, rel.wave, facts.kind, facts.ref, COUNT(*), SUM(rel.rkey)
        FROM rel JOIN facts ON facts.response_id = rel.response_id
        GROUP BY rel.service_id, rel.period, rel.start, rel.among, rel.wave, facts.kind, facts.ref
    """  # noqa: S608


def tallies_rebuild(*, service_id: int | None = None) -> None:
    """Recount the tallies of one service, or of all, from the releases and answers.

    Call inside a transaction with whatever changed the answers, so readers
    never see the gap between the delete and the recount.
    """
    table = Tally._meta.db_table
    params = [service_id] if service_id is not None else []
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {'service_id = %s' if params else '1 = 1'}", params)  # noqa: S608
        cursor.execute(_recount_sql("rel.service_id = %s" if params else "1 = 1"), params)


def stored_tallies() -> dict[Key, tuple[int, int]]:
    return {
        (row[0], row[1], row[2], row[3], row[4], row[5], row[6]): (row[7], row[8])
        for row in Tally.objects.values_list("service_id", "period", "start", "among", "wave", "kind", "ref", "n", "k")
    }


def recounted_tallies() -> dict[Key, tuple[int, int]]:
    """A full recount from the releases and answers, in Python: slow, independent of the SQL above."""
    questions = {pk: (code, kind) for pk, code, kind in Question.objects.values_list("pk", "code", "kind")}
    option_question = dict(Option.objects.values_list("pk", "question_id"))
    chosen: dict = {}
    for response_id, option_id in ChoiceAnswer.objects.values_list("response_id", "option_id").iterator():
        chosen.setdefault(response_id, []).append(option_id)
    responses = {
        pk: (service_id, questionnaire_id, wave_id, rkey)
        for pk, service_id, questionnaire_id, wave_id, rkey in Response.objects.values_list(
            "pk", "service_id", "questionnaire_id", "wave_id", "rkey"
        ).iterator()
    }
    counts: Counter[Key] = Counter()
    keys: Counter[Key] = Counter()
    for response_id, among, released_on, pooled in Release.objects.filter(released_on__isnull=False).values_list(
        "response_id", "among", "released_on", "pooled"
    ):
        service_id, questionnaire_id, wave_id, rkey = responses[response_id]
        response = counted_one(
            response_id, service_id, questionnaire_id, wave_id, rkey, chosen.get(response_id, ()), questions, option_question
        )
        period = Period.POOLED if pooled else Period.MONTH
        for key in tally_keys(response, among=among, month=month_start(released_on), period=period):
            counts[key] += 1
            keys[key] += rkey
    return {key: (n, keys[key]) for key, n in counts.items()}


def tallies_differences(limit: int = 10) -> list[str]:
    """Where the stored tallies and a full recount disagree (empty when exact)."""
    stored, recounted = stored_tallies(), recounted_tallies()
    differences = []
    for key in sorted(stored.keys() | recounted.keys()):
        if stored.get(key, (0, 0)) != recounted.get(key, (0, 0)):
            differences.append(f"{key}: stored {stored.get(key, (0, 0))}, recount {recounted.get(key, (0, 0))}")
            if len(differences) >= limit:
                break
    return differences
