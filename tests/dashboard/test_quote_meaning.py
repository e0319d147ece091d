"""What a quote means: the answer its writer gave to the question it explains (only
where enough people of the service gave it), the question in words, themes counted per
group, and the quotes reviewers choose for the report and for patients."""

import re
from datetime import date
from html import unescape

import pytest

from audit.models import AuditEvent
from dashboard.access import access_for
from dashboard.data import patient_quotes_data, report_quotes_data
from dashboard.queries.quotes import AuthorAnswer, answers_shown, author_answer, question_wording
from surveys.models import QuoteReview, TextAnswer, Theme
from surveys.quotes import quote_review
from surveys.services import wave_upsert
from tests.factories import answer

# --- the decision, without a database -------------------------------------------------------

YES, NO, SOMETIMES, NOTHING = frozenset({1}), frozenset({2}), frozenset({3}), frozenset()
LABELS = {1: "Yes", 3: "Sometimes", 2: "No"}


def test_a_common_answer_is_shown_and_a_rare_one_withheld():
    shown = answers_shown({YES: 10, SOMETIMES: 3, NOTHING: 2}, min_cell=5)
    assert shown == {YES}
    assert author_answer(YES, shown=shown, labels=LABELS) == AuthorAnswer(("Yes",), withheld=False)
    assert author_answer(SOMETIMES, shown=shown, labels=LABELS) == AuthorAnswer((), withheld=True)
    # No answer, and few gave none: withheld too, so a blank reads like a rare answer.
    assert author_answer(NOTHING, shown=shown, labels=LABELS) == AuthorAnswer((), withheld=True)
    # No answer, and many gave none: nothing to say.
    assert author_answer(NOTHING, shown=answers_shown({YES: 5, NOTHING: 5}, min_cell=5), labels=LABELS) is None


def test_the_answers_left_unshown_are_none_or_at_least_min_cell():
    """Withheld quotes are among the rows that gave the other answers: a few such rows
    would point at their writers, so the least common shown answer joins them."""
    assert answers_shown({YES: 5, NO: 5}, min_cell=5) == {YES, NO}
    assert answers_shown({YES: 10, NO: 6, SOMETIMES: 3}, min_cell=5) == {YES}
    assert answers_shown({YES: 7, SOMETIMES: 3}, min_cell=5) == set()
    assert answers_shown({YES: 4}, min_cell=5) == set()
    assert answers_shown({}, min_cell=5) == set()


def test_a_many_choice_answer_is_the_whole_set_ticked():
    """Each option may be common while the combination is one person's: sets are counted whole."""
    trust, both, other = frozenset({1}), frozenset({1, 2}), frozenset({2})
    labels = {1: "Trust", 2: "Confidentiality"}
    shown = answers_shown({trust: 10, both: 5, other: 1, NOTHING: 4}, min_cell=5)
    assert shown == {trust, both}
    assert author_answer(frozenset({2, 1}), shown=shown, labels=labels).labels == ("Trust", "Confidentiality")
    # 2 gave both: withheld alone they would point at two rows, so the next rarest joins them.
    assert answers_shown({trust: 10, both: 2, other: 6}, min_cell=5) == {trust}


def test_a_question_in_words():
    assert question_wording("Any final comments or thoughts?") == "Any final comments or thoughts?"
    assert question_wording("Please tell us why", parent_title="Is it useful?") == "Is it useful? – Please tell us why"
    assert (
        question_wording("In what ways?", parent_title="How do peers help?", option_labels=("Emotional support",))
        == "How do peers help? – Emotional support: In what ways?"
    )


# --- a service's quotes -----------------------------------------------------------------------

DAY = date(2026, 11, 2)


@pytest.fixture
def wave(db):
    return wave_upsert(code="2026", name="Autumn 2026", opens=date(2026, 10, 1), closes=date(2026, 12, 31))[0]


