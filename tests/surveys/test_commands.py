"""The management commands of docs/contract.md, including bad arguments."""

import io
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.definitions import QUESTIONNAIRE_DIR
from surveys.models import CollectionLink, Question, Questionnaire, Response, Service, new_token


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_add_service_creates_then_updates(db):
    out = run(
        "add_service",
        "SAN",
        "--name",
        "St Andrews Northampton",
        "--security",
        "medium",
        "--specialism",
        "women",
        "--specialism",
        "adolescent",
    )
    assert out.startswith("Created service SAN")
    service = Service.objects.get(code="SAN")
    assert sorted(service.specialism_codes) == ["adolescent", "women"]
    out = run(
        "add_service",
        "san",
        "--name",
        "St Andrew's Healthcare, Northampton",
        "--security",
        "enhanced_medium",
        "--specialism",
        "women",
    )
    assert out.startswith("Updated service SAN")
    service.refresh_from_db()
    assert (service.name, service.security, service.specialism_codes) == (
        "St Andrew's Healthcare, Northampton",
        "enhanced_medium",
        ["women"],
    )
    assert Service.objects.count() == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["add_service", "CC", "--name", "Cefn Carnau", "--security", "maximum"], "invalid choice: 'maximum'"),
        (["add_service", "CC", "--name", "Cefn Carnau", "--security", "low", "--specialism", "sport"], "invalid choice: 'sport'"),
        (["add_service", "C C!", "--name", "Cefn Carnau", "--security", "low"], "must be 1 to 12 letters or digits"),
        (["add_service", "CC", "--name", " ", "--security", "low"], "needs a name"),
        (["add_service", "CC", "--security", "low"], "the following arguments are required: --name"),
        (["create_link", "NOPE", "staff"], "No service has code 'NOPE'"),
        (["create_link", "CL", "visitor"], "invalid choice: 'visitor'"),
        (["create_link", "CL", "staff", "--kiosk"], "Kiosk (ward tablet) links are for the patient questionnaire"),
        (["revoke_link", "/c/not-a-token/"], "No collection link has that token"),
    ],
)
def test_bad_arguments_fail_clearly_and_change_nothing(chadwick, args, message):
    before = (Service.objects.count(), CollectionLink.objects.count())
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert (Service.objects.count(), CollectionLink.objects.count()) == before


def test_create_link_prints_the_path_last_and_it_opens(client, chadwick):
    out = run("create_link", "CL", "patient", "--kiosk")
    path = out.strip().splitlines()[-1]
    link = CollectionLink.objects.get()
    assert path == f"/c/{link.token}/"
    assert link.kiosk and link.channel == "tablet" and link.questionnaire.code == "patient"
    assert len(link.token) >= 22
    assert client.get(path).status_code == 200
    other = run("create_link", "cl", "staff").strip().splitlines()[-1]
    assert other != path


def test_revoke_link_accepts_the_printed_path(client, chadwick):
    path = run("create_link", "CL", "staff").strip().splitlines()[-1]
    assert "Revoked" in run("revoke_link", path)
    assert client.get(path).status_code == 404
    assert "Revoked" in run("revoke_link", path.strip("/").split("/")[-1])


def test_migrate_loaded_the_questionnaires_and_reloading_changes_nothing(db):
    assert sorted(Questionnaire.objects.values_list("code", "version")) == [
        ("patient", 1),
        ("patient", 2),
        ("staff", 1),
        ("staff", 2),
    ]
    count = Question.objects.count()
    assert run("load_questionnaires").strip() == "Questionnaires already up to date."
    assert Question.objects.count() == count


def test_load_questionnaires_rejects_a_broken_file_and_loads_nothing(db, tmp_path):
    shutil.copy(QUESTIONNAIRE_DIR / "staff.v1.toml", tmp_path / "staff.v1.toml")
    broken = (QUESTIONNAIRE_DIR / "patient.v1.toml").read_text(encoding="utf-8").replace('kind = "one"', 'kind = "odd"', 1)
    (tmp_path / "patient.v1.toml").write_text(broken, encoding="utf-8")
    before = list(Question.objects.values_list("text", flat=True))
    with pytest.raises(CommandError, match=r"patient.v1.toml: question '\w+': kind 'odd'"):
        run("load_questionnaires", "--dir", str(tmp_path))
    assert list(Question.objects.values_list("text", flat=True)) == before


def test_load_questionnaires_updates_wording_but_refuses_to_drop_answered_codes(db, tmp_path, api, staff_link):
    source = (QUESTIONNAIRE_DIR / "staff.v2.toml").read_text(encoding="utf-8")
    for name in ("patient.v1.toml", "patient.v2.toml", "staff.v1.toml"):
        shutil.copy(QUESTIONNAIRE_DIR / name, tmp_path / name)
    (tmp_path / "staff.v2.toml").write_text(source.replace("Please tell us why", "Please tell us why, briefly"), encoding="utf-8")
    assert run("load_questionnaires", "--dir", str(tmp_path)).strip() == "Questionnaire updated staff v2"
    question = Question.objects.get(questionnaire__code="staff", questionnaire__version=2, code="useful_why")
    assert question.text == "Please tell us why, briefly"

    api.submit(staff_link, {"client_id": "5f0c3c8e-1d4b-4a52-9d1e-2b1f0b6b1e11", "answers": {"useful": "sometimes"}})
    dropped = source.replace('code = "sometimes"', 'code = "at_times"')
    (tmp_path / "staff.v2.toml").write_text(dropped, encoding="utf-8")
    with pytest.raises(CommandError, match="option of 'useful' 'sometimes' has answers and cannot be removed"):
        run("load_questionnaires", "--dir", str(tmp_path))
    assert Response.objects.count() == 1


def test_show_links_lists_active_links(chadwick):
    run("create_link", "CL", "patient", "--kiosk")
    lines = run("show_links", "--base-url", "http://127.0.0.1:8000").strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CL\tpatient\tkiosk\thttp://127.0.0.1:8000/c/")


def test_link_tokens_never_start_with_a_dash_so_commands_take_them_as_arguments():
    # One token in 64 used to start with "-", which revoke_link read as an option.
    assert not any(new_token().startswith("-") for _ in range(1000))
