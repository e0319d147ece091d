"""Versions 1 and 2 of each questionnaire, counted together by code (surveys/questionnaires/
README.md): data.json and the exports show both versions' answers in one figure, the options
only version 2 asks (`none`, `not_sure`, `under_16`, the patients' `helped_by`) beside the
old ones, and the response export leaves a cell empty where the respondent's version did
not ask that option."""

import csv
import dataclasses
import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from surveys.definitions import QUESTIONNAIRE_DIR, OptionDef, load_file
from surveys.questionnaire_sync import questionnaires_sync
from tests.factories import respond, service

SEP, NOV = date(2026, 9, 5), date(2026, 11, 2)


def patient_v1(index):
    return {"useful": "yes", "benefits": ["choice"], "user_led": "yes", "fears": ["trust"], "age_band": "25_29", "gender": "male"}


def patient_v2(index):
    return {
        "useful": "yes",
        "benefits": ["none"],
        "user_led": "not_sure",
        "fears": ["none"],
        "age_band": "under_16",
        "gender": "male",
        "helped_by": ["no_one"] if index < 3 else ["staff", "advocate"],
        "current_forms": ["emotional"],
        "current_forms_emotional_detail": "A kind word",
    }


def staff_v1(index):
    return {"useful": "sometimes", "benefits": ["reduces_workload"], "user_led": "no", "age_band": "40_44", "gender": "female"}


def staff_v2(index):
    return {
        "useful": "yes",
        "benefits": ["none"],
        "user_led": "not_sure",
        "barriers": ["none"],
        "age_band": "40_44",
        "gender": "female",
    }


@pytest.fixture
def both_versions(chadwick):
    """CL and M: 5 patients and 5 staff on version 1 (released in September), and 5 of
    each on version 2 (released in November): a full batch per service and version."""
    services = [chadwick, service("M", security="medium")]
    for service_ in services:
        for index in range(5):
            respond(service_, "patient", 1, patient_v1(index), on=SEP)
            respond(service_, "staff", 1, staff_v1(index), on=SEP)
        for index in range(5):
            respond(service_, "patient", 2, patient_v2(index), on=NOV)
            respond(service_, "staff", 2, staff_v2(index), on=NOV)
    return services


def question(data, code):
    return next(q for q in data["questions"] if q["code"] == code)


def cells(data, code):
    """{option: (patient count, staff count)}, None for a group not asked."""
    return {
        o["code"]: tuple(None if o[group] is None else o[group]["count"] for group in ("patient", "staff"))
        for o in question(data, code)["options"]
    }


def test_data_json_counts_both_versions_together_by_code(national_client, both_versions, exact_figures):
    data = national_client.get("/dashboard/data.json").json()
    assert (data["groups"]["patient"]["n"], data["groups"]["staff"]["n"]) == (20, 20)
    assert (data["groups"]["patient"]["services"], data["groups"]["staff"]["services"]) == (2, 2)

    useful = question(data, "useful")
    assert cells(data, "useful") == {"yes": (20, 10), "sometimes": (0, 10), "no": (0, 0)}
    yes = next(o for o in useful["options"] if o["code"] == "yes")
    assert yes["patient"]["pct"] == 100.0 and yes["staff"]["pct"] == 50.0
    assert useful["answered"] == {"patient": 20, "staff": 20}

    # Old and new options of one question side by side; the base is every respondent of the group.
    assert cells(data, "benefits") == {
        "choice": (10, 0),
        "fewer_restrictions": (0, 0),
        "insight": (0, 0),
        "information": (0, 0),
        "accessible": (0, 0),
        "reduces_workload": (None, 10),
        "none": (10, 10),
    }
    # An option only version 2 asks has the version 2 respondents for its base:
    # the 10 who said "no different" are all who were offered it, not half the group.
    none = next(o for o in question(data, "benefits")["options"] if o["code"] == "none")
    assert none["patient"] == {"count": 10, "pct": 100.0, "ci": [72.2, 100.0], "base": 10}
    assert none["staff"]["pct"] == 100.0 and none["staff"]["base"] == 10
    assert none["p_value"] is not None
    choice = next(o for o in question(data, "benefits")["options"] if o["code"] == "choice")
    assert choice["patient"] == {"count": 10, "pct": 50.0, "ci": [29.9, 70.1]}  # asked of all 20: no base given
    assert cells(data, "user_led") == {"yes": (10, 0), "no": (0, 10), "not_sure": (10, 10)}
    assert cells(data, "fears")["none"] == (10, 0)
    assert cells(data, "barriers")["none"] == (0, 10)
    assert question(data, "user_led")["answered"] == {"patient": 20, "staff": 20}