@pytest.fixture
def cl_quotes(chadwick, wave):
    """CL, all released in the wave: 10 patients said Yes (fearing trust), 3 Sometimes
    (fearing trust and confidentiality), 2 gave no answer (and no fears); each says why;
    two wrote about their fears; 5 staff said Yes. Every text is approved."""
    for index in range(10):
        extra = {"fears_other": "only trust"} if index == 0 else {}
        answer(chadwick, "patient", {"useful": "yes", "useful_why": f"yes reason {index}", "fears": ["trust"], **extra}, on=DAY)
    for index in range(3):
        extra = {"fears_other": "trust and confidentiality"} if index == 0 else {}
        fears = ["trust", "confidentiality"]
        answer(
            chadwick,
            "patient",
            {"useful": "sometimes", "useful_why": f"sometimes reason {index}", "fears": fears, **extra},
            on=DAY,
        )
    for index in range(2):
        answer(chadwick, "patient", {"useful_why": f"blank reason {index}"}, on=DAY)
    for index in range(5):
        answer(chadwick, "staff", {"useful": "yes", "job_title": "Nurse", "useful_why": f"staff reason {index}"}, on=DAY)
    for number, text in enumerate(TextAnswer.objects.exclude(question__code="job_title").order_by("pk"), start=1):
        quote_review(answer=text, approve=True, text=text.text, attribution=f"CL{number}")
    return chadwick


def quote_items(html: str) -> dict[str, str]:
    """Each quote on the list page: its text -> its whole item."""
    items = re.findall(r'<li class="quote-item">(.*?)</li>', html, re.S)
    return {unescape(re.search(r"<blockquote[^>]*><p>“(.*?)”</p>", item, re.S).group(1)): item for item in items}


def text_id(text: str) -> int:
    return TextAnswer.objects.get(text=text).pk


def test_the_writers_answer_is_shown_beside_the_quote_where_enough_gave_it(national_client, cl_quotes):
    items = quote_items(national_client.get("/dashboard/quotes/?service=CL").content.decode())
    assert "answered “Yes”" in items["yes reason 3"]
    for withheld in ("sometimes reason 1", "blank reason 0"):
        assert "answered" not in items[withheld] and "Answer not shown" in items[withheld], items[withheld]
    # Many choices: the whole set ticked, where enough ticked exactly it.
    assert "Trust: the challenge of trusting other peers" in items["only trust"]
    assert "Answer not shown" in items["trust and confidentiality"]
    assert "Confidentiality" not in items["trust and confidentiality"]
    # The credit and the question in words as before; the attribution is no running number.
    assert re.search(
        r'<blockquote class="mb-1"><p>“yes reason 3”</p></blockquote>\s*<p class="quote-credit">\(CL\d+\)</p>',
        items["yes reason 3"],
    )
    assert "Do you think that peer support can be useful in secure services? – Please tell us why" in unescape(
        items["yes reason 3"]
    )


def test_the_answer_is_withheld_below_min_cell(national_client, cl_quotes, settings):
    settings.PEERSURVEY_MIN_CELL = 11  # 10 said Yes: now too few
    items = quote_items(national_client.get("/dashboard/quotes/").content.decode())
    assert items, "the quotes themselves are still shown (15 patients)"
    assert all("answered" not in item for item in items.values())


def test_a_box_under_some_answers_counts_only_the_people_who_gave_them(national_client, chadwick):
    """`restrictions_detail` is shown to those who said Yes or Not sure, so its writer is
    one of them. With 10 Yes beside 2 Not sure, a quote whose answer is withheld would
    point at the 2 (the 8 who said No could not have written it): both are withheld."""

    def restrictions(said, count, detail=""):
        for index in range(count):
            answer(
                chadwick,
                "patient",
                {"restrictions": said, **({"restrictions_detail": detail} if detail and not index else {})},
                on=DAY,
            )

    restrictions("yes", 10, "rules on talking")
    restrictions("not_sure", 2, "not sure what the rules are")
    restrictions("no", 8)
    for text in TextAnswer.objects.all():
        quote_review(answer=text, approve=True, text=text.text, attribution="CL1")
    items = quote_items(national_client.get("/dashboard/quotes/").content.decode())
    assert all("Answer not shown" in item for item in items.values()) and len(items) == 2
    restrictions("not_sure", 3)
    restrictions("no", 2)  # a batch of 5: now 5 said Not sure
    items = quote_items(national_client.get("/dashboard/quotes/").content.decode())
    assert "answered “Yes”" in items["rules on talking"] and "answered “Not sure”" in items["not sure what the rules are"]


