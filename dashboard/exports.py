"""Exports: row generators feeding one CSV writer (as pretix does).

Every cell passes through `defuse`, so a free-text answer such as "=HYPERLINK(...)"
cannot run as a formula when a lead opens the file in a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count, F, Prefetch
from django.http import StreamingHttpResponse

from surveys.models import Option, Question, TextAnswer

from .access import Access
from .filters import Selection
from .models import QuoteStatus
from .queries import selected_responses
from .reports import current_definitions, questions
from .stats import GROUPS, suppressed

SUPPRESSED = "suppressed"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RESPONSE_COLUMNS = ["service", "questionnaire", "version", "channel", "submitted_on", "number"]


def defuse(value) -> str:
    """Make a cell safe to open in a spreadsheet.

    >>> defuse("=1+1"), defuse("-2"), defuse("plain"), defuse(None), defuse(3)
    ("'=1+1", "'-2", 'plain', '', '3')
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([defuse(cell) for cell in row])


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def aggregate_rows(data: dict) -> Iterator[list]:
    """The numbers of data.json as a table, suppression included."""
    yield [
        "question", "question_title", "option", "option_label",
        "patient_n", "patient_count", "patient_pct", "patient_ci_low", "patient_ci_high",
        "staff_n", "staff_count", "staff_pct", "staff_ci_low", "staff_ci_high",
        "p_value_holm", "significant", "report_2014_patient_pct", "report_2014_staff_pct",
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
            if question.kind == "text" and question.code not in texts:
                texts.append(question.code)
    header = RESPONSE_COLUMNS + [f"{q}.{o}" for q, o in option_columns] + texts
    return header, option_columns, texts


def response_rows(selection: Selection, access: Access, *, chunk_size: int = 2000) -> Iterator[list]:
    """One row per response: 0/1 per option, approved free text only.

    Streams in chunks of `chunk_size` responses (two queries a chunk), so a
    million responses export in constant memory. A group under the
    suppression threshold in the selection is left out entirely.
    """
    header, option_columns, texts = response_columns()
    yield header
    selection = _export_selection(selection, access)
    responses = selected_responses(selection)
    sizes = dict(responses.values_list("questionnaire__code").annotate(n=Count("id")))
    shown = [group for group in GROUPS if not suppressed(sizes.get(group, 0), settings.PEERSURVEY_MIN_CELL)]
    if not shown:
        return
    options = {pk: (question, code) for pk, question, code in Option.objects.values_list("id", "question__code", "code")}
    asked = {
        (group, q.code, o.code) for group, d in current_definitions().items() for q in d.questions for o in q.options
    }
    text_codes = dict(Question.objects.values_list("id", "code"))
    approved = TextAnswer.objects.filter(review__status=QuoteStatus.APPROVED).annotate(shown=F("review__text"))
    rows = (
        responses.filter(questionnaire__code__in=shown)
        .annotate(service_code=F("service__code"), group=F("questionnaire__code"), version=F("questionnaire__version"))
        .order_by("service__code", "number")
        .prefetch_related(Prefetch("choices"), Prefetch("texts", queryset=approved, to_attr="approved_texts"))
    )
    for response in rows.iterator(chunk_size=chunk_size):
        chosen = {options[choice.option_id] for choice in response.choices.all()}
        written = {text_codes[text.question_id]: text.shown for text in response.approved_texts}
        row = [
            response.service_code, response.group, response.version, response.channel,
            response.submitted_on.isoformat(), response.number,
        ]
        row += [
            (1 if (q, o) in chosen else 0) if (response.group, q, o) in asked else ""
            for q, o in option_columns
        ]
        row += [written.get(code, "") for code in texts]
        yield row