def test_data_json_has_helped_by_for_patients_only(national_client, both_versions, exact_figures):
    data = national_client.get("/dashboard/data.json").json()
    helped_by = question(data, "helped_by")
    assert (helped_by["kind"], helped_by["section"]) == ("many", "final")
    assert cells(data, "helped_by") == {
        "no_one": (6, None),
        "patient": (0, None),
        "staff": (4, None),
        "advocate": (4, None),
        "family": (0, None),
        "other": (0, None),
    }
    assert helped_by["answered"] == {"patient": 10, "staff": None}
    assert all(o["p_value"] is None and o["significant"] is None for o in helped_by["options"])
    # A main question: before the about-you ones.
    sections = [q["section"] for q in data["questions"]]
    assert sections.index("about_you") > [q["code"] for q in data["questions"]].index("helped_by")


def test_data_json_has_the_under_16_band_for_patients_only(national_client, both_versions, exact_figures):
    data = national_client.get("/dashboard/data.json").json()
    ages = {o["code"]: o for o in question(data, "age_band")["options"]}
    assert list(ages)[:2] == ["under_16", "16_24"]
    assert ages["under_16"]["patient"]["count"] == 10
    assert ages["under_16"]["staff"] is None  # not asked, rather than withheld
    assert ages["25_29"]["patient"]["count"] == 10 and ages["40_44"]["staff"]["count"] == 20
    # An about-you category under min_cell (none included) is withheld, in either group.
    assert ages["25_29"]["staff"] == {"count": None, "pct": None, "ci": None}
    assert ages["16_24"]["patient"] == {"count": None, "pct": None, "ci": None}


def test_filters_see_both_versions_too(national_client, both_versions, exact_figures):
    data = national_client.get("/dashboard/data.json?service=CL").json()
    assert (data["groups"]["patient"]["n"], data["groups"]["staff"]["n"]) == (10, 10)
    assert cells(data, "benefits")["none"] == (5, 5) and cells(data, "benefits")["choice"] == (5, 0)
    assert cells(data, "helped_by")["no_one"] == (3, None)
    # By month of release: version 1 in September, version 2 in November.
    assert data["by_service"] == [{"service": "CL", "patient": 10, "staff": 10}]
    november = national_client.get("/dashboard/data.json?from=2026-11-01").json()
    assert (november["groups"]["patient"]["n"], november["groups"]["staff"]["n"]) == (10, 10)
    assert cells(november, "benefits")["none"] == (10, 10) and cells(november, "benefits")["choice"] == (0, 0)
    september = national_client.get("/dashboard/data.json?to=2026-09-30").json()
    # Nobody in September was offered "none": withheld, not 0%.
    assert cells(september, "benefits")["choice"] == (10, 0) and cells(september, "benefits")["none"] == (None, None)
    assert cells(september, "useful")["yes"] == (10, 0)


def test_perturbed_figures_keep_the_new_options_and_exact_group_sizes(national_client, both_versions):
    data = national_client.get("/dashboard/data.json").json()
    assert data["disclosure"]["perturbed"] is True
    assert (data["groups"]["patient"]["n"], data["groups"]["staff"]["n"]) == (20, 20)
    for code, want in {
        ("benefits", "none"): (10, 10),
        ("user_led", "not_sure"): (10, 10),
        ("helped_by", "no_one"): (6, None),
    }.items():
        got = cells(data, code[0])[code[1]]
        assert (got[1] is None) == (want[1] is None), code
        for count, true in zip(got, want, strict=True):
            if true is not None:
                assert abs(count - true) <= 2, (code, count, true)


