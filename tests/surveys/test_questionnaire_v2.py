"""Questionnaire version 2 (`patient.v2.toml`, `staff.v2.toml`): the codes it adds, its
wording, the new schema keys (`example`, `exclusive`, `show_if`) and what they do at the
API: an exclusive answer goes alone, a follow-up is stored as sent, version 1 links keep
version 1's codes."""

import re
import tomllib
import uuid
from pathlib import Path

import pytest

from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.models import ChoiceAnswer, CollectionLink, Questionnaire, Response, TextAnswer
from surveys.selectors import latest_questionnaire, loaded_questionnaire
from tests.factories import chosen, texts
from tests.surveys.spec_codes import expected
from tests.surveys.test_definitions import refusal

PATIENT_V1 = load_file(QUESTIONNAIRE_DIR / "patient.v1.toml")
STAFF_V1 = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
PATIENT = load_file(QUESTIONNAIRE_DIR / "patient.v2.toml")
STAFF = load_file(QUESTIONNAIRE_DIR / "staff.v2.toml")
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_953dce565dfa1092.txt"

HELPED_BY = ["no_one", "patient", "staff", "advocate", "family", "other"]
# <question>: its options, each with a box of its own in version 2.
PER_OPTION = {
    "current_forms": ["emotional", "practical", "speaking_out", "information", "wellbeing"],
    "user_led_forms": ["groups", "influence", "friendships"],
    "when_useful": ["admission", "moving_wards", "discharge", "crisis", "good_day", "bad_day"],
}


def expected_v2(group: str) -> dict[str, tuple[str, list[str]]]:
    """docs/contract.md's version 1 table with what version 2 adds, choice questions only."""
    codes = {code: spec for code, spec in expected(group).items() if spec[0] != "text"}
    for code in ("user_led", "restrictions", "more_user_led"):
        codes[code] = ("one", [*codes[code][1], "not_sure"])
    for code in ("benefits", "barriers", "fears"):
        codes[code] = ("many", [*codes[code][1], "none"])
    if group == "patient":
        codes["age_band"] = ("one", ["under_16", *codes["age_band"][1]])
        codes["helped_by"] = ("many", HELPED_BY)
    return codes


# --- the files ---------------------------------------------------------------------


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_every_v2_choice_code_exactly(definition):
    got = {q.code: (q.kind, list(q.option_codes)) for q in definition.questions if q.is_choice}
    assert got == expected_v2(definition.code)


def test_helped_by_and_under_16_are_the_patients_only():
    helped_by = PATIENT.question("helped_by")
    assert helped_by.kind == "many" and helped_by.section == "final"
    # Asked at the very end: after the about-you questions and the final comments.
    assert PATIENT.questions[-1].code == "helped_by"
    assert "under_16" in PATIENT.question("age_band").option_codes
    assert STAFF.question("helped_by") is None
    assert "under_16" not in STAFF.question("age_band").option_codes


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_every_per_option_follow_up_is_there_and_beside_its_option(definition):
    for question, options in PER_OPTION.items():
        beside = definition.option_follow_ups(question)
        assert {option: [f.code for f in found] for option, found in beside.items()} == {
            option: [f"{question}_{option}_detail"] for option in options
        }, question
        for option in options:
            follow_up = definition.question(f"{question}_{option}_detail")
            assert (follow_up.kind, follow_up.parent, follow_up.show_if_options) == ("text", question, (option,))
            assert follow_up.option_detail_of == option
    user_led_other = definition.question("user_led_other")
    assert (user_led_other.kind, user_led_other.parent, user_led_other.option_detail_of) == ("text", "user_led", "")


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_exclusive_options_are_the_none_answers_and_no_one(definition):
    exclusive = {(q.code, o.code) for q in definition.questions for o in q.options if o.exclusive}
    want = {("benefits", "none"), ("barriers", "none"), ("fears", "none")}
    if definition.code == "patient":
        want.add(("helped_by", "no_one"))
    assert exclusive == want


@pytest.mark.parametrize("old,new", [(PATIENT_V1, PATIENT), (STAFF_V1, STAFF)], ids=["patient", "staff"])
def test_version_2_keeps_every_choice_code_of_version_1_with_its_wording(old, new):
    """Answers to both versions count together by code, so nothing a version 1 answer
    points at may go missing or change its label in version 2."""
    for question in old.questions:
        if not question.is_choice:
            continue
        kept = new.question(question.code)
        assert kept is not None and kept.kind == question.kind, question.code
        assert kept.chart_title == question.chart_title, question.code
        labels = {o.code: o.label for o in kept.options}
        for option in question.options:
            assert labels.get(option.code) == option.label, (question.code, option.code)