def test_questions_are_named_in_words_in_the_filter_and_the_queue(national_client, chadwick):
    answer(chadwick, "patient", {"useful": "yes", "useful_why": "why not"}, on=DAY)
    page = unescape(national_client.get("/dashboard/quotes/").content.decode())
    assert (
        '<option value="useful_why">Do you think that peer support can be useful in secure services? – Please tell us why</option>'
        in page
    )
    queue = unescape(national_client.get("/dashboard/quotes/review/").content.decode())
    assert "Do you think that peer support can be useful in secure services? – Please tell us why" in queue
    assert "useful_why" not in queue


# --- themes ------------------------------------------------------------------------------------


def tag(client, text, **data):
    return client.post(f"/dashboard/quotes/{text_id(text)}/themes/", {"back": "service=CL&page=1", **data})


def theme_row(html: str, name: str) -> tuple[str, str]:
    row = re.search(
        rf'<tr class="theme-count">\s*<th[^>]*><a [^>]*>{name}</a></th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', html, re.S
    )
    assert row, html[html.find("theme-count") - 200 :][:800]
    return row.group(1).strip(), row.group(2).strip()


def test_reviewers_tag_quotes_with_themes_counted_per_group(national_client, cl_quotes):
    reply = tag(national_client, "yes reason 0", name="  Trust  ")
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/quotes/?service=CL&page=1"
    trust = Theme.objects.get()
    assert trust.name == "Trust"
    assert tag(national_client, "yes reason 1", theme=trust.pk).status_code == 302
    assert tag(national_client, "staff reason 0", name="trust").status_code == 302  # the same theme, whatever the case
    assert tag(national_client, "yes reason 2", name="Restrictions").status_code == 302
    assert Theme.objects.count() == 2
    page = national_client.get("/dashboard/quotes/").content.decode()
    assert theme_row(page, "Trust") == ("2", "1")
    assert theme_row(page, "Restrictions") == ("1", "0")
    only = quote_items(national_client.get(f"/dashboard/quotes/?theme={trust.pk}").content.decode())
    assert set(only) == {"yes reason 0", "yes reason 1", "staff reason 0"}
    assert tag(national_client, "yes reason 1", remove=trust.pk).status_code == 302
    assert theme_row(national_client.get("/dashboard/quotes/").content.decode(), "Trust") == ("1", "1")
    assert set(AuditEvent.objects.filter(action="quote_choice").values_list("status", flat=True)) == {302}


@pytest.mark.parametrize(
    "data",
    [{"name": ""}, {"name": "   "}, {"name": "x" * 61}, {"theme": "999999"}, {"theme": "abc"}, {}, {"name": "New", "theme": "1"}],
)
def test_bad_theme_input_is_a_400_and_stores_nothing(national_client, cl_quotes, data):
    before = QuoteReview.themes.through.objects.count()
    reply = tag(national_client, "yes reason 0", **data)
    assert reply.status_code == 400
    assert Theme.objects.count() == 0 and QuoteReview.themes.through.objects.count() == before
    assert national_client.get("/dashboard/quotes/?theme=999999").status_code == 400


def test_themes_need_review_rights_an_approved_text_and_a_post(client, cl_quotes, service_lead, national_lead):
    client.force_login(service_lead)
    assert tag(client, "yes reason 0", name="Trust").status_code == 403
    client.force_login(national_lead)
    assert client.post("/dashboard/quotes/999999/themes/", {"name": "Trust"}).status_code == 404
    assert client.get(f"/dashboard/quotes/{text_id('yes reason 0')}/themes/").status_code == 405
    QuoteReview.objects.filter(answer__text="yes reason 1").update(status="rejected")
    assert tag(client, "yes reason 1", name="Trust").status_code == 404
    assert not Theme.objects.exists()
    assert sorted(AuditEvent.objects.filter(action="quote_choice").values_list("status", flat=True)) == [403, 404, 404, 405]


# --- chosen for the report and for patients -----------------------------------------------------


