"""Chart building: pure, from data.json-shaped dicts."""

from dashboard.charts import all_figures, question_figure
from dashboard.stats import figures_from_counts
from tests.dashboard.test_stats import GENDER, QUESTION, counts


def test_question_chart_is_the_reports_comparison():
    data = figures_from_counts(counts(), [QUESTION, GENDER], min_cell=5, report_2014={"useful": {"patient": {"yes": 65.0}}})
    figure = question_figure(data["questions"][0], data)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Patients", "Staff", "Patients, 2014 report"]
    patients = figure["data"][0]
    assert patients["type"] == "bar" and patients["orientation"] == "h"
    # Plotly draws the first category at the bottom, so the options are reversed.
    assert list(patients["y"]) == ["No", "Sometimes", "Yes"]
    assert list(patients["x"]) == [8.0, 16.9, 65.3]
    assert patients["customdata"][2][:2] == [139, 213]  # hover shows count and base
    assert patients["error_x"]["array"][2] == 6.0  # up to the Wilson upper bound, 71.3
    assert figure["data"][2]["visible"] is False  # the 2014 series waits for its switch
    assert "Useful?" in figure["layout"]["title"]["text"]


def test_the_2014_series_of_patients_and_staff_differ_in_pattern_not_only_colour():
    """In greyscale or on a black-and-white printer, light blue and light orange are
    the same grey: the hatching tells patients-2014 from staff-2014."""
    data = figures_from_counts(
        counts(), [QUESTION], min_cell=5, report_2014={"useful": {"patient": {"yes": 65.0}, "staff": {"yes": 80.0}}}
    )
    published = [trace for trace in question_figure(data["questions"][0], data)["data"] if trace.get("meta") == "report_2014"]
    assert [trace["name"] for trace in published] == ["Patients, 2014 report", "Staff, 2014 report"]
    shapes = [trace["marker"]["pattern"]["shape"] for trace in published]
    assert shapes[0] != shapes[1] and "" not in shapes


def test_beside_a_comparison_each_bar_says_its_change_and_a_significant_one_is_starred():
    data = figures_from_counts(counts(), [QUESTION], min_cell=5)
    question = data["questions"][0]
    for option in question["options"]:
        option["compare"] = {
            "patient": {"count": 10, "pct": 50.0, "ci": [30.0, 70.0]},
            "staff": {"count": 5, "pct": 50.0, "ci": [20.0, 80.0]},
        }
        option["change"] = {"patient": {"points": option["patient"]["pct"] - 50.0, "p": 0.01, "significant": True}, "staff": None}
    data["compare"] = {"with": "national", "label": "The national picture", "groups": {"patient": {"n": 20}, "staff": {"n": 10}}}
    figure = question_figure(question, data)
    names = [trace["name"] for trace in figure["data"]]
    assert names[:4] == ["Patients", "Patients, national picture", "Staff", "Staff, national picture"]
    patients = figure["data"][0]
    assert list(patients["text"]) == ["−42.0*", "−33.1*", "+15.3*"]  # No, Sometimes, Yes (drawn bottom up)
    assert "2014" not in " ".join(names)  # the switchable 2014 series gives way to the comparison
    assert "change in points vs national picture" in figure["layout"]["annotations"][0]["text"]
    assert all(len(line) <= 50 for line in figure["layout"]["annotations"][0]["text"].split("<br>"))  # fits a phone


def test_a_suppressed_group_draws_no_bars_and_says_why():
    data = figures_from_counts(counts(staff_n=3), [QUESTION], min_cell=5)
    figure = question_figure(data["questions"][0], data)
    assert [trace["name"] for trace in figure["data"]] == ["Patients"]
    assert "Staff: fewer than 5 responses" in figure["layout"]["annotations"][0]["text"]


def test_significant_differences_get_a_star():
    data = figures_from_counts(counts(), [QUESTION], min_cell=5)
    data["questions"][0]["options"][0]["significant"] = True
    data["questions"][0]["options"][0]["p_value"] = 0.01
    figure = question_figure(data["questions"][0], data)
    stars = [trace for trace in figure["data"] if trace.get("marker", {}).get("symbol") == "star"]
    assert len(stars) == 1 and list(stars[0]["y"]) == ["Yes"]


def test_all_figures_in_report_order():
    data = figures_from_counts(counts(), [QUESTION, GENDER], min_cell=5)
    ids = [item["id"] for item in all_figures(data)]
    assert ids == ["q-useful", "d-patient-gender", "d-staff-gender", "by-service", "by-month"]