def test_shared_options_have_the_same_label_and_chart_title_in_both_files():
    shared = 0
    for staff_question in STAFF.questions:
        patient_question = PATIENT.question(staff_question.code)
        if patient_question is None or not staff_question.is_choice:
            continue
        assert patient_question.chart_title == staff_question.chart_title, staff_question.code
        patient_labels = {o.code: o.label for o in patient_question.options}
        for option in staff_question.options:
            if option.code in patient_labels:
                shared += 1
                assert patient_labels[option.code] == option.label, (staff_question.code, option.code)
    assert shared > 80  # every main and about-you option but reduces_workload


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_staff_file_has_no_paper_instructions():
    data = tomllib.loads((QUESTIONNAIRE_DIR / "staff.v2.toml").read_text(encoding="utf-8"))
    circling = [text for text in _strings(data) if re.search(r"circl", text, re.IGNORECASE)]
    assert circling == []


def test_patients_are_told_peer_support_is_about_mental_health():
    hint = PATIENT.question("useful").hint
    for text in (PATIENT.easy_intro, hint):
        assert "mental health" in text
        assert "hard times" not in text.lower()
    data = tomllib.loads((QUESTIONNAIRE_DIR / "patient.v2.toml").read_text(encoding="utf-8"))
    assert not [text for text in _strings(data) if "hard times" in text.lower()]


def test_staff_examples_are_appendix_v_word_for_word():
    examples = {(q.code, o.code): o.example for q in STAFF.questions for o in q.options if o.example}
    assert examples[("ideal_forms", "emotional")] == "“just talking”, asking “are you okay?”"
    assert examples[("ideal_forms", "practical")] == "“showing you around”, “making you a cup of tea”"
    assert examples[("barriers", "no_schemes")] == "Buddying, Ward Reps or Peer mentors"
    assert examples[("service_support", "more_schemes")] == "Buddying or Mentoring schemes"
    assert examples[("benefits", "choice")] == "“You choose friends – you don’t choose professionals”"
    for example in examples.values():
        # Without the paper's lead-in, and short enough for the database column.
        assert not re.match(r"(for example|eg\b)", example, re.IGNORECASE), example
        assert len(example) < 300, example


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip().lower()


@pytest.mark.skipif(not SEED.exists(), reason="the report is in ../shared/seeds")
def test_every_staff_example_is_in_appendix_v():
    appendix = _normalise(SEED.read_text(encoding="utf-8").split("Appendix V", 1)[1])
    examples = [o.example for q in STAFF.questions for o in q.options if o.example]
    assert len(examples) >= 10
    assert [example for example in examples if _normalise(example) not in appendix] == []


# --- the loader refuses a broken file ------------------------------------------------------

USER_LED_FORMS_SHOW_IF = 'show_if = { question = "user_led", options = ["yes"] }'
BROKEN = [
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = { question = "more_user_led", options = ["yes"] }',
        "question 'user_led_forms': show_if question 'more_user_led' must be a choice question earlier in the file",
    ),
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = { question = "user_led", options = ["maybe"] }',
        "question 'user_led_forms': show_if option 'maybe' is not an option of 'user_led'",
    ),
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = { question = "useful_why", options = ["yes"] }',
        "question 'user_led_forms': show_if question 'useful_why' must be a choice question earlier in the file",
    ),
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = { question = "no_such_question", options = ["yes"] }',
        "question 'user_led_forms': show_if question 'no_such_question' must be a choice question earlier in the file",
    ),
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = { question = "user_led", options = ["yes", "yes"] }',
        "question 'user_led_forms': show_if lists an option twice",
    ),
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = { question = "user_led", options = [] }',
        "question 'user_led_forms': show_if options must be a non-empty list of option codes",
    ),
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = "user_led"',
        "question 'user_led_forms': show_if must be a table",
    ),
    (
        USER_LED_FORMS_SHOW_IF,
        'show_if = { question = "user_led", options = ["yes"], when = "always" }',
        "question 'user_led_forms', show_if: unknown key 'when'",
    ),
    # A follow-up's show_if without `question` means its parent: its options are the parent's.
    (
        'show_if = { options = ["emotional"] }',
        'show_if = { options = ["cheerful"] }',
        "question 'current_forms_emotional_detail': show_if option 'cheerful' is not an option of 'current_forms'",
    ),
    # The first not_sure is user_led's, a one-choice question: exclusive already.
    (
        'code = "not_sure"\nlabel = "Not sure"\n',
        'code = "not_sure"\nlabel = "Not sure"\nexclusive = true\n',
        "question 'user_led': only a many-choice question has exclusive options",
    ),
    # The first exclusive option is benefits' none.
    ("exclusive = true", 'exclusive = "yes"', "question 'benefits', option 'none': exclusive must be true or false"),
    ("exclusive = true", "exclusive = 1", "question 'benefits', option 'none': exclusive must be true or false"),
]


