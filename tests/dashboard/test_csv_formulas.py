"""Spreadsheet formulas in CSV cells (docs/contract.md, "Exports"): a text cell that a
spreadsheet could run, even behind invisible characters or in fullwidth forms that
Excel and LibreOffice read as `=`, `+`, `-`, `@`, gets a leading `'`; numbers stay
numbers; the paper import takes the `'` off again."""

import csv
import io

import pytest

from dashboard import exports
from surveys.csv_format import IMPORT_COLUMNS, defuse, undefuse
from surveys.imports import responses_import
from surveys.models import Option, Question
from surveys.selectors import clear_questionnaire_cache
from tests.factories import texts

MARKS = ["=", "+", "-", "@", "\t", "\r"]
FULLWIDTH = [
    "\uff1d",  # ＝ fullwidth equals sign
    "\uff0b",  # ＋ fullwidth plus sign
    "\uff0d",  # － fullwidth hyphen-minus
    "\uff20",  # ＠ fullwidth commercial at
    "\ufe66",  # small equals sign
    "\ufe62",  # small plus sign
    "\ufe63",  # small hyphen-minus
    "\ufe6b",  # small commercial at
]
INVISIBLE = [
    "\ufeff",  # byte order mark / zero-width no-break space
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u2060",  # word joiner
    "\u00a0",  # no-break space
    " ",
    "\u2002",  # en space
    "\u202f",  # narrow no-break space
    "\u3000",  # ideographic space
    "\u180e",  # Mongolian vowel separator
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\n",
    "\x0b",
    "\x0c",
    "\x1f",
    "\u200b\ufeff \u00a0",  # several together
]
PAYLOAD = 'HYPERLINK("http://evil.example","x")'
DANGEROUS = (
    [mark + PAYLOAD for mark in FULLWIDTH]
    + [invisible + mark + PAYLOAD for invisible in INVISIBLE for mark in MARKS]
    + [invisible + mark + PAYLOAD for invisible in INVISIBLE for mark in FULLWIDTH[:4]]
)
# Cells a spreadsheet shows as text, unchanged.
HARMLESS = ["plain", "café – ‘quoted’", "\u200bplain", " leading space", "x=1+1", "2+2", "'quoted", "", "\uff07=1"]


def name(value: str) -> str:
    return value.encode("unicode_escape").decode()[:30]


@pytest.mark.parametrize("value", DANGEROUS, ids=name)
def test_a_text_cell_that_would_start_a_formula_gets_a_quote(value):
    assert defuse(value) == "'" + value
    assert undefuse(defuse(value)) == value


@pytest.mark.parametrize("value", DANGEROUS[:6] + ["=1+1", "-2"], ids=name)
def test_a_quote_typed_before_a_formula_survives_the_round_trip(value):
    typed = "'" + value
    assert defuse(typed) == "''" + value
    assert undefuse(defuse(typed)) == typed


@pytest.mark.parametrize("value", HARMLESS, ids=name)
def test_harmless_text_is_left_alone(value):
    assert defuse(value) == value
    assert undefuse(value) == value


def test_numbers_stay_numbers_and_numeric_looking_text_stays_quoted():
    # A number the exporter writes is a number to the spreadsheet, negative or not.
    assert [defuse(-5), defuse(-0.5), defuse(3), defuse(2.5)] == ["-5", "-0.5", "3", "2.5"]
    assert list(exports.csv_lines([[-5, -0.5, 0, "-5", "+44 20 7946 0000"]])) == ["-5,-0.5,0,'-5,'+44 20 7946 0000\r\n"]


def read_csv(reply) -> list[dict[str, str]]:
    assert reply.status_code == 200 and reply["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(reply.streaming_content).decode())))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("mark", [*MARKS, "fullwidth"], ids=name)
def test_the_aggregate_export_defuses_labels_and_titles(national_client, mark):
    """The aggregate CSV's text cells (question titles and option labels, set by an
    administrator) through the real endpoint: each label behind another invisible prefix."""
    values = [invisible + mark + PAYLOAD for invisible in INVISIBLE] if mark != "fullwidth" else [m + PAYLOAD for m in FULLWIDTH]
    keys = list(dict.fromkeys(Option.objects.exclude(question__section="about_you").values_list("question__code", "code")))
    assert len(keys) >= len(values)
    wanted = dict(zip(keys, values, strict=False))
    for (question, code), value in wanted.items():
        Option.objects.filter(question__code=question, code=code).update(label=value)
    Question.objects.filter(code=keys[0][0]).update(chart_title=values[-1])
    clear_questionnaire_cache()
    rows = read_csv(national_client.get("/dashboard/export/aggregate.csv"))
    labels = {(row["question"], row["option"]): row["option_label"] for row in rows}
    assert {key: labels[key] for key in wanted} == {key: "'" + value for key, value in wanted.items()}
    assert {row["question_title"] for row in rows if row["question"] == keys[0][0]} == {"'" + values[-1]}


def test_defused_free_text_comes_back_from_the_paper_import_as_written(chadwick):
    """The import takes the `'` off again: free text that would start a formula is stored as written."""
    written = {
        "useful_why": "\uff1d1+1",
        "comments": "\ufeff=SUM(A1)",
        "benefits_other": "\u200b+cmd",
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = [*IMPORT_COLUMNS, "useful.yes", *written]
    writer.writerow(columns)
    row = {
        "service": "CL",
        "questionnaire": "patient",
        "version": "1",
        "submitted_on": "2026-10-01",
        "useful.yes": "1",
        **written,
    }
    cells = [defuse(row.get(column, "")) for column in columns]
    assert cells[-3:] == ["'" + text for text in written.values()]
    writer.writerow(cells)
    (stored,) = responses_import(out.getvalue().encode())
    assert texts(stored) == written
