"""The one validator, as plain functions: no database."""

import uuid

import pytest

from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.validation import (
    NO_ANSWERS,
    SubmissionInvalid,
    answers_digest,
    clean_answers,
    clean_submission,
)

PATIENT = load_file(QUESTIONNAIRE_DIR / "patient.v1.toml")
STAFF = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")


def errors_of(definition, answers):
    with pytest.raises(SubmissionInvalid) as caught:
        clean_answers(definition, answers)
    return caught.value.errors


def test_clean_answers_keeps_questionnaire_order_and_drops_skips():
    cleaned = clean_answers(
        STAFF,
        {
            "fears": ["trust"],
            "useful": "sometimes",
            "ideal_forms": ["wellbeing", "emotional"],
            "useful_why": "  it depends on the ward \r\n and the people  ",
            "barriers": [],
            "comments": "",
            "gender": None,
        },
    )
    assert cleaned == {
        "useful": "sometimes",
        "useful_why": "it depends on the ward \n and the people",
        "ideal_forms": ("emotional", "wellbeing"),
        "fears": ("trust",),
    }
    assert list(cleaned) == ["useful", "useful_why", "ideal_forms", "fears"]


def test_unknown_question_and_option_are_named():
    errors = errors_of(PATIENT, {"useful": "maybe", "favourite_colour": "blue", "fears": ["trust", "spiders"]})
    assert set(errors) == {"useful", "favourite_colour", "fears"}
    assert "maybe" in errors["useful"][0]
    assert "Unknown question" in errors["favourite_colour"][0]
    assert "spiders" in errors["fears"][0]


def test_patients_are_not_asked_about_staff_workload():
    assert "reduces_workload" in errors_of(PATIENT, {"benefits": ["reduces_workload"]})["benefits"][0]
    assert clean_answers(STAFF, {"benefits": ["reduces_workload"]}) == {"benefits": ("reduces_workload",)}


def test_staff_have_no_time_in_service_question():
    assert "Unknown question" in errors_of(STAFF, {"time_in_service": "lt_1y"})["time_in_service"][0]


@pytest.mark.parametrize("value", [["yes"], 1, True, {"yes": 1}, ["yes", "no"]])
def test_one_choice_needs_one_code(value):
    assert "useful" in errors_of(STAFF, {"useful": value})


@pytest.mark.parametrize("value", ["emotional", 5, {"emotional": True}, ["emotional", "emotional"], [None]])
def test_many_choice_needs_a_list_of_distinct_codes(value):
    assert "ideal_forms" in errors_of(STAFF, {"ideal_forms": value})


def test_text_limits():
    limit = STAFF.question("comments").max_length
    assert clean_answers(STAFF, {"comments": "x" * limit})["comments"] == "x" * limit
    too_long = errors_of(STAFF, {"comments": "x" * (limit + 1)})["comments"][0]
    assert f"{limit + 1} characters, at most {limit}" in too_long
    assert "control characters" in errors_of(STAFF, {"comments": "nul \x00 byte"})["comments"][0]
    assert "not valid Unicode" in errors_of(STAFF, {"comments": "half \ud800 pair"})["comments"][0]
    assert "Expected text" in errors_of(STAFF, {"comments": ["a list"]})["comments"][0]


@pytest.mark.parametrize("answers", [{}, None, {"useful": None, "comments": "   ", "fears": []}])
def test_nothing_answered_is_refused(answers):
    assert errors_of(STAFF, answers) == {"answers": [NO_ANSWERS]}


def test_submission_envelope():
    client_id = uuid.uuid4()
    submission = clean_submission(STAFF, {"client_id": str(client_id), "answers": {"useful": "yes"}})
    assert submission.client_id == client_id
    with pytest.raises(SubmissionInvalid) as caught:
        clean_submission(STAFF, {"client_id": "not-a-uuid", "answers": {"useful": "yes"}, "ip": "10.0.0.1"})
    assert set(caught.value.errors) == {"client_id", "ip"}
    with pytest.raises(SubmissionInvalid) as caught:
        clean_submission(STAFF, ["not", "an", "object"])
    assert set(caught.value.errors) == {"body"}


def test_digest_ignores_key_order_but_not_content():
    one = answers_digest({"useful": "yes", "fears": ("trust",)})
    assert one == answers_digest({"fears": ("trust",), "useful": "yes"})
    assert one != answers_digest({"useful": "no", "fears": ("trust",)})
    assert len(one) == 64
