"""Paper entry: CSV import in the response export's layout, the import_responses
command, and the paper form on the dashboard."""

import io
import os
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from surveys.imports import ImportInvalid, responses_import
from surveys.models import ChoiceAnswer, CollectionLink, QuoteReview, QuoteStatus, Response, Service, TextAnswer
from surveys.quotes import quote_review
from surveys.selectors import latest_loaded, latest_questionnaire
from surveys.services import response_submit
from surveys.validation import Submission, clean_answers
from tests.dashboard_helpers import answer, lead, service

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "service,questionnaire,version,channel,submitted_on,number,"
    "useful.yes,useful.sometimes,useful.no,fears.trust,fears.confidentiality,benefits.reduces_workload,"
    "job_title,useful_why"
)


def csv_file(*lines, header=HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


def chosen(response) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for question, option in (
        ChoiceAnswer.objects.filter(response=response)
        .values_list("option__question__code", "option__code")
        .order_by("option__question__position", "option__position")
    ):
        codes.setdefault(question, []).append(option)
    return codes


def texts(response) -> dict[str, str]:
    return dict(TextAnswer.objects.filter(response=response).values_list("question__code", "text"))


def paper(service_, group, answers, *, on, number=None):
    """A paper questionnaire stored as paper import and paper entry store one."""
    questionnaire = latest_questionnaire(group)
    definition = latest_loaded(group).definition
    return response_submit(
        service=service_,
        questionnaire=questionnaire,
        channel="paper",
        submitted_on=on,
        number=number,
        submission=Submission(client_id=uuid.uuid4(), answers=clean_answers(definition, answers)),
    ).response


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


def test_export_import_export_is_byte_identical(db, client, tmp_path):
    national_lead = lead("national_lead", "partnership_lead", review=True)
    cl, m = service("CL", specialisms=["women"]), service("M", security="medium")
    for index in range(6):
        answer(
            cl,
            "patient",
            {
                "useful": ["yes", "sometimes", "no"][index % 3],
                "fears": ["trust", "boundaries"][: index % 3],
                "useful_why": ['=HYPERLINK("http://evil.example")', "Line one\nline two", "café – ‘quoted’"][index % 3],
                "comments": f"patient comment {index}",
            },
            on=date(2026, 10, 1 + index),
        )
        answer(
            cl,
            "staff",
            {
                "benefits": ["reduces_workload", "insight"],
                "job_title": "Staff nurse",
                "comments": f"-{index} minus",
            },
            on=date(2026, 11, 1),
        )
    for index in range(5):
        paper(m, "patient", {"more_user_led": "yes", "time_in_secure": "5_9y"}, on=date(2014, 6, 30), number=20 + index)
    for position, text in enumerate(TextAnswer.objects.order_by("response__service__code", "response__number", "id")):
        if position % 4 == 3:
            continue  # left unreviewed: not exported
        approve = position % 4 != 2
        quote_review(
            answer=text,
            approve=approve,
            text=f"{text.text} [edited]" if position % 5 == 0 else text.text,
            attribution="as reviewed",
        )
    client.force_login(national_lead)
    first = export(client)
    assert first.count(b"\r\n") > 17 and b"'=HYPERLINK" in first and b"[edited]" in first

    # An empty database, apart from the services the file names.
    Response.objects.all().delete()
    CollectionLink.objects.all().delete()
    Service.objects.all().delete()
    call_command(
        "add_service", "CL", "--name", "Chadwick Lodge", "--security", "low", "--specialism", "women", stdout=io.StringIO()
    )
    call_command("add_service", "M", "--name", "Morpeth", "--security", "medium", stdout=io.StringIO())
    path = tmp_path / "peer-support-responses.csv"
    path.write_bytes(first)
    out = io.StringIO()
    call_command("import_responses", str(path), "--texts-approved", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == f"Imported 17 responses from {path}\n"
    assert not QuoteReview.objects.exclude(status=QuoteStatus.APPROVED).exists()
    assert (
        QuoteReview.objects.get(
            answer__response__service__code="CL", answer__response__number=1, answer__question__code="comments"
        ).attribution
        == "CL1"
    )

    assert export(client) == first


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


# --- the paper form ------------------------------------------------------------


@pytest.fixture
def service_lead(chadwick, morpeth):
    return lead("service_lead", "service_lead", services=["CL"])


def test_paper_form_stores_a_paper_questionnaire_and_starts_again_empty(client, service_lead):
    client.force_login(service_lead)
    page = client.get("/dashboard/paper/CL/patient/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Date on the paper form" in html and f'value="{timezone.localdate().isoformat()}"' in html
    assert "<fieldset" in html and 'for="id_useful_why"' in html

    reply = client.post(
        "/dashboard/paper/CL/patient/",
        {
            "paper_date": "2014-06-30",
            "useful": "sometimes",
            "fears": ["trust", "boundaries"],
            "useful_why": "Someone who has been there",
            "client_id": page.context["form"]["client_id"].value(),
        },
        follow=True,
    )

    assert reply.redirect_chain == [("/dashboard/paper/CL/patient/", 302)]
    html = reply.content.decode()
    assert "Saved paper questionnaire CL1" in html
    assert "Someone who has been there" not in html and "checked" not in html
    response = Response.objects.get()
    assert (response.service.code, response.questionnaire.code, response.channel, response.submitted_on, response.link) == (
        "CL",
        "patient",
        "paper",
        date(2014, 6, 30),
        None,
    )
    assert chosen(response) == {"useful": ["sometimes"], "fears": ["trust", "boundaries"]}
    assert texts(response) == {"useful_why": "Someone who has been there"}


def test_paper_form_stores_a_double_click_once(client, service_lead):
    client.force_login(service_lead)
    form = {"paper_date": "2014-06-30", "useful": "yes", "client_id": str(uuid.uuid4())}
    client.post("/dashboard/paper/CL/staff/", form)
    reply = client.post("/dashboard/paper/CL/staff/", form, follow=True)
    assert "Saved paper questionnaire CL1" in reply.content.decode()
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    "form,message",
    [
        ({"paper_date": "2014-06-30"}, "No answers were given"),
        ({"paper_date": "2999-01-01", "useful": "yes"}, "cannot be in the future"),
        ({"paper_date": "", "useful": "yes"}, "This field is required"),
        ({"paper_date": "2014-06-30", "useful": "perhaps"}, "Select a valid choice"),
    ],
)
def test_paper_form_refuses_bad_input_and_stores_nothing(client, service_lead, form, message):
    client.force_login(service_lead)
    reply = client.post("/dashboard/paper/CL/patient/", form)
    assert reply.status_code == 200 and message in reply.content.decode()
    assert Response.objects.count() == 0


def test_paper_chooser_offers_only_the_leads_services(client, service_lead):
    client.force_login(service_lead)
    page = client.get("/dashboard/paper/")
    assert page.status_code == 200
    assert 'value="CL"' in page.content.decode() and 'value="M"' not in page.content.decode()
    assert 'href="/dashboard/paper/" aria-current="page">Paper entry' in page.content.decode()
    reply = client.get("/dashboard/paper/", {"service": "CL", "questionnaire": "staff"})
    assert (reply.status_code, reply["Location"]) == (302, "/dashboard/paper/CL/staff/")
    assert client.get("/dashboard/paper/", {"service": "M", "questionnaire": "staff"}).status_code == 403


def test_a_service_lead_may_not_enter_paper_for_another_service(client, service_lead):
    client.force_login(service_lead)
    assert client.get("/dashboard/paper/M/patient/").status_code == 403
    assert client.post("/dashboard/paper/M/patient/", {"paper_date": "2014-06-30", "useful": "yes"}).status_code == 403
    assert client.get("/dashboard/paper/CL/carers/").status_code == 404
    assert Response.objects.count() == 0


def test_a_partnership_lead_may_enter_paper_for_any_service(client, chadwick, morpeth):
    client.force_login(lead("national_lead", "partnership_lead"))
    reply = client.post("/dashboard/paper/M/staff/", {"paper_date": "2014-06-30", "useful": "no"})
    assert reply.status_code == 302
    assert Response.objects.get().service.code == "M"
    assert client.get("/dashboard/paper/NOPE/staff/").status_code == 404


def test_paper_entry_needs_a_login(client, chadwick):
    for url in ("/dashboard/paper/", "/dashboard/paper/CL/patient/"):
        reply = client.get(url)
        assert (reply.status_code, reply["Location"]) == (302, f"/accounts/login/?next={url}")
    reply = client.post("/dashboard/paper/CL/patient/", {"paper_date": "2014-06-30", "useful": "yes"})
    assert reply.status_code == 302 and reply["Location"].startswith("/accounts/login/")
    assert Response.objects.count() == 0
