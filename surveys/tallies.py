"""Counts kept as answers arrive, so the dashboard never counts answers itself.

A response adds one to a couple of hundred `Tally` rows in the transaction
that stores it: one for the response, one per many-choice question answered
and one per option chosen; for everyone by day and by month, and by month for
each about-you option the respondent chose (so "women only" is a lookup, not
a scan). The dashboard then sums at most services x months x options rows,
however many responses there are.

Three ways in, all exact:
- `tallies_add`: a new response (the write path, one statement);
- `tallies_rebuild`: recount a scope from the answers in set-based SQL
  (purges, recovery, bulk loads; `manage.py rebuild_tallies`);
- `tallies_differences`: a full recount compared with what is stored, which
  the suite and `rebuild_tallies --check` use to prove the two agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection

from .codes import ABOUT_FILTERS, Kind
from .models import ChoiceAnswer, Option, Period, Question, Response, Tally, TallyKind

EVERYONE = 0

Key = tuple[int, str, date, int, str, int]  # service, period, start, among, kind, ref


@dataclass(frozen=True)
class Counted:
    """One response as the tallies see it: ids only."""

    service_id: int
    day: date
    questionnaire_id: int
    options: tuple[int, ...]
    many_questions: tuple[int, ...]
    slices: tuple[int, ...]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def tally_keys(response: Counted) -> Iterator[Key]:
    """Every tally row one response adds one to.

    >>> keys = list(tally_keys(Counted(7, date(2026, 3, 9), 1, options=(10, 20), many_questions=(4,), slices=(20,))))
    >>> len(keys)  # (response + 1 question + 2 options) x (everyone by day, by month; 1 slice by month)
    12
    >>> (7, "m", date(2026, 3, 1), 20, "o", 10) in keys
    True
    """
    facts = [
        (TallyKind.RESPONSES.value, response.questionnaire_id),
        *((TallyKind.ANSWERED.value, question) for question in response.many_questions),
        *((TallyKind.CHOSE.value, option) for option in response.options),
    ]
    # Everyone by day and by month; the about-you slices by month only, which
    # keeps a submission's rows down by two fifths. (A demographic filter with a
    # date range that cuts a month in two is counted from the answers instead.)
    for kind, ref in facts:
        yield (response.service_id, Period.DAY.value, response.day, EVERYONE, kind, ref)
    month = month_start(response.day)
    for among in (EVERYONE, *response.slices):
        for kind, ref in facts:
            yield (response.service_id, Period.MONTH.value, month, among, kind, ref)


def tallies_add(responses: Iterable[Counted]) -> None:
    """Add new responses to the tallies: one upsert statement.

    Rows go in key order, so two transactions never wait for each other's
    rows in opposite orders (no deadlock).
    """
    counts = Counter(key for response in responses for key in tally_keys(response))
    if not counts:
        return
    table = Tally._meta.db_table
    rows = sorted(counts.items())
    if connection.vendor == "postgresql":
        # Seven arrays rather than thousands of parameters: far less to parse.
        source = (
            "SELECT * FROM unnest(%s::integer[], %s::varchar[], %s::date[], %s::integer[], %s::varchar[], "
            "%s::integer[], %s::integer[])"
        )
        params = [list(column) for column in zip(*((*key, n) for key, n in rows), strict=True)]
    else:
        source = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        params = [value for key, n in rows for value in (*key, n)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (service_id, period, start, among, kind, ref, n) {source} "  # noqa: S608
            f"ON CONFLICT (service_id, period, start, among, kind, ref) DO UPDATE SET n = {table}.n + excluded.n",
            params,
        )


# --- recounting --------------------------------------------------------------


def _recount_sql(where: str, *, period: str) -> str:
    """One statement that inserts the tally rows of one period for the responses `where` selects:
    everyone by day, or everyone and each about-you slice by month."""
    by_day = period == Period.DAY
    start = "resp.submitted_on" if by_day else _month_expr("resp.submitted_on")
    sliced = ", ".join(f"'{code}'" for code in ABOUT_FILTERS)
    slices = "" if by_day else f"UNION ALL SELECT response_id, option_id FROM chose WHERE code IN ({sliced})"
    response, choice = Response._meta.db_table, ChoiceAnswer._meta.db_table
    option, question = Option._meta.db_table, Question._meta.db_table
    return f"""
        WITH resp AS (
            SELECT r.id, r.service_id, r.questionnaire_id, r.submitted_on FROM {response} r WHERE {where}
        ),
        chose AS (
            SELECT c.response_id, c.option_id, o.question_id, q.kind, q.code
            FROM {choice} c
            JOIN {option} o ON o.id = c.option_id
            JOIN {question} q ON q.id = o.question_id
            WHERE c.response_id IN (SELECT id FROM resp)
        ),
        facts AS (
            SELECT id AS response_id, 'r' AS kind, questionnaire_id AS ref FROM resp
            UNION ALL
            SELECT DISTINCT response_id, 'q', question_id FROM chose WHERE kind = 'many'
            UNION ALL
            SELECT response_id, 'o', option_id FROM chose
        ),
        slices AS (
            SELECT id AS response_id, 0 AS among FROM resp
            {slices}
        )
        INSERT INTO {Tally._meta.db_table} (service_id, period, start, among, kind, ref, n)
        SELECT resp.service_id, '{"d" if by_day else "m"}', {start}, slices.among, facts.kind, facts.ref, COUNT(*)
        FROM resp
        JOIN slices ON slices.response_id = resp.id
        JOIN facts ON facts.response_id = resp.id
        GROUP BY resp.service_id, {start}, slices.among, facts.kind, facts.ref
    """  # noqa: S608


def _month_expr(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def tallies_rebuild(*, service_id: int | None = None, months: tuple[date, date] | None = None) -> None:
    """Recount the tallies of one service and/or a span of whole months from the answers.

    Call inside a transaction with whatever changed the answers, so readers
    never see the gap between the delete and the recount.
    """
    table = Tally._meta.db_table

    def where(service_column: str, date_column: str) -> str:
        scope = []
        if service_id is not None:
            scope.append(f"{service_column} = %s")
        if months is not None:
            scope.append(f"{date_column} >= %s AND {date_column} < %s")
        return " AND ".join(scope) or "1 = 1"

    params = ([service_id] if service_id is not None else []) + (list(months) if months is not None else [])
    where_tally, where_response = where("service_id", "start"), where("r.service_id", "r.submitted_on")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where_tally}", params)  # noqa: S608
        cursor.execute(_recount_sql(where_response, period=Period.DAY), params)
        cursor.execute(_recount_sql(where_response, period=Period.MONTH), params)


def stored_tallies() -> dict[Key, int]:
    return {
        (row[0], row[1], row[2], row[3], row[4], row[5]): row[6]
        for row in Tally.objects.values_list("service_id", "period", "start", "among", "kind", "ref", "n")
    }


def recounted_tallies() -> dict[Key, int]:
    """A full recount from the answers, in Python: slow, independent of the SQL above."""
    questions = {question.pk: question for question in Question.objects.only("pk", "kind", "code")}
    option_question = dict(Option.objects.values_list("pk", "question_id"))
    chosen: dict = {}
    for response_id, option_id in ChoiceAnswer.objects.values_list("response_id", "option_id").iterator():
        chosen.setdefault(response_id, []).append(option_id)
    counts: Counter[Key] = Counter()
    for pk, service_id, questionnaire_id, day in Response.objects.values_list(
        "pk", "service_id", "questionnaire_id", "submitted_on"
    ).iterator():
        options = tuple(chosen.get(pk, ()))
        answered = {option_question[option] for option in options}
        counts.update(
            tally_keys(
                Counted(
                    service_id=service_id,
                    day=day,
                    questionnaire_id=questionnaire_id,
                    options=options,
                    many_questions=tuple(q for q in answered if questions[q].kind == Kind.MANY),
                    slices=tuple(o for o in options if questions[option_question[o]].code in ABOUT_FILTERS),
                )
            )
        )
    return dict(counts)


def tallies_differences(limit: int = 10) -> list[str]:
    """Where the stored tallies and a full recount disagree (empty when exact)."""
    stored, recounted = stored_tallies(), recounted_tallies()
    differences = []
    for key in sorted(stored.keys() | recounted.keys()):
        if stored.get(key, 0) != recounted.get(key, 0):
            differences.append(f"{key}: stored {stored.get(key, 0)}, recount {recounted.get(key, 0)}")
            if len(differences) >= limit:
                break
    return differences
