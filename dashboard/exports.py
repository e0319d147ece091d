"""Exports: row generators feeding one CSV writer (as pretix does).

Every text cell passes through `surveys.csv_format.defuse`, so a free-text
answer cannot run as a formula when a lead opens the file in a spreadsheet.
"""

from __future__ import annotations

import csv
import functools
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator

from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Cast, TruncMonth
from django.http import StreamingHttpResponse

from surveys.codes import GROUPS
from surveys.csv_format import EXPORT_COLUMNS, defuse
from surveys.models import ChoiceAnswer, Option, Release
from surveys.tallies import EVERYONE

from .data import questions
from .queries import released_responses
from .selection import Selection

SUPPRESSED = "suppressed"
# Response ids as the database writes them: a UUID object per answer would
# cost more than the rest of the export.
AS_TEXT = functools.partial(Cast, output_field=TextField())


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        # Numbers and empty cells cannot start a formula: only text is defused
        # (a response row has hundreds of 0/1 cells).
        yield writer.writerow([cell if cell.__class__ is int or cell == "" else defuse(cell) for cell in row])


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def aggregate_rows(data: dict) -> Iterator[list]:
    """The numbers of data.json as a table, suppression included."""
    yield [
        "question",
        "question_title",
        "option",
        "option_label",
        "patient_n",
        "patient_count",
        "patient_pct",
        "patient_ci_low",
        "patient_ci_high",
        "staff_n",
        "staff_count",
        "staff_pct",
        "staff_ci_low",
        "staff_ci_high",
        "p_value_holm",
        "significant",
        "report_2014_patient_pct",
        "report_2014_staff_pct",
    ]
    for question in data["questions"]:
        for option in question["options"]:
            row = [question["code"], question["title"], option["code"], option["label"]]
            for group in GROUPS:
                summary = data["groups"][group]
                cell = option[group]
                if cell is None:
                    row += [summary["n"] if not summary["suppressed"] else SUPPRESSED, "not asked", "", "", ""]
                elif cell["count"] is None:
                    row += [summary["n"] if not summary["suppressed"] else SUPPRESSED] + [SUPPRESSED] * 4
                else:
                    low, high = cell["ci"] or (None, None)
                    row += [summary["n"], cell["count"], cell["pct"], low, high]
            significant = option["significant"]
            row += [
                option["p_value"],
                "" if significant is None else ("yes" if significant else "no"),
                option["report_2014"]["patient"],
                option["report_2014"]["staff"],
            ]
            yield row


# About-you answers kept in the response export, most useful first: a block of
# rows that would otherwise hold a rarer combination than `min_cell` loses them
# from the end of this list (ethnicity first), all of them if need be.
KEPT_ABOUT = ("gender", "time_in_service", "time_in_secure", "age_band", "ethnicity")


def response_columns() -> tuple[list[str], list[tuple[str, str]]]:
    """Header, and (question, option) per 0/1 option column: every choice
    question but the about-you ones, which have a column each."""
    option_columns = [(meta.code, code) for meta in questions() if meta.section != "about_you" for code, _ in meta.options]
    header = [*EXPORT_COLUMNS, *KEPT_ABOUT] + [f"{q}.{o}" for q, o in option_columns]
    return header, option_columns