@pytest.mark.parametrize("old,new,message", BROKEN, ids=[b[1][:40] for b in BROKEN])
def test_broken_v2_file_is_rejected_naming_file_and_problem(tmp_path, old, new, message):
    refused = refusal(tmp_path, "patient.v2.toml", old, new)
    assert refused.startswith("patient.v2.toml: ")
    assert message in refused


# --- branching and per-option boxes ------------------------------------------------------


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_user_led_forms_follow_only_a_yes(definition):
    user_led_forms = definition.question("user_led_forms")
    assert user_led_forms.applies({"user_led": "yes"})
    for answers in ({"user_led": "no"}, {"user_led": "not_sure"}, {}, {"user_led": None}, {"useful": "yes"}):
        assert not user_led_forms.applies(answers), answers
    # Its boxes follow their own option, not user_led.
    groups_detail = definition.question("user_led_forms_groups_detail")
    assert groups_detail.applies({"user_led_forms": ["groups", "influence"]})
    assert not groups_detail.applies({"user_led_forms": ["influence"]})
    assert not groups_detail.applies({"user_led": "yes"})


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_shared_experience_follows_only_its_option_of_who_can_support(definition):
    shared = definition.question("shared_experience")
    assert shared.applies({"who_can_support": ["shared_experience"]})
    assert shared.applies({"who_can_support": ["same_ward", "shared_experience"]})
    assert shared.applies({"who_can_support": ("shared_experience",)})  # as clean_answers returns it
    assert not shared.applies({"who_can_support": ["same_ward", "other_ward"]})
    assert not shared.applies({})


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_other_conditional_follow_ups(definition):
    for code in ("restrictions_detail", "user_led_other"):
        question = definition.question(code)
        parent = question.parent
        assert question.applies({parent: "yes"}) and question.applies({parent: "not_sure"}), code
        assert not question.applies({parent: "no"}) and not question.applies({}), code
    # service_support_detail keeps its version 1 code: shown under the question, only after fewer_restrictions.
    detail = definition.question("service_support_detail")
    assert detail.option_detail_of == ""
    assert detail.applies({"service_support": ["training", "fewer_restrictions"]})
    assert not detail.applies({"service_support": ["training"]})
    assert [f.code for f in definition.follow_ups("service_support")] == ["service_support_detail", "service_support_other"]
    # Unconditional follow-ups always apply.
    assert definition.question("useful_why").applies({}) and definition.question("current_forms_other").applies({})


@pytest.mark.parametrize("definition", [PATIENT, STAFF], ids=["patient", "staff"])
def test_current_forms_has_one_box_per_option_and_one_for_the_question(definition):
    beside = definition.option_follow_ups("current_forms")
    assert list(beside) == list(definition.question("current_forms").option_codes)
    assert all(len(found) == 1 for found in beside.values())
    # The per-option boxes are not also shown under the question as a whole.
    assert [f.code for f in definition.follow_ups("current_forms")] == ["current_forms_other"]
    assert [f.code for f in definition.follow_ups("user_led")] == ["user_led_other"]
    screen = dict((q.code, [f.code for f in follow_ups]) for q, follow_ups in definition.screens())
    assert screen["current_forms"] == ["current_forms_other"]
    assert "current_forms_emotional_detail" not in screen


