"""Waves on the read side: a wave's figures, response rates, comparison with the
nation, another wave and 2014, trends and every service against the nation."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Wave
from surveys.releases import releases_close
from surveys.services import denominator_set, wave_upsert
from tests.factories import respond, service

LAST_YEAR = date(2025, 10, 6)
THIS_YEAR = date(2026, 10, 5)


@pytest.fixture
def rounds(chadwick, morpeth, settings):
    """Two rounds: CL, M and SAN answer in both; patients find peer support more useful
    this year, and SAN's patients much less than the rest."""
    settings.PEERSURVEY_PERTURB = False  # exact figures, so the arithmetic can be checked
    san = service("SAN", security="medium")
    last, _ = wave_upsert(code="2025", name="Autumn 2025", opens=date(2025, 9, 1), closes=date(2025, 11, 30))
    this, _ = wave_upsert(code="2026", name="Autumn 2026", opens=date(2026, 9, 1), closes=date(2026, 12, 31))
    plan = {
        # service: (last year's yes, no; this year's yes, no)
        chadwick: (6, 4, 8, 2),
        morpeth: (10, 10, 11, 9),
        san: (8, 7, 1, 19),
    }
    for place, (yes_then, no_then, yes_now, no_now) in plan.items():
        for useful, count, on in (
            ("yes", yes_then, LAST_YEAR),
            ("no", no_then, LAST_YEAR),
            ("yes", yes_now, THIS_YEAR),
            ("no", no_now, THIS_YEAR),
        ):
            for _ in range(count):
                respond(place, "patient", 2, {"useful": useful}, on)
        for _ in range(5):
            respond(place, "staff", 2, {"useful": "yes"}, THIS_YEAR)
    releases_close(wave_ids={last.pk})
    for place in plan:
        denominator_set(wave=this, service=place, patients=40, staff=20)
    return {"last": last, "this": this, "san": san}


def useful(data, option="yes"):
    question = next(q for q in data["questions"] if q["code"] == "useful")
    return next(o for o in question["options"] if o["code"] == option)


def test_a_waves_figures_are_its_own_answers(national_client, rounds):
    this = national_client.get("/dashboard/data.json?wave=2026").json()
    last = national_client.get("/dashboard/data.json?wave=2025").json()
    both = national_client.get("/dashboard/data.json").json()
    assert this["selection"]["wave"] == "2026"
    assert (this["groups"]["patient"]["n"], last["groups"]["patient"]["n"]) == (50, 45)
    assert useful(this)["patient"]["count"] == 20 and useful(last)["patient"]["count"] == 24
    assert both["groups"]["patient"]["n"] == 95


def test_response_rates_come_from_the_denominators_of_the_wave(national_client, service_client, rounds):
    this = national_client.get("/dashboard/data.json?wave=2026").json()
    assert this["groups"]["patient"]["rate"] == round(100 * 50 / 120, 1)
    assert this["groups"]["staff"]["rate"] == round(100 * 15 / 60, 1)
    rows = {row["service"]: row["rate"] for row in this["by_service"]}
    assert rows["CL"] == {"patient": 25.0, "staff": 25.0}
    # No denominators last year, and none for all waves together: no rate rather than a wrong one.
    assert national_client.get("/dashboard/data.json?wave=2025").json()["groups"]["patient"]["rate"] is None
    assert national_client.get("/dashboard/data.json").json()["groups"]["patient"]["rate"] is None
    mine = service_client.get("/dashboard/data.json?wave=2026&service=CL").json()
    assert mine["groups"]["patient"]["rate"] == 25.0


def test_a_rate_is_withheld_while_a_service_it_heard_from_has_no_denominator(national_client, rounds):
    rounds["san"].denominators.all().delete()
    this = national_client.get("/dashboard/data.json?wave=2026").json()
    assert this["groups"]["patient"]["rate"] is None
    assert national_client.get("/dashboard/data.json?wave=2026&service=CL").json()["groups"]["patient"]["rate"] == 25.0


def test_set_denominator_feeds_the_rate(national_client, rounds):
    call_command("set_denominator", "2026", "CL", "--patients", "20", stdout=None)
    mine = national_client.get("/dashboard/data.json?wave=2026&service=CL").json()
    assert mine["groups"]["patient"]["rate"] == 50.0