def response_rows(selection: Selection, *, min_cell: int, chunk_size: int = 2000) -> Iterator[list]:
    """One row per released response, k-anonymous: safe to hand to an analyst.

    No running number, no channel, no free text, and the month of release, not
    a day. Rows come in blocks of one service, questionnaire version, month and
    wave (each at least `min_cell` rows: releases come in batches, and a batch
    is of one wave, so a file of one wave holds whole blocks of the file of
    all, rows and blanks alike); within a block,
    about-you answers are dropped from the end of `KEPT_ABOUT` until every
    combination of them is shared by at least `min_cell` rows. A block smaller
    than `min_cell` is left out. Streamed: one block in memory at a time.
    """
    header, option_columns = response_columns()
    yield header
    blank, column_of = _option_layout(option_columns)
    about_of = _about_layout()
    released = Release.objects.filter(response=OuterRef("pk"), among=EVERYONE).values("released_on")[:1]
    rows = (
        released_responses(selection)
        .annotate(released_on=Subquery(released))
        # Within a month, in the random order of ids: never the order of release days.
        .order_by("service__code", "questionnaire__code", "questionnaire__version", TruncMonth("released_on"), "wave__code", "id")
        .values_list(AS_TEXT("id"), "service__code", "questionnaire__code", "questionnaire__version", "released_on", "wave__code")
    )
    block: list[tuple] = []
    for chunk in _chunks(rows.iterator(chunk_size=chunk_size), chunk_size):
        ids = [uuid.UUID(row[0]) for row in chunk]
        chosen: dict = {}
        for response_id, option_id in ChoiceAnswer.objects.filter(response_id__in=ids).values_list(
            AS_TEXT("response_id"), "option_id"
        ):
            chosen.setdefault(response_id, []).append(option_id)
        for pk, service_code, group, version, released_on, wave in chunk:
            key = (service_code, group, version, released_on.strftime("%Y-%m"), wave or "")
            if block and block[0][0] != key:
                yield from _anonymous_block(block, min_cell)
                block = []
            cells = list(blank[(group, version)])
            about = dict.fromkeys(KEPT_ABOUT, "")
            for option_id in chosen.get(pk, ()):
                position = column_of.get((group, option_id))
                if position is not None:
                    cells[position] = 1
                elif option_id in about_of:
                    question, code = about_of[option_id]
                    about[question] = code
            block.append((key, tuple(about[q] for q in KEPT_ABOUT), cells))
    if block:
        yield from _anonymous_block(block, min_cell)


def _anonymous_block(block: list[tuple], min_cell: int) -> Iterator[list]:
    if len(block) < min_cell:
        return
    kept = k_anonymous_width([about for _, about, _ in block], min_cell)
    for key, about, cells in block:
        yield [*key, *about[:kept], *[""] * (len(about) - kept), *cells]


def k_anonymous_width(rows: list[tuple[str, ...]], min_cell: int) -> int:
    """How many leading about-you answers a block may keep: the most for which
    every combination is shared by at least `min_cell` rows.

    >>> rows = [("female", "lt_1y")] * 5 + [("male", "lt_1y")] * 4 + [("male", "5_9y")]
    >>> k_anonymous_width(rows, 5)  # gender alone: 5 women, 5 men
    1
    >>> k_anonymous_width(rows[:9], 5)  # 5 women, 4 men: nothing
    0
    """
    for width in range(len(rows[0]) if rows else 0, 0, -1):
        if min(Counter(row[:width] for row in rows).values()) >= min_cell:
            return width
    return 0


def _about_layout() -> dict[int, tuple[str, str]]:
    """Option id -> (about-you question, option code), for every questionnaire version."""
    return {
        pk: (question, code)
        for pk, question, code in Option.objects.filter(question__code__in=KEPT_ABOUT).values_list("id", "question__code", "code")
    }


def _option_layout(option_columns: list[tuple[str, str]]) -> tuple[dict[tuple[str, int], list], dict[tuple[str, int], int]]:
    """Per questionnaire version, a row of 0 (asked) or "" (not asked by that
    version) per option column, and where each option id goes."""
    position = {column: index for index, column in enumerate(option_columns)}
    asked: dict[tuple[str, int], set] = {}
    column_of = {}
    for pk, group, version, question, code in Option.objects.values_list(
        "id", "question__questionnaire__code", "question__questionnaire__version", "question__code", "code"
    ):
        asked.setdefault((group, version), set()).add((question, code))
        if (question, code) in position:
            column_of[(group, pk)] = position[(question, code)]
    blank = {key: [0 if column in codes else "" for column in option_columns] for key, codes in asked.items()}
    return blank, column_of


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