def test_a_questionnaire_read_back_from_the_database_keeps_show_if_exclusive_and_examples(db):
    """Forms and validation read the stored rows, not the file: what the file says must survive."""
    for group, definition in (("patient", PATIENT), ("staff", STAFF)):
        questionnaire = latest_questionnaire(group)
        assert questionnaire.version == 2
        stored = loaded_questionnaire(questionnaire.pk).definition
        assert stored == definition
        assert stored.question("benefits").exclusive_codes == ("none",)
        assert stored.question("user_led_forms").applies({"user_led": "yes"})
        assert not stored.question("user_led_forms").applies({"user_led": "no"})
    assert loaded_questionnaire(latest_questionnaire("patient").pk).definition.question("helped_by").exclusive_codes == (
        "no_one",
    )


# --- the API ---------------------------------------------------------------------------


def body(answers):
    return {"client_id": str(uuid.uuid4()), "answers": answers}


@pytest.mark.parametrize(
    "link,answers,question",
    [
        ("ward_tablet", {"benefits": ["none", "choice"]}, "benefits"),
        ("ward_tablet", {"benefits": ["choice", "none"], "useful": "yes"}, "benefits"),
        ("ward_tablet", {"helped_by": ["no_one", "staff"]}, "helped_by"),
        ("ward_tablet", {"fears": ["trust", "none"], "comments": "fine otherwise"}, "fears"),
        ("staff_link", {"barriers": ["none", "peer_skills"]}, "barriers"),
        ("staff_link", {"benefits": ["reduces_workload", "none"]}, "benefits"),
    ],
)
def test_400_for_an_exclusive_option_with_another_and_nothing_stored(api, request, link, answers, question):
    reply = api.submit(request.getfixturevalue(link), body(answers))
    assert reply.status_code == 400
    errors = reply.json()["errors"]
    assert list(errors) == [question]
    assert "'none'" in errors[question][0] or "'no_one'" in errors[question][0]
    assert "chosen alone" in errors[question][0]
    assert Response.objects.count() == 0
    assert ChoiceAnswer.objects.count() == 0 and TextAnswer.objects.count() == 0


def test_201_for_an_exclusive_option_alone(api, ward_tablet, staff_link):
    reply = api.submit(ward_tablet, body({"benefits": ["none"], "helped_by": ["no_one"], "fears": ["none"]}))
    assert reply.status_code == 201
    response = Response.objects.get(id=reply.json()["id"])
    assert response.questionnaire.version == 2
    assert chosen(response) == {"benefits": ["none"], "fears": ["none"], "helped_by": ["no_one"]}
    reply = api.submit(staff_link, body({"barriers": ["none"], "user_led": "not_sure"}))
    assert reply.status_code == 201
    assert chosen(Response.objects.get(id=reply.json()["id"])) == {"user_led": ["not_sure"], "barriers": ["none"]}


def test_201_for_several_options_of_an_exclusive_question_without_its_exclusive_one(api, ward_tablet):
    reply = api.submit(ward_tablet, body({"helped_by": ["staff", "advocate"], "benefits": ["choice", "insight"]}))
    assert reply.status_code == 201
    response = Response.objects.get(id=reply.json()["id"])
    assert chosen(response) == {"benefits": ["choice", "insight"], "helped_by": ["staff", "advocate"]}


def test_new_v2_codes_are_stored(api, ward_tablet):
    answers = {
        "user_led": "not_sure",
        "restrictions": "not_sure",
        "more_user_led": "not_sure",
        "age_band": "under_16",
        "user_led_other": "We choose the film on Fridays",
        "current_forms": ["emotional", "wellbeing"],
        "current_forms_emotional_detail": "A hug",
        "current_forms_wellbeing_detail": "Football",
        "when_useful": ["crisis"],
        "when_useful_crisis_detail": "Someone who has been there",
    }
    reply = api.submit(ward_tablet, body(answers))
    assert reply.status_code == 201
    response = Response.objects.get(id=reply.json()["id"])
    assert chosen(response) == {
        "current_forms": ["emotional", "wellbeing"],
        "user_led": ["not_sure"],
        "restrictions": ["not_sure"],
        "more_user_led": ["not_sure"],
        "when_useful": ["crisis"],
        "age_band": ["under_16"],
    }
    assert texts(response) == {
        "user_led_other": "We choose the film on Fridays",
        "current_forms_emotional_detail": "A hug",
        "current_forms_wellbeing_detail": "Football",
        "when_useful_crisis_detail": "Someone who has been there",
    }