def test_aggregate_csv_carries_the_new_options(national_client, both_versions, exact_figures):
    reply = national_client.get("/dashboard/export/aggregate.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(reply.streaming_content).decode())))
    by_key = {(row["question"], row["option"]): row for row in rows}
    assert (by_key[("benefits", "none")]["patient_count"], by_key[("benefits", "none")]["staff_count"]) == ("10", "10")
    assert by_key[("benefits", "choice")]["patient_count"] == "10"
    assert (by_key[("helped_by", "no_one")]["patient_count"], by_key[("helped_by", "no_one")]["staff_count"]) == (
        "6",
        "not asked",
    )
    assert by_key[("user_led", "not_sure")]["staff_count"] == "10"


def export_records(client):
    reply = client.get("/dashboard/export/responses.csv")
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(reply.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in body]


def test_response_export_leaves_options_a_version_did_not_ask_empty(national_client, both_versions):
    header, records = export_records(national_client)
    for column in ("benefits.none", "barriers.none", "fears.none", "user_led.not_sure", "helped_by.no_one", "helped_by.staff"):
        assert column in header, column
    assert "age_band" in header and not any(column.startswith("age_band.") for column in header)
    assert Counter((r["service"], r["questionnaire"], r["version"]) for r in records) == {
        (code, group, version): 5 for code in ("CL", "M") for group in ("patient", "staff") for version in ("1", "2")
    }

    def column(group, version, name):
        return sorted(r[name] for r in records if (r["questionnaire"], r["version"]) == (group, version))

    # Version 1 did not ask these: empty, not 0.
    for name in ("benefits.none", "fears.none", "barriers.none", "user_led.not_sure", "restrictions.not_sure"):
        assert column("patient", "1", name) == [""] * 10, name
        assert column("staff", "1", name) == [""] * 10, name
    assert column("patient", "1", "helped_by.no_one") == [""] * 10
    # Version 2 asked them: 1 chosen, 0 not.
    assert column("patient", "2", "benefits.none") == ["1"] * 10
    assert column("staff", "2", "benefits.none") == ["1"] * 10
    assert column("patient", "2", "fears.none") == ["1"] * 10
    assert column("staff", "2", "fears.none") == ["0"] * 10
    assert column("staff", "2", "barriers.none") == ["1"] * 10
    assert column("patient", "2", "user_led.not_sure") == ["1"] * 10
    assert column("patient", "2", "user_led.yes") == ["0"] * 10
    assert column("patient", "2", "helped_by.no_one") == ["0"] * 4 + ["1"] * 6
    assert column("patient", "2", "helped_by.staff") == ["0"] * 6 + ["1"] * 4
    assert column("patient", "2", "benefits.choice") == ["0"] * 10
    # What both versions ask is 0/1 in both.
    assert column("patient", "1", "benefits.choice") == ["1"] * 10
    assert column("patient", "1", "user_led.yes") == ["1"] * 10
    assert column("staff", "1", "user_led.no") == ["1"] * 10
    # Staff are never asked helped_by, patients never reduces_workload: empty in every version.
    for version in ("1", "2"):
        assert column("staff", version, "helped_by.no_one") == [""] * 10
        assert column("patient", version, "benefits.reduces_workload") == [""] * 10
    assert column("staff", "1", "benefits.reduces_workload") == ["1"] * 10
    assert column("staff", "2", "benefits.reduces_workload") == ["0"] * 10
    # The about-you band only version 2 has, as a code like any other.
    assert column("patient", "2", "age_band") == ["under_16"] * 10
    assert column("patient", "1", "age_band") == ["25_29"] * 10
    # Never free text, per-option boxes included.
    assert not any("detail" in name for name in header)


def test_an_option_only_version_1_asked_still_counts(national_client, chadwick, exact_figures):
    """A code an older version asked and the newest does not is still shown (after the
    newest's options), with its answers; version 2 rows leave it empty in the export."""
    old = load_file(QUESTIONNAIRE_DIR / "patient.v1.toml")
    benefits = old.question("benefits")
    extra = OptionDef("v1_only", "Only version 1 asked this", easy_label="Only then")
    changed = dataclasses.replace(benefits, options=benefits.options + (extra,))
    questionnaires_sync([dataclasses.replace(old, questions=tuple(changed if q is benefits else q for q in old.questions))])
    for index in range(5):
        respond(chadwick, "patient", 1, {"benefits": ["v1_only"] if index < 4 else ["insight"]}, on=SEP)
        respond(chadwick, "patient", 2, {"benefits": ["none"]}, on=NOV)
        respond(chadwick, "staff", 2, {"benefits": ["reduces_workload"]}, on=NOV)

    data = national_client.get("/dashboard/data.json").json()
    benefits_cells = cells(data, "benefits")
    assert benefits_cells["v1_only"] == (4, None)
    assert benefits_cells["none"] == (5, 0)
    assert benefits_cells["insight"] == (1, 0)
    assert list(benefits_cells).index("v1_only") > list(benefits_cells).index("accessible")

    header, records = export_records(national_client)
    assert "benefits.v1_only" in header
    by_version = Counter((r["questionnaire"], r["version"], r["benefits.v1_only"]) for r in records)
    assert by_version == {("patient", "1", "1"): 4, ("patient", "1", "0"): 1, ("patient", "2", ""): 5, ("staff", "2", ""): 5}


def test_the_under_16_band_is_a_filter_like_any_other(national_client, both_versions, exact_figures):
    reply = national_client.get("/dashboard/data.json?age_band=under_16")
    assert reply.status_code == 200
    data = reply.json()
    assert data["selection"]["age_band"] == "under_16"
    assert data["groups"]["patient"]["n"] == 10
    assert data["groups"]["staff"] == {"n": None, "suppressed": True, "services": None, "rate": None}
    # Staff are withheld (no staff member is under 16), patients counted as usual.
    assert cells(data, "benefits")["none"] == (10, None)
    assert cells(data, "benefits")["choice"] == (0, None)
    assert cells(data, "helped_by")["no_one"] == (6, None)


def test_every_page_shows_the_patients_only_question(national_client, both_versions):
    """A whole question one group is never asked (helped_by) draws on every page."""
    for url in ("/dashboard/", "/dashboard/report/"):
        reply = national_client.get(url)
        assert reply.status_code == 200, url
        assert "Who helped or was there when patients answered" in reply.content.decode(), url
    charts = national_client.get("/dashboard/charts.json")
    assert charts.status_code == 200
    assert "Who helped or was there when patients answered" in charts.content.decode()


def test_rebuilt_tallies_agree_with_both_versions(both_versions):
    out = io.StringIO()
    call_command("rebuild_tallies", "--check", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("The tallies match a full recount")
