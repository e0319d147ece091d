"""Exports: row generators feeding one CSV writer (as pretix does).

Every text cell passes through `surveys.csv_format.defuse`, so a free-text
answer cannot run as a formula when a lead opens the file in a spreadsheet.
"""

from __future__ import annotations

import csv
import functools
import uuid
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count, TextField
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse

from surveys.codes import GROUPS, Kind
from surveys.csv_format import RESPONSE_COLUMNS, defuse
from surveys.models import ChoiceAnswer, Option, Question, QuoteStatus, TextAnswer

from .access import Access
from .data import current_definitions, questions
from .queries import selected_responses
from .selection import Selection
from .stats import suppressed

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


def _export_selection(selection: Selection, access: Access) -> Selection:
    """Response-level rows only ever come from services the user may see by name."""
    if access.every_service or selection.services:
        return selection
    return Selection(
        services=tuple(sorted(access.own_codes)) or ("\x00none",),
        security=selection.security,
        specialism=selection.specialism,
        date_from=selection.date_from,
        date_to=selection.date_to,
        about=selection.about,
    )


def response_columns() -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Header, (question, option) per option column, and text question codes."""
    metas = questions()
    option_columns = [(meta.code, code) for meta in metas for code, _ in meta.options]
    texts: list[str] = []
    for definition in current_definitions().values():
        for question in definition.questions:
            if question.kind == Kind.TEXT and question.code not in texts:
                texts.append(question.code)
    header = [*RESPONSE_COLUMNS] + [f"{q}.{o}" for q, o in option_columns] + texts
    return header, option_columns, texts


def response_rows(selection: Selection, access: Access, *, chunk_size: int = 2000) -> Iterator[list]:
    """One row per response: 0/1 per option, approved free text only.

    The responses stream from a server-side cursor; their answers come as
    plain tuples, two queries per `chunk_size` responses, so a million
    responses export in constant memory. A group under the suppression
    threshold in the selection is left out entirely.
    """
    header, option_columns, texts = response_columns()
    yield header
    selection = _export_selection(selection, access)
    responses = selected_responses(selection)
    sizes = dict(responses.values_list("questionnaire__code").annotate(n=Count("id")))
    shown = [group for group in GROUPS if not suppressed(sizes.get(group, 0), settings.PEERSURVEY_MIN_CELL)]
    if not shown:
        return
    blank, column_of = _option_layout(option_columns)
    text_column = {code: position for position, code in enumerate(texts)}
    text_codes = dict(Question.objects.values_list("id", "code"))
    rows = (
        responses.filter(questionnaire__code__in=shown)
        .order_by("service__code", "number")
        .values_list(
            AS_TEXT("id"),
            "service__code",
            "questionnaire__code",
            "questionnaire__version",
            "channel",
            "submitted_on",
            "number",
        )
    )
    for chunk in _chunks(rows.iterator(chunk_size=chunk_size), chunk_size):
        ids = [uuid.UUID(row[0]) for row in chunk]
        chosen: dict = {}
        for response_id, option_id in ChoiceAnswer.objects.filter(response_id__in=ids).values_list(
            AS_TEXT("response_id"), "option_id"
        ):
            chosen.setdefault(response_id, []).append(option_id)
        written: dict = {}
        for response_id, question_id, text in TextAnswer.objects.filter(
            response_id__in=ids, review__status=QuoteStatus.APPROVED
        ).values_list(AS_TEXT("response_id"), "question_id", "review__text"):
            written.setdefault(response_id, {})[text_codes[question_id]] = text
        for pk, service_code, group, version, channel, submitted_on, number in chunk:
            cells = list(blank[group])
            for option_id in chosen.get(pk, ()):
                position = column_of.get((group, option_id))
                if position is not None:
                    cells[position] = 1
            free = [""] * len(texts)
            for code, text in written.get(pk, {}).items():
                free[text_column[code]] = text
            yield [service_code, group, version, channel, submitted_on.isoformat(), number, *cells, *free]


def _option_layout(option_columns: list[tuple[str, str]]) -> tuple[dict[str, list], dict[tuple[str, int], int]]:
    """Per group, a row of 0 (asked) or "" (not asked) per option column, and
    where each option id of each questionnaire version goes."""
    asked = {(group, q.code, o.code) for group, d in current_definitions().items() for q in d.questions for o in q.options}
    position = {column: index for index, column in enumerate(option_columns)}
    blank = {group: [0 if (group, q, o) in asked else "" for q, o in option_columns] for group in GROUPS}
    column_of = {}
    for pk, group, question, code in Option.objects.values_list("id", "question__questionnaire__code", "question__code", "code"):
        if (group, question, code) in asked and (question, code) in position:
            column_of[(group, pk)] = position[(question, code)]
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
