"""Paper questionnaires in bulk: CSV import in the importer's own layout (service,
questionnaire, version, channel, submitted_on, number, options, texts: the anonymised
response export is no longer re-importable), and the import_responses command.
(The paper form on the dashboard: tests/dashboard/test_paper_form.py.)"""

import csv
import io
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from surveys.csv_format import IMPORT_COLUMNS, defuse
from surveys.imports import ImportInvalid, responses_import
from surveys.models import QuoteReview, QuoteStatus, Response, TextAnswer
from surveys.quotes import quote_label
from tests.factories import answer, chosen, texts

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "service,questionnaire,version,channel,submitted_on,number,"
    "useful.yes,useful.sometimes,useful.no,fears.trust,fears.confidentiality,benefits.reduces_workload,"
    "job_title,useful_why"
)


def csv_file(*lines, header=HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


# --- import ----------------------------------------------------------------


def test_import_stores_validated_paper_questionnaires(chadwick, morpeth):
    data = "\ufeff".encode() + csv_file(
        "CL,patient,1,,2014-06-30,,1,0,0,1,1,,,'=Because they have been there",
        "CL,staff,1,paper,2014-07-01,8,0,1,0,0,0,1,Staff nurse,",
        'M,patient,1,web,2014-07-02,,,,1,0,,,,"Two lines\nof text"',
    )
    stored = responses_import(data)

    assert [(r.service.code, r.number, r.channel, r.submitted_on) for r in stored] == [
        ("CL", 1, "paper", date(2014, 6, 30)),
        ("CL", 8, "paper", date(2014, 7, 1)),
        ("M", 1, "web", date(2014, 7, 2)),
    ]
    first, staff_nurse, morpeth_patient = stored
    assert chosen(first) == {"useful": ["yes"], "fears": ["trust", "confidentiality"]}
    assert texts(first) == {"useful_why": "=Because they have been there"}  # the export's defusing undone
    assert first.link is None and first.questionnaire.code == "patient"
    assert chosen(staff_nurse) == {"useful": ["sometimes"], "benefits": ["reduces_workload"]}
    assert texts(staff_nurse) == {"job_title": "Staff nurse"}
    assert texts(morpeth_patient) == {"useful_why": "Two lines\nof text"}
    assert not QuoteReview.objects.exists()  # imported text waits for review like any other

    # The next running number follows on from the file's highest.
    chadwick.refresh_from_db()
    assert chadwick.last_number == 8
    assert answer(chadwick, "patient", {"useful": "no"}).number == 9


def test_a_file_with_bad_lines_reports_each_and_stores_nothing(chadwick):
    header = HEADER + ",useful.perhaps,favourite_colour"
    today = timezone.localdate()
    data = csv_file(
        "CL,patient,1,,2014-06-30,,1,0,0,0,0,,,,0,blue",  # 2: fine
        "CL,patient,1,,2014-06-30,,0,0,0,0,0,,,,1,red",  # 3: an option the question does not have
        "CL,patient,1,,2014-06-30,,1,0,1,0,0,,,,0,",  # 4: two answers to a one-choice question
        "CL,patient,1,,30/06/2014,,1,0,0,0,0,,,,0,",  # 5: not a YYYY-MM-DD date
        "XX,patient,1,,2014-06-30,,1,0,0,0,0,,,,0,",  # 6: no such service
        "CL,patient,1,,2014-06-30,,0,0,0,0,0,,,,0,",  # 7: no answers at all
        "CL,patient,1,,2014-06-30,,0,0,0,0,0,1,,,0,",  # 8: staff-only option on a patient line
        f"CL,staff,1,tablet,{today + timedelta(days=1)},0,yes,0,0,0,0,0,,,,",  # 9: three problems
        header=header,
    )
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(data)

    problems = [str(error) for error in invalid.value.errors]
    assert problems[0].startswith("line 1: favourite_colour: Unknown column")
    assert problems[1:] == [
        "line 3: useful: Unknown option 'perhaps': choose one of yes, sometimes, no.",
        "line 4: useful: Only one answer may be chosen, but yes, no are all marked 1.",
        "line 5: submitted_on: Expected a date as YYYY-MM-DD, e.g. 2014-06-30, not '30/06/2014'.",
        "line 6: service: No service has code 'XX'; add it with add_service first.",
        "line 7: No answers: no option is marked 1 and no text is given. A questionnaire with no answers is not stored.",
        "line 8: benefits: Unknown option 'reduces_workload': choose from choice, fewer_restrictions, insight, "
        "information, accessible.",
        f"line 9: submitted_on: The date {today + timedelta(days=1)} is in the future.",
        "line 9: number: Expected a whole number above 0, or leave it empty for the next number; not '0'.",
        "line 9: useful.yes: Expected 1 (chosen), 0 (not chosen) or empty, not 'yes'.",
    ]
    assert Response.objects.count() == 0
    chadwick.refresh_from_db()
    assert chadwick.last_number == 0


@pytest.mark.parametrize("day", ["0001-01-01", "1914-06-30", "2013-12-31"])
def test_a_date_before_the_survey_began_is_a_slip_and_stores_nothing(chadwick, day):
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(csv_file(f"CL,patient,1,,{day},,1,0,0,0,0,,,"))
    assert [str(error) for error in invalid.value.errors] == [
        f"line 2: submitted_on: The date {day} is before 2014, when this survey began: check the year."
    ]
    assert Response.objects.count() == 0


def test_a_file_without_a_required_column_is_refused_whole(chadwick):
    data = csv_file("CL,patient,1,1", header="service,questionnaire,version,useful.yes")
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(data)
    assert [str(error) for error in invalid.value.errors] == ["line 1: submitted_on: This column is missing."]


def test_a_number_already_taken_is_a_line_error_and_rolls_back_the_file(chadwick):
    answer(chadwick, "patient", {"useful": "yes"})  # CL1
    data = csv_file(
        "CL,patient,1,,2014-06-30,5,1,0,0,0,0,,,",
        "CL,patient,1,,2014-06-30,1,0,0,1,0,0,,,",
        "CL,patient,1,,2014-06-30,5,0,1,0,0,0,,,",
    )
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(data)
    assert [str(error) for error in invalid.value.errors] == ["line 4: number: CL5 is also on line 2."]

    with pytest.raises(ImportInvalid) as invalid:
        responses_import(data.rsplit(b"\r\n", 2)[0] + b"\r\n")
    assert [str(error) for error in invalid.value.errors] == ["line 3: number: CL1 is already stored."]
    assert list(Response.objects.values_list("number", flat=True)) == [1]
    chadwick.refresh_from_db()
    assert chadwick.last_number == 1  # raised to 5 by line 2, then rolled back with it


# --- round trip --------------------------------------------------------------


def export(client) -> bytes:
    reply = client.get("/dashboard/export/responses.csv")
    assert reply.status_code == 200
    return b"".join(reply.streaming_content)


ROUND_TRIP_HEADER = [
    *IMPORT_COLUMNS,
    "useful.yes",
    "useful.sometimes",
    "useful.no",
    "fears.trust",
    "fears.boundaries",
    "benefits.reduces_workload",
    "benefits.insight",
    "more_user_led.yes",
    "time_in_secure.5_9y",
    "job_title",
    "useful_why",
    "comments",
]
TRICKY_TEXTS = ['=HYPERLINK("http://evil.example")', "Line one\nline two", "café – ‘quoted’"]


def paper_csv(rows: list[dict]) -> bytes:
    """A file in the importer's layout, cells defused as a spreadsheet export would be."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ROUND_TRIP_HEADER)
    for row in rows:
        writer.writerow([defuse(row.get(column, "")) for column in ROUND_TRIP_HEADER])
    return out.getvalue().encode()


def test_an_imported_paper_csv_reaches_the_anonymised_export_which_is_not_an_import_file(national_client, tmp_path):
    """Export -> import -> export was byte-identical when the export carried days, numbers
    and text; the export is anonymised now (no day, number, channel or text: docs/disclosure.md),
    so this checks the two halves: a paper CSV with every awkward cell imports exactly, its
    released answers show in the export without what identifies, and the export is refused
    as an import file rather than stored with made-up details."""
    call_command(
        "add_service", "CL", "--name", "Chadwick Lodge", "--security", "low", "--specialism", "women", stdout=io.StringIO()
    )
    call_command("add_service", "M", "--name", "Morpeth", "--security", "medium", stdout=io.StringIO())
    rows = []
    for index in range(6):
        rows.append(
            {
                "service": "CL",
                "questionnaire": "patient",
                "version": "1",
                "submitted_on": f"2025-10-{1 + index:02d}",
                f"useful.{['yes', 'sometimes', 'no'][index % 3]}": "1",
                **{f"fears.{fear}": "1" for fear in ["trust", "boundaries"][: index % 3]},
                "useful_why": TRICKY_TEXTS[index % 3],
                "comments": f"patient comment {index}",
            }
        )
        rows.append(
            {
                "service": "CL",
                "questionnaire": "staff",
                "version": "1",
                "channel": "paper",
                "submitted_on": "2025-11-01",
                "benefits.reduces_workload": "1",
                "benefits.insight": "1",
                "job_title": "Staff nurse",
                "comments": f"-{index} minus",
            }
        )
    for index in range(5):
        rows.append(
            {
                "service": "M",
                "questionnaire": "patient",
                "version": "1",
                "submitted_on": "2014-06-30",
                "number": str(20 + index),
                "more_user_led.yes": "1",
                "time_in_secure.5_9y": "1",
            }
        )
    path = tmp_path / "paper.csv"
    path.write_bytes(paper_csv(rows))
    out = io.StringIO()
    call_command("import_responses", str(path), "--texts-approved", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == f"Imported 17 responses from {path}\n"

    # Stored exactly, the spreadsheet defusing undone.
    assert sorted(Response.objects.filter(service__code="M").values_list("number", flat=True)) == [20, 21, 22, 23, 24]
    stored = {text for text in TextAnswer.objects.values_list("text", flat=True)}
    assert set(TRICKY_TEXTS) | {"-0 minus", "patient comment 5", "Staff nurse"} <= stored
    # Approved, credited with a random label (never the running number) and no job title.
    assert not QuoteReview.objects.exclude(status=QuoteStatus.APPROVED).exists()
    for review in QuoteReview.objects.select_related(
        "answer__response__service", "answer__response__questionnaire", "answer__question"
    ):
        response, label = review.answer.response, quote_label(review.answer.response_id, review.answer.question.code)
        expected = f"CL{label}" if response.questionnaire.code == "patient" else f"Staff member {label}"
        assert review.attribution == expected, response.number

    exported = export(national_client)
    records = list(csv.DictReader(io.StringIO(exported.decode())))
    # Released answers only, by month of release: CL's first 5 patients (released on
    # 2025-10-05) and 5 staff; Morpeth's 5 paper patients. One of each CL group waits.
    assert Counter((r["service"], r["questionnaire"], r["month"]) for r in records) == {
        ("CL", "patient", "2025-10"): 5,
        ("CL", "staff", "2025-11"): 5,
        ("M", "patient", "2014-06"): 5,
    }
    assert all(r["more_user_led.yes"] == "1" and r["time_in_secure"] == "5_9y" for r in records if r["service"] == "M")
    assert all(r["benefits.insight"] == "1" for r in records if r["questionnaire"] == "staff")
    # CL's first five patients answered yes, sometimes, no, yes, sometimes.
    usefuls = [r["useful.yes"] + r["useful.sometimes"] + r["useful.no"] for r in records if r["questionnaire"] == "patient"]
    assert sorted(usefuls) == ["000"] * 5 + ["001", "010", "010", "100", "100"]  # Morpeth's did not answer it
    text = exported.decode()
    assert not any(t in text for t in [*TRICKY_TEXTS, "HYPERLINK", "minus", "comment", "Staff nurse", "2025-10-0"])
    assert not {"number", "channel", "submitted_on"} & set(records[0])

    # The export is no import file: it has no days (and no numbers), so it is refused whole.
    before = Response.objects.count()
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(exported)
    problems = [str(error) for error in invalid.value.errors]
    assert "line 1: submitted_on: This column is missing." in problems
    assert any(problem.startswith("line 1: month: Unknown column") for problem in problems)
    assert Response.objects.count() == before


# --- the command -------------------------------------------------------------


def test_command_lists_every_bad_line_on_stderr_and_stores_nothing(chadwick, tmp_path):
    path = tmp_path / "paper.csv"
    path.write_bytes(
        csv_file(
            "CL,patient,1,,2014-06-30,,1,0,0,0,0,,,",
            "CL,patient,1,,2014-06-31,,1,0,0,0,0,,,",
            "CL,patient,1,fax,2014-06-30,,1,0,0,0,0,,,",
        )
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_responses", str(path), stdout=out, stderr=err)
    assert failure.value.returncode == 1
    assert err.getvalue().splitlines() == [
        "line 3: submitted_on: Expected a date as YYYY-MM-DD, e.g. 2014-06-30, not '2014-06-31'.",
        "line 4: channel: Expected tablet, web, paper or empty (paper), not 'fax'.",
    ]
    assert str(failure.value) == f"Nothing imported from {path}: 2 problem(s), listed above."
    assert out.getvalue() == "" and Response.objects.count() == 0


def test_dry_run_checks_everything_and_stores_nothing(chadwick, tmp_path):
    path = tmp_path / "paper.csv"
    path.write_bytes(csv_file("CL,patient,1,,2014-06-30,3,1,0,0,0,0,,,"))
    out = io.StringIO()
    call_command("import_responses", str(path), "--dry-run", stdout=out)
    assert out.getvalue() == f"Checked 1 responses from {path}; nothing stored (dry run).\n"
    assert Response.objects.count() == 0
    chadwick.refresh_from_db()
    assert chadwick.last_number == 0


def test_command_exit_status_in_a_real_process(tmp_path):
    """What a shell script sees: status 1, every problem on stderr, nothing on stdout.

    One process (Django starts slowly): it migrates its own SQLite file, adds CL, then runs
    the command as manage.py would.
    """
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file("CL,patient,1,,2014-06-30,,0,0,0,0,0,,,", "XX,patient,1,,2014-06-30,,1,0,0,0,0,,,"))
    script = (
        "import django, io, sys; django.setup()\n"
        "from django.core.management import call_command, execute_from_command_line\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('add_service', 'CL', name='Chadwick Lodge', security='low', stdout=io.StringIO())\n"
        "execute_from_command_line(['manage.py', 'import_responses', sys.argv[1]])\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DJANGO_SETTINGS_MODULE": "peersurvey.settings"}
    failed = subprocess.run(
        [sys.executable, "-c", script, str(bad)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert (failed.returncode, failed.stdout) == (1, "")
    assert failed.stderr.splitlines() == [
        "line 2: No answers: no option is marked 1 and no text is given. A questionnaire with no answers is not stored.",
        "line 3: service: No service has code 'XX'; add it with add_service first.",
        f"CommandError: Nothing imported from {bad}: 2 problem(s), listed above.",
    ]


def test_a_version_or_number_of_thousands_of_digits_is_a_line_error_not_a_crash(chadwick):
    huge = "9" * 5000
    data = csv_file(f"CL,patient,{huge},,2014-06-30,,1,0,0,0,0,,,0", f"CL,patient,1,,2014-06-30,{huge},1,0,0,0,0,,,0")
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(data)
    assert [(error.line, error.field) for error in invalid.value.errors] == [(2, "version"), (3, "number")]
    assert Response.objects.count() == 0