def test_a_service_beside_the_nation_shows_both_and_tests_against_the_rest(service_client, rounds):
    reply = service_client.get("/dashboard/data.json?service=CL&wave=2026&compare=national")
    assert reply.status_code == 200
    data = reply.json()
    assert data["compare"]["with"] == "national" and data["compare"]["groups"]["patient"]["n"] == 50
    yes = useful(data)
    assert yes["patient"] == {"count": 8, "pct": 80.0, "ci": [49.0, 94.3]}
    assert yes["compare"]["patient"]["count"] == 20 and yes["compare"]["patient"]["pct"] == 40.0
    assert yes["change"]["patient"]["points"] == 40.0
    # Tested against the other 40 (12 of them said yes), not against a whole holding CL's own 10.
    assert yes["change"]["patient"]["significant"] is True
    assert 0 < yes["change"]["patient"]["p"] < 0.05


def test_a_wave_beside_the_last_one_and_beside_2014(national_client, rounds):
    data = national_client.get("/dashboard/data.json?wave=2026&compare=wave:2025").json()
    yes = useful(data)
    assert yes["compare"]["patient"]["count"] == 24
    assert yes["change"]["patient"]["points"] == round(40.0 - round(100 * 24 / 45, 1), 1)
    assert data["compare"]["label"] == "Wave 2025"
    published = national_client.get("/dashboard/data.json?wave=2026&compare=2014").json()
    yes_2014 = useful(published)
    assert yes_2014["compare"]["patient"]["pct"] == 65.0  # the report's printed figure
    assert yes_2014["change"]["patient"]["points"] == -25.0
    # A question the report has no figures for (new in version 2) compares with nothing.
    helped = next(q for q in published["questions"] if q["code"] == "helped_by")["options"][0]
    assert helped["change"]["patient"] is None and helped["compare"]["patient"]["pct"] is None


def test_a_comparison_of_too_few_shows_no_change(national_client, rounds):
    # SAN's staff answered only this year: beside last year's SAN there is nobody.
    data = national_client.get("/dashboard/data.json?service=SAN&wave=2026&compare=wave:2025").json()
    assert useful(data)["staff"]["count"] == 5
    assert data["compare"]["groups"]["staff"] == {"n": None, "suppressed": True, "rate": None}
    assert useful(data)["compare"]["staff"] == {"count": None, "pct": None, "ci": None}
    assert useful(data)["change"]["staff"] is None


@pytest.mark.parametrize(
    "query, field",
    [
        ("?wave=2026&from=2026-09-01", "wave"),
        ("?compare=wave:2025&to=2026-10-31", "compare"),
        ("?wave=2026&gender=male", "gender"),
        ("?compare=wave:2025&time_in_secure=1_4y", "time_in_secure"),
        ("?wave=1999", "wave"),
        ("?compare=wave:1999", "compare"),
        ("?compare=everyone", "compare"),
        ("?time_in_secure=forever", "time_in_secure"),
    ],
)
def test_waves_and_comparisons_refuse_what_they_cannot_show(national_client, rounds, query, field):
    reply = national_client.get("/dashboard/data.json" + query)
    assert reply.status_code == 400
    assert field in reply.json()["errors"]


def test_time_in_secure_is_a_filter(national_client, chadwick, settings):
    settings.PEERSURVEY_PERTURB = False
    for _ in range(6):
        respond(chadwick, "patient", 2, {"useful": "yes", "time_in_secure": "5_9y"}, THIS_YEAR)
    for _ in range(6):
        respond(chadwick, "patient", 2, {"useful": "no", "time_in_secure": "lt_1y"}, THIS_YEAR)
    long_stay = national_client.get("/dashboard/data.json?time_in_secure=5_9y").json()
    assert long_stay["groups"]["patient"]["n"] == 5 and useful(long_stay)["patient"]["count"] == 5
    assert long_stay["selection"]["time_in_secure"] == "5_9y"


def test_a_service_lead_opens_on_their_service_in_the_current_wave_beside_the_nation(service_client, rounds):
    reply = service_client.get("/dashboard/")
    assert reply.status_code == 302
    assert reply["Location"] == "/dashboard/?service=CL&compare=national&wave=2026"
    page = service_client.get(reply["Location"])
    html = page.content.decode()
    assert "Beside the national picture" in html
    assert 'id="glance"' in html and "Since Autumn 2025" in html and "Since 2014" in html
    assert "+40.0*" in html  # CL's patients beside the nation, starred: significant


def test_a_partnership_lead_opens_on_everything(national_client, rounds):
    assert national_client.get("/dashboard/").status_code == 200


