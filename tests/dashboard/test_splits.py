"""The report's research questions (7.2): does time in secure services, or ethnicity,
make a difference? Grouped about-you answers as filters, and splits by them."""

from datetime import date

import pytest

from surveys.codes import ABOUT_GROUPS
from surveys.definitions import QUESTIONNAIRE_DIR, load_all
from surveys.services import wave_upsert
from tests.factories import respond

ON = date(2026, 10, 5)


@pytest.fixture
def patients(chadwick, morpeth, settings):
    """CL: 10 long-stay (8 find peer support useful), 10 short-stay (3 do), by ethnicity
    white English / Welsh / black African. M: 6 long-stay and 2 short-stay."""
    settings.PEERSURVEY_PERTURB = False
    plan = [
        (chadwick, "5_9y", "white_english", "yes", 5),
        (chadwick, "10y_plus", "white_welsh", "yes", 3),
        (chadwick, "10y_plus", "white_welsh", "no", 2),
        (chadwick, "1_4y", "black_african", "yes", 3),
        (chadwick, "lt_1y", "black_african", "no", 7),
        (morpeth, "5_9y", "white_english", "yes", 6),
        (morpeth, "lt_1y", "white_english", "no", 2),
    ]
    for place, secure, ethnicity, useful, count in plan:
        for _ in range(count):
            respond(place, "patient", 2, {"useful": useful, "time_in_secure": secure, "ethnicity": ethnicity}, ON)


def yes(data):
    question = next(q for q in data["questions"] if q["code"] == "useful")
    return next(o for o in question["options"] if o["code"] == "yes")["patient"]


def test_a_group_of_answers_filters_as_one_slice(national_client, patients):
    long_stay = national_client.get("/dashboard/data.json?service=CL&time_in_secure=secure_5y_plus").json()
    assert long_stay["selection"]["time_in_secure"] == "secure_5y_plus"
    # CL's 5_9y (5) and 10y_plus (5) slices, each released in its own batch, together.
    assert long_stay["groups"]["patient"]["n"] == 10 and yes(long_stay)["count"] == 8
    british = national_client.get("/dashboard/data.json?service=CL&ethnicity=white_british").json()
    assert british["groups"]["patient"]["n"] == 10
    others = national_client.get("/dashboard/data.json?service=CL&ethnicity=not_white_british").json()
    assert others["groups"]["patient"]["n"] == 10 and yes(others)["count"] == 3


def test_a_group_adds_up_across_services_in_whole_slice_batches(national_client, patients):
    # CL's 10 long-stay and M's 5 (its sixth waits for the next batch of its slice).
    national = national_client.get("/dashboard/data.json?time_in_secure=secure_5y_plus").json()
    assert national["groups"]["patient"]["n"] == 15 and yes(national)["count"] == 13
    # CL's short stays: the 7 under a year make a batch; the 3 of 1-4 years are too few
    # for one, so they show in no slice yet.
    short = national_client.get("/dashboard/data.json?service=CL&time_in_secure=secure_under_5y").json()
    assert short["groups"]["patient"]["n"] == 7 and yes(short)["count"] == 0


def test_a_split_shows_each_group_as_its_filter_does(national_client, patients):
    split = national_client.get("/dashboard/trends.json?question=useful&by=time_in_secure&service=CL").json()
    assert split["split"] == "Time in secure services"
    assert [(point["period"], point["label"]) for point in split["series"]] == [
        ("secure_under_5y", "Under 5 years in secure services"),
        ("secure_5y_plus", "5 years or more in secure services"),
    ]
    for point in split["series"]:
        filtered = national_client.get(f"/dashboard/data.json?service=CL&time_in_secure={point['period']}").json()
        assert point["patient"]["n"] == filtered["groups"]["patient"]["n"]
        assert point["patient"]["count"] == yes(filtered)["count"]
    assert [point["patient"]["pct"] for point in split["series"]] == [0.0, 80.0]
    page = national_client.get("/dashboard/trends/?question=useful&by=time_in_secure&service=CL").content.decode()
    assert "5 years or more in secure services" in page and "80.0% (8 of 10" in page
    assert split["series"][0]["patient"]["n"] == 7
    assert all(point["staff"] is None for point in split["series"])  # staff are not asked how long in secure services


def test_a_split_without_groups_has_a_point_per_answer(national_client, patients):
    split = national_client.get("/dashboard/trends.json?question=useful&by=age_band").json()
    assert [point["period"] for point in split["series"]][:2] == ["under_16", "16_24"]
    assert all(point["patient"]["n"] is None for point in split["series"])  # nobody gave an age


@pytest.mark.parametrize("query", ["&wave=2026", "&from=2026-10-01", "&gender=male"])
def test_a_split_is_for_all_dates_and_waves_and_everyone(national_client, patients, query):
    wave_upsert(code="2026", name="Autumn 2026", opens=date(2026, 9, 1), closes=date(2026, 12, 31))
    reply = national_client.get(f"/dashboard/trends.json?question=useful&by=time_in_secure{query}")
    assert reply.status_code == 400


def test_a_group_name_is_no_option_code():
    codes = {option.code for definition in load_all(QUESTIONNAIRE_DIR) for q in definition.questions for option in q.options}
    for groups in ABOUT_GROUPS.values():
        assert not set(groups) & codes
        for _, members, _ in groups.values():
            assert set(members) <= codes