def test_a_follow_up_for_an_option_not_chosen_is_stored_as_sent(api, ward_tablet, staff_link):
    """Paper has no branching: what was written beside an unticked option is kept."""
    reply = api.submit(
        ward_tablet,
        body({"current_forms": ["emotional"], "current_forms_practical_detail": "They make me tea"}),
    )
    assert reply.status_code == 201
    response = Response.objects.get(id=reply.json()["id"])
    assert chosen(response) == {"current_forms": ["emotional"]}
    assert texts(response) == {"current_forms_practical_detail": "They make me tea"}
    # A question hidden by its condition is accepted too, and so is a box with no answer at all above it.
    reply = api.submit(
        staff_link,
        body({"user_led": "no", "user_led_forms": ["groups"], "user_led_forms_influence_detail": "Interview panels"}),
    )
    assert reply.status_code == 201
    response = Response.objects.get(id=reply.json()["id"])
    assert chosen(response) == {"user_led": ["no"], "user_led_forms": ["groups"]}
    assert texts(response) == {"user_led_forms_influence_detail": "Interview panels"}


@pytest.fixture
def version_1_tablet(chadwick):
    """A ward tablet made before version 2 was loaded: it keeps asking version 1."""
    return CollectionLink.objects.create(
        service=chadwick, questionnaire=Questionnaire.objects.get(code="patient", version=1), kiosk=True
    )


@pytest.fixture
def version_1_staff_link(chadwick):
    return CollectionLink.objects.create(service=chadwick, questionnaire=Questionnaire.objects.get(code="staff", version=1))


@pytest.mark.parametrize(
    "answers,question",
    [
        ({"benefits": ["none"]}, "benefits"),
        ({"helped_by": ["no_one"]}, "helped_by"),
        ({"user_led": "not_sure"}, "user_led"),
        ({"age_band": "under_16"}, "age_band"),
        ({"current_forms": ["practical"], "current_forms_practical_detail": "tea"}, "current_forms_practical_detail"),
        ({"user_led_other": "film night"}, "user_led_other"),
        ({"useful": "yes", "barriers": ["none"]}, "barriers"),
    ],
)
def test_400_for_v2_only_codes_on_a_version_1_link(api, version_1_tablet, answers, question):
    reply = api.submit(version_1_tablet, body(answers))
    assert reply.status_code == 400
    assert list(reply.json()["errors"]) == [question]
    assert Response.objects.count() == 0


def test_400_for_v2_only_codes_on_a_version_1_staff_link_which_keeps_its_own(api, version_1_staff_link):
    reply = api.submit(version_1_staff_link, body({"fears": ["none"], "restrictions": "not_sure"}))
    assert reply.status_code == 400
    assert set(reply.json()["errors"]) == {"fears", "restrictions"}
    assert Response.objects.count() == 0
    # Version 1's own free text, which version 2 replaced with a box per option, still goes in.
    reply = api.submit(version_1_staff_link, body({"current_forms": ["practical"], "current_forms_detail": "Making tea"}))
    assert reply.status_code == 201
    response = Response.objects.get(id=reply.json()["id"])
    assert response.questionnaire.version == 1
    assert texts(response) == {"current_forms_detail": "Making tea"}


def test_a_version_1_link_still_takes_version_1_answers(api, version_1_tablet):
    reply = api.submit(version_1_tablet, body({"useful": "yes", "benefits": ["choice"], "user_led": "no"}))
    assert reply.status_code == 201
    response = Response.objects.get(id=reply.json()["id"])
    assert (response.questionnaire.code, response.questionnaire.version) == ("patient", 1)
    assert chosen(response) == {"useful": ["yes"], "user_led": ["no"], "benefits": ["choice"]}


def test_invisible_characters_alone_are_no_answer(api, ward_tablet):
    """A zero-width space (or a byte-order mark) between spaces says nothing: the text is
    a skip, and a submission of nothing else is refused like an empty one."""
    reply = api.submit(ward_tablet, {"client_id": str(uuid.uuid4()), "answers": {"comments": " \u200b\ufeff \u200b "}})
    assert reply.status_code == 400 and "answers" in reply.json()["errors"]
    kept = api.submit(ward_tablet, {"client_id": str(uuid.uuid4()), "answers": {"useful": "yes", "comments": "\u200b"}})
    assert kept.status_code == 201
    assert not TextAnswer.objects.exists()