def test_trends_by_wave_quarter_and_month(national_client, rounds):
    by_wave = national_client.get("/dashboard/trends.json?question=useful&by=wave").json()
    assert [point["period"] for point in by_wave["series"]] == ["2025", "2026"]
    assert by_wave["series"][1]["patient"] == {"n": 50, "count": 20, "pct": 40.0, "ci": [27.6, 53.8]}
    assert by_wave["option"] == "yes" and by_wave["by"] == "wave"
    by_quarter = national_client.get("/dashboard/trends.json?question=useful&option=no&by=quarter").json()
    assert [point["period"] for point in by_quarter["series"]] == ["2025-Q4", "2026-Q4"]
    by_month = national_client.get("/dashboard/trends.json?question=useful&service=SAN").json()
    assert by_month["by"] == "month"
    assert [point["patient"]["count"] for point in by_month["series"]] == [8, 1]
    # The pooled remainder of a closed round has no month: only its services' batches count.
    assert sum(point["patient"]["n"] for point in by_month["series"]) == 35


def test_a_trend_point_of_too_few_is_a_gap(national_client, rounds):
    series = national_client.get("/dashboard/trends.json?question=useful&by=wave&service=SAN").json()["series"]
    assert series[0]["staff"] == {"n": None, "count": None, "pct": None, "ci": None}


@pytest.mark.parametrize(
    "query, field",
    [
        ("?question=nope", "question"),
        ("?question=useful&option=maybe", "option"),
        ("?question=useful&by=decade", "by"),
        ("?question=useful&gender=male", "gender"),
        ("?option=yes", "question"),
    ],
)
def test_trends_refuse_what_they_cannot_show(national_client, rounds, query, field):
    reply = national_client.get("/dashboard/trends.json" + query)
    assert reply.status_code == 400
    assert field in reply.json()["errors"]


def test_a_service_lead_sees_trends_of_their_service_and_the_nation_only(service_client, rounds):
    assert service_client.get("/dashboard/trends.json?question=useful&service=CL").status_code == 200
    assert service_client.get("/dashboard/trends.json?question=useful").status_code == 200
    assert service_client.get("/dashboard/trends.json?question=useful&service=SAN").status_code == 403


def test_every_service_against_the_nation_finds_the_one_furthest_from_it(national_client, rounds):
    data = national_client.get("/dashboard/services.json?question=useful&wave=2026").json()
    assert data["national"]["patient"]["pct"] == 40.0
    rows = {row["service"]: row["patient"] for row in data["services"]}
    assert rows["SAN"]["pct"] == 5.0 and rows["SAN"]["outside"] == "99.8" and rows["SAN"]["z"] < 0
    assert rows["CL"]["outside"] == "95" and rows["CL"]["z"] > 0
    assert rows["M"]["outside"] is None
    limits = data["limits"]["patient"]
    assert limits[0]["n"] == 5 and limits[-1]["n"] == 20
    page = national_client.get("/dashboard/services/?question=useful&wave=2026").content.decode()
    assert page.index("SAN – ") < page.index("CL – ") < page.index("M – Morpeth")
    assert "99.8% (below)" in page


def test_services_compared_is_for_partnership_leads(service_client, rounds):
    assert service_client.get("/dashboard/services.json?question=useful").status_code == 403
    assert service_client.get("/dashboard/services/").status_code == 403


def test_a_service_under_min_cell_is_named_but_not_shown(national_client, rounds):
    tiny = service("TINY")
    for _ in range(3):
        respond(tiny, "patient", 2, {"useful": "yes"}, THIS_YEAR)
    data = national_client.get("/dashboard/services.json?question=useful&wave=2026").json()
    row = next(row for row in data["services"] if row["service"] == "TINY")
    assert row["patient"] == {"n": None, "count": None, "pct": None, "ci": None, "z": None, "outside": None}
    page = national_client.get("/dashboard/services/?question=useful&wave=2026").content.decode()
    assert "Fewer than 5 released answers (not shown): " in page and "TINY" in page


def test_new_endpoints_take_a_handful_of_queries_whatever_the_number_of_waves(national_client, rounds):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert national_client.get(url).status_code == 200
        return len(captured)

    urls = [
        "/dashboard/data.json?wave=2026&compare=national",
        "/dashboard/data.json?compare=wave:2025&service=CL",
        "/dashboard/trends.json?question=useful&by=wave",
        "/dashboard/services.json?question=useful",
    ]
    [queries(url) for url in urls]  # the questionnaires, loaded once per process
    before = [queries(url) for url in urls]
    for year in range(2030, 2036):
        wave_upsert(code=str(year), name=str(year), opens=date(year, 1, 1), closes=date(year, 2, 1))
    assert [queries(url) for url in urls] == before
    assert max(before) <= 12, before
    assert Wave.objects.count() == 8
