"""The questionnaire files: the contract's codes exactly, Appendix V's wording, and a loader
that rejects a broken file with a message naming the file and the problem."""

import re
import tomllib
from pathlib import Path

import pytest

from surveys.definitions import QUESTIONNAIRE_DIR, DefinitionError, load_all, load_file
from tests.surveys.spec_codes import expected

PATIENT = load_file(QUESTIONNAIRE_DIR / "patient.v1.toml")
STAFF = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_953dce565dfa1092.txt"


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_every_spec_code_exactly(definition):
    choice_questions = {q.code: (q.kind, list(q.option_codes)) for q in definition.questions if q.kind != "text"}
    want = {code: spec for code, spec in expected(definition.code).items() if spec[0] != "text"}
    assert choice_questions == want


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_free_text_codes_follow_the_spec_pattern(definition):
    texts = [q for q in definition.questions if q.kind == "text"]
    assert "comments" in {q.code for q in texts}
    for question in texts:
        if question.code in ("comments", "job_title"):
            continue
        assert re.search(r"_(why|other|detail)$", question.code), question.code
        assert question.code.startswith(question.parent), question.code
    assert ("job_title" in {q.code for q in texts}) == (definition.code == "staff")


def test_both_files_share_chart_titles_and_option_labels():
    for staff_question in STAFF.questions:
        patient_question = PATIENT.question(staff_question.code)
        if patient_question is None or staff_question.kind == "text":
            continue
        assert patient_question.chart_title == staff_question.chart_title, staff_question.code
        patient_labels = {o.code: o.label for o in patient_question.options}
        for option in staff_question.options:
            if option.code in patient_labels:
                assert patient_labels[option.code] == option.label, (staff_question.code, option.code)


def test_patient_file_is_written_in_easy_read():
    for question in PATIENT.questions:
        assert question.easy_text, question.code
        # Easy read: short questions (the report's own wording can run to 40 words).
        assert len(question.easy_text.split()) <= 16, question.easy_text
        for option in question.options:
            assert option.easy_label, (question.code, option.code)
    main_options = [o for q in PATIENT.questions if q.section != "about_you" for o in q.options]
    assert all(option.icon for option in main_options), "every main option has a picture"


def test_patient_about_you_comes_last_and_asks_time_in_secure_separately():
    about = [q.code for q in PATIENT.questions if q.section == "about_you"]
    assert about == ["time_in_service", "time_in_secure", "gender", "age_band", "ethnicity"]
    assert PATIENT.questions[-1].section == "about_you"
    assert PATIENT.question("time_in_service").text != PATIENT.question("time_in_secure").text


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip().lower()


@pytest.mark.skipif(not SEED.exists(), reason="the report is in ../shared/seeds")
def test_staff_wording_is_appendix_v():
    appendix = _normalise(SEED.read_text(encoding="utf-8").split("Appendix V", 1)[1])
    for code, words in {
        "useful": "Do you think that peer support can be useful in secure services?",
        "ideal_forms": "In an ideal service, what forms of support do you think patients are able to offer each other?",
        "current_forms": "How do patients support each other within your service?",
        "more_user_led": "Do you think that user-led peer support could happen more in your service?",
        "barriers": "What barriers are there to getting good peer support within your service?",
        "fears": "Do you have any fears or concerns about peer support?",
    }.items():
        assert STAFF.question(code).text == words
        assert _normalise(words) in appendix
    option_labels = [o.label for q in STAFF.questions if q.section != "about_you" for o in q.options]
    found = [label for label in option_labels if _normalise(label).rstrip(".") in appendix]
    # Yes / No / Sometimes and every lettered option come from Appendix V.
    assert len(found) >= 0.9 * len(option_labels), sorted(set(option_labels) - set(found))


def test_files_load_as_a_set():
    assert [(d.code, d.version) for d in load_all()] == [("patient", 1), ("patient", 2), ("staff", 1), ("staff", 2)]


BROKEN = [
    ('code = "patient"', 'code = "visitor"', "code 'visitor' is not one of patient, staff"),
    ("version = 1", "version = 0", "version must be a positive whole number"),
    ('kind = "many"', 'kind = "several"', "kind 'several' is not one of one, many, text"),
    ('code = "useful"', 'code = "Useful"', "code 'Useful' must be lower case"),
    ('code = "ideal_forms"', 'code = "useful"', "question code 'useful' appears twice"),
    ('parent = "useful"', 'parent = "nothing"', "parent 'nothing' must be a question earlier in the file"),
    ('icon = "yes"', 'icon = "no_such_picture"', "icon 'no_such_picture' has no file static/icons/no_such_picture.svg"),
]


def refusal(tmp_path, name: str, old: str, new: str) -> str:
    """The loader's message for the questionnaire file `name` with `old` changed to `new`."""
    source = (QUESTIONNAIRE_DIR / name).read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / name
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    return str(caught.value)


@pytest.mark.parametrize("old,new,message", BROKEN, ids=[b[2][:30] for b in BROKEN])
def test_broken_file_is_rejected_naming_file_and_problem(tmp_path, old, new, message):
    refused = refusal(tmp_path, "patient.v1.toml", old, new)
    assert refused.startswith("patient.v1.toml: ")
    assert message in refused


def test_misnamed_file_and_bad_toml_are_rejected(tmp_path):
    misnamed = tmp_path / "staff.v2.toml"
    misnamed.write_text((QUESTIONNAIRE_DIR / "staff.v1.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^staff.v2.toml: the file should be named staff.v1.toml"):
        load_file(misnamed)
    garbage = tmp_path / "staff.v1.toml"
    garbage.write_text("code = \n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^staff.v1.toml: is not valid TOML"):
        load_file(garbage)


def test_missing_easy_read_wording_is_rejected_for_patients(tmp_path):
    data = tomllib.loads((QUESTIONNAIRE_DIR / "patient.v1.toml").read_text(encoding="utf-8"))
    source = (QUESTIONNAIRE_DIR / "patient.v1.toml").read_text(encoding="utf-8")
    first_easy = next(line for line in source.splitlines() if line.startswith("easy_text"))
    path = tmp_path / "patient.v1.toml"
    path.write_text(source.replace(first_easy + "\n", "", 1), encoding="utf-8")
    with pytest.raises(DefinitionError, match=rf"question '{data['questions'][0]['code']}': 'easy_text' is missing"):
        load_file(path)
