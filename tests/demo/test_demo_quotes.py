"""The demo tells the truth: each of the report's quotes once, by the group the
report credits it to, in the box of the question it answers; and the demo's
reviews, report text and actions are written once however often it runs."""

import io
import random
import tomllib
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboard.models import Action, ReportText
from demo.generate import DEMO_DIR, demo_answers, demo_count, demo_waves, load_texts, quote_places, with_quotes
from surveys.codes import GROUPS, JOB_TITLE
from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.models import QuoteReview, TextAnswer, Theme
from surveys.report_2014 import report_2014
from surveys.validation import clean_answers

TEXTS = load_texts()
NEWEST = {group: load_file(QUESTIONNAIRE_DIR / f"{group}.v2.toml") for group in GROUPS}
# Small enough to be quick, big enough for every person the report quotes to find a response.
SMALL = "0.2"


def test_texts_keep_every_quote_with_its_group_and_question():
    assert Counter(quote.group for quote in TEXTS.quotes) == {"patient": 78, "staff": 61}
    for quote in TEXTS.quotes:
        question = NEWEST[quote.group].question(quote.question)
        assert question is not None and question.kind == "text", (quote.credit, quote.question)
        assert quote.question != JOB_TITLE
    # Patients are credited by service: one the demo has.
    with open(DEMO_DIR / "services.toml", "rb") as handle:
        codes = {row["code"] for row in tomllib.load(handle)["services"]}
    assert {quote.service for quote in TEXTS.quotes if quote.group == "patient"} <= codes
    # The staff's quotes stay with staff, the patients' with patients (the issue's examples).
    groups = {quote.text: quote.group for quote in TEXTS.quotes}
    assert groups["patient lived experience is valuable - gives patients a purpose and role in helping others; promotes people's recovery who both and give and receive peer support"] == "staff"  # fmt: skip
    assert groups["patients could be trained and empowered by staff or peer educators on how best to help each other"] == "staff"
    assert groups["I’ve done it! It works well"] == "patient"
    # Free text that is not the report's is only the generic job titles.
    assert set(TEXTS.generic) == {JOB_TITLE}


def test_each_person_quoted_gets_their_boxes_their_answers_and_job_title():
    figures, rng = report_2014(), random.Random(3)
    for person in TEXTS.respondents():
        definition = NEWEST[person.group]
        answers = clean_answers(
            definition, with_quotes(definition, demo_answers(definition, figures, TEXTS.generic, rng), person)
        )
        for quote in person.quotes:
            assert answers[quote.question] == quote.text
            assert definition.question(quote.question).applies(answers), quote.credit
            for code, value in quote.answers:
                assert answers[code] == value, (quote.credit, code)
        if person.group == "staff":
            assert answers[JOB_TITLE] == person.job_title


def test_at_full_size_everyone_quoted_answers_in_their_own_service_in_the_round_open_now():
    with open(DEMO_DIR / "services.toml", "rb") as handle:
        services = tomllib.load(handle)["services"]
    waves = demo_waves(date(2026, 11, 30))
    counts = {(w.code, row["code"], group): demo_count(row, w, group) for w in waves for row in services for group in GROUPS}
    questions = {
        (w.code, group): frozenset(
            q.code for q in load_file(QUESTIONNAIRE_DIR / f"{group}.v{1 if w.paper else 2}.toml").questions
        )
        for w in waves
        for group in GROUPS
    }
    people = TEXTS.respondents()
    places = quote_places(people, counts, questions, waves=["2026", "2025", "2014"], services=[row["code"] for row in services])
    assert len(places) == len(people) == len(set(map(id, places.values())))
    for (wave, service, group, index), person in places.items():
        assert (wave, group) == ("2026", person.group)
        assert index < counts[(wave, service, group)]
        if person.service:
            assert service == person.service, person.credit


@pytest.fixture
def small_demo(db):
    call_command("demo", "--scale", SMALL, stdout=io.StringIO())


def test_each_report_quote_is_in_one_response_of_the_group_the_report_credits(small_demo):
    texts = TextAnswer.objects.exclude(question__code=JOB_TITLE).values_list(
        "text", "question__code", "response__questionnaire__code", "response_id"
    )
    given = Counter(text for text, *_ in texts)
    assert set(given) == {quote.text for quote in TEXTS.quotes}, "every quote, and no other free text"
    assert max(given.values()) == 1
    where = {text: (question, group) for text, question, group, _ in texts}
    for quote in TEXTS.quotes:
        assert where[quote.text] == (quote.question, quote.group), quote.credit
    # One person's quotes in one response; different people's in different ones.
    response = {text: response_id for text, *_, response_id in texts}
    people = TEXTS.respondents()
    for person in people:
        assert len({response[quote.text] for quote in person.quotes}) == 1, person.credit
    assert len(set(response.values())) == len(people)


def test_the_demo_reviews_and_writes_the_report_once(small_demo):
    reviews = QuoteReview.objects.select_related("answer__response__service", "answer__response__questionnaire")
    waiting = TEXTS.waiting()
    assert reviews.count() == len(TEXTS.quotes) - len(waiting)
    assert not reviews.filter(answer__text__in=[quote.text for quote in waiting]).exists()
    chosen = reviews.filter(for_report=True)
    assert chosen.count() == sum(quote.report for quote in TEXTS.quotes) >= 5
    assert len({review.answer.question.code for review in chosen}) == chosen.count(), "under different questions"
    for review in reviews.filter(for_patients=True):
        assert (review.answer.response.service.code, review.answer.response.questionnaire.code) == ("CC", "patient")
    assert reviews.filter(for_patients=True).exists()
    assert {"Trust", "Restrictions", "Training", "Belonging"} <= set(Theme.objects.values_list("name", flat=True))
    assert reviews.filter(themes__name="Trust").exists()

    national = ReportText.objects.get(service__isnull=True)
    service = ReportText.objects.get(service__code="CC")
    assert national.wave == service.wave and national.wave.opens <= timezone.localdate() <= national.wave.closes
    assert national.conclusions and service.conclusions
    # The 2014 report's 16 recommendations, numbered by the report (not twice).
    assert len(national.recommendation_list) == 16
    assert not any(item[0].isdigit() for item in national.recommendation_list)
    actions = Action.objects.filter(service__code="CC", wave=national.wave)
    assert 3 <= actions.count() <= 4 and all(a.you_said and a.we_did for a in actions)

    before = _counts()
    out = io.StringIO()
    call_command("demo", "--scale", SMALL, stdout=out)
    assert "0 quotes reviewed now" in out.getvalue() and "0 written now" in out.getvalue()
    assert _counts() == before


def _counts() -> dict[str, int]:
    reviews = QuoteReview.objects
    return {
        "texts": TextAnswer.objects.count(),
        "reviews": reviews.count(),
        "for the report": reviews.filter(for_report=True).count(),
        "for patients": reviews.filter(for_patients=True).count(),
        "tagged": QuoteReview.themes.through.objects.count(),
        "themes": Theme.objects.count(),
        "report texts": ReportText.objects.count(),
        "actions": Action.objects.count(),
    }