def choose(client, text, choice, chosen="1", back="question=useful_why&page=2"):
    return client.post(f"/dashboard/quotes/{text_id(text)}/choose/", {"choice": choice, "chosen": chosen, "back": back})


def test_reviewers_choose_quotes_for_the_report_and_for_patients(national_client, cl_quotes, national_lead, wave):
    reply = choose(national_client, "yes reason 0", "report")
    assert reply.status_code == 302 and reply["Location"] == "/dashboard/quotes/?question=useful_why&page=2"
    review = QuoteReview.objects.get(answer__text="yes reason 0")
    assert review.for_report and not review.for_patients
    choose(national_client, "sometimes reason 0", "report")
    choose(national_client, "staff reason 0", "patients")
    choose(national_client, "yes reason 1", "patients")
    choose(national_client, "yes reason 1", "report")
    choose(national_client, "yes reason 1", "report", chosen="0")
    # A crafted way back stays on the quote list.
    assert choose(national_client, "yes reason 2", "report", back="//evil.example/&x=1")["Location"] == "/dashboard/quotes/"
    choose(national_client, "yes reason 2", "report", chosen="0")
    event = AuditEvent.objects.filter(action="quote_choice").first()
    assert event.status == 302 and event.selection["choice"] == "report"

    access = access_for(national_lead)
    report = report_quotes_data(access, None, None)
    # Under the question each explains, with the writer's answer where enough gave it.
    assert list(report) == ["useful"]
    quotes = {quote["text"]: quote for quote in report["useful"]}
    assert set(quotes) == {"yes reason 0", "sometimes reason 0"}
    assert quotes["yes reason 0"]["answer"] == "Yes" and quotes["yes reason 0"]["group"] == "patient"
    assert quotes["sometimes reason 0"]["answer"] is None and quotes["sometimes reason 0"]["answer_withheld"]
    assert re.fullmatch(r"CL\d+", quotes["yes reason 0"]["credit"])
    assert report_quotes_data(access, ["CL"], wave.pk) == report
    other = wave_upsert(code="2025", name="Autumn 2025", opens=date(2025, 10, 1), closes=date(2025, 12, 31))[0]
    assert report_quotes_data(access, ["CL"], other.pk) == {}
    assert report_quotes_data(access, ["M"], None) == {}

    patients = patient_quotes_data("CL", wave.pk)
    assert sorted((quote["text"], quote["credit"]) for quote in patients) == [
        ("staff reason 0", "A member of staff"),
        ("yes reason 1", "A patient"),
    ]
    assert not any(char.isdigit() for quote in patients for char in quote["credit"])
    assert patient_quotes_data("CL", other.pk) == [] and patient_quotes_data("M", None) == []
    assert len(patient_quotes_data("CL", None, limit=1)) == 1


def test_choices_are_for_reviewers_only_and_bad_input_changes_nothing(client, cl_quotes, service_lead, national_lead):
    client.force_login(service_lead)
    assert choose(client, "yes reason 0", "report").status_code == 403
    client.force_login(national_lead)
    assert choose(client, "yes reason 0", "cover").status_code == 400
    assert choose(client, "yes reason 0", "report", chosen="maybe").status_code == 400
    assert client.post("/dashboard/quotes/999999/choose/", {"choice": "report", "chosen": "1"}).status_code == 404
    assert client.get(f"/dashboard/quotes/{text_id('yes reason 0')}/choose/").status_code == 405
    assert not QuoteReview.objects.filter(for_report=True).exists()
    assert not QuoteReview.objects.filter(for_patients=True).exists()
    assert sorted(AuditEvent.objects.filter(action="quote_choice").values_list("status", flat=True)) == [400, 400, 403, 404, 405]


def test_the_list_shows_reviewers_their_controls_and_others_none(client, cl_quotes, service_lead, national_lead):
    client.force_login(national_lead)
    page = client.get("/dashboard/quotes/").content.decode()
    assert "/choose/" in page and "/themes/" in page and "/concern/" in page
    client.force_login(service_lead)
    page = client.get("/dashboard/quotes/").content.decode()
    assert "yes reason 0" in page
    assert "/choose/" not in page and "/themes/" not in page and "/concern/" not in page
