import io
import random
import re

from django.core.management import call_command
from django.db.models import Count

from dashboard.models import Action, ReportText
from demo.generate import demo_answers, load_texts
from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.models import Denominator, QuoteReview, Response, Service, TextAnswer, Theme
from surveys.report_2014 import report_2014
from surveys.validation import clean_answers


def test_demo_answers_are_valid_and_follow_the_2014_figures():
    staff = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
    figures, texts, rng = report_2014(), load_texts().generic, random.Random(7)
    samples = [clean_answers(staff, demo_answers(staff, figures, texts, rng)) for _ in range(2000)]
    chose_admission = sum("admission" in s.get("when_useful", ()) for s in samples) / len(samples)
    # The report: 87% of staff saw a role for peer support on admission (6% of demo answers skip it).
    assert 0.76 < chose_admission < 0.88


def test_demo_loads_the_report_services_and_is_safe_to_repeat(db):
    out = io.StringIO()
    call_command("demo", "--base-url", "http://127.0.0.1:8000", stdout=out)
    text = out.getvalue()
    stored = int(re.search(r"(\d+) responses stored", text).group(1))
    assert "3 waves (2014, " in text
    assert "Patient survey (ward tablet): http://127.0.0.1:8000/c/" in text
    assert "Staff survey:" in text and "log in as lead" in text
    assert Service.objects.count() == 29
    # The 2014 round is the report's: 213 patients and 54 staff, on paper, on the first questionnaires.
    round_2014 = Response.objects.filter(wave__code="2014")
    by_group = dict(round_2014.values_list("questionnaire__code").annotate(n=Count("id")))
    assert by_group == {"patient": 213, "staff": 54}
    assert set(round_2014.values_list("channel", "questionnaire__version")) == {("paper", 1)}
    assert Service.objects.get(code="CC").responses.filter(wave__code="2014", questionnaire__code="patient").count() == 17
    # Two live rounds on the newest questionnaires, through tablets and the web, every
    # response in a wave, and denominators for the live rounds only.
    live = Response.objects.exclude(wave__code="2014")
    assert len(set(live.values_list("wave__code", flat=True))) == 2
    assert set(live.values_list("channel", "questionnaire__version")) == {("tablet", 2), ("web", 2)}
    assert not Response.objects.filter(wave__isnull=True).exists()
    assert Denominator.objects.filter(wave__code="2014").count() == 0
    assert Denominator.objects.exclude(wave__code="2014").count() == 2 * 29
    assert stored == Response.objects.count()

    written = _written()
    assert written["report texts"] == 2 and 3 <= written["actions"] <= 4 and written["for the report"] >= 5

    again = io.StringIO()
    call_command("demo", stdout=again)
    assert f"0 responses stored, {stored} already there" in again.getvalue()
    assert Response.objects.count() == stored
    # Reviews, report text and actions too: nothing twice, nothing more reviewed.
    assert _written() == written


def _written() -> dict[str, int]:
    reviews = QuoteReview.objects
    return {
        "texts": TextAnswer.objects.count(),
        "reviews": reviews.count(),
        "approved": reviews.filter(status="approved").count(),
        "for the report": reviews.filter(for_report=True).count(),
        "for patients": reviews.filter(for_patients=True).count(),
        "themes": Theme.objects.count(),
        "tagged": QuoteReview.themes.through.objects.count(),
        "report texts": ReportText.objects.count(),
        "actions": Action.objects.count(),
    }


def test_the_2014_round_shows_whole_nationally_and_every_count_within_two(national_client, settings):
    """The 2014 round (267 respondents) counts in full nationally once the demo has closed
    it, small services included; perturbation moves no count by more than 2."""
    call_command("demo", "--no-user", stdout=io.StringIO())
    released = national_client.get("/dashboard/data.json?wave=2014").json()
    settings.PEERSURVEY_PERTURB = False
    exact = national_client.get("/dashboard/data.json?wave=2014").json()
    # 213 from the 17 services with a batch of their own; the 12 with fewer than 5 count in the pool, unnamed.
    assert released["groups"]["patient"] == {"n": 213, "suppressed": False, "services": 17, "rate": None}
    # The demo's 2014 staff came at most four to a service: all of them in the pool.
    assert released["groups"]["staff"] == {"n": 54, "suppressed": False, "services": 0, "rate": None}
    assert released["disclosure"]["perturbed"] is True and exact["disclosure"]["perturbed"] is False
    page = national_client.get("/dashboard/?wave=2014").content.decode()
    assert "from 17 services" in page and "pooled from small services" in page  # not "from 0 services"
    moved = 0
    for shown, truth in zip(released["questions"], exact["questions"], strict=True):
        for option, true_option in zip(shown["options"], truth["options"], strict=True):
            for group in ("patient", "staff"):
                if option[group] is None or option[group]["count"] is None:
                    continue
                assert abs(option[group]["count"] - true_option[group]["count"]) <= 2, (shown["code"], option["code"])
                moved += option[group]["count"] != true_option[group]["count"]
    assert moved > 0, "the counts are perturbed"
