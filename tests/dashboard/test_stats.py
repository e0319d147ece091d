"""Pure numbers, worked examples, no database."""

from datetime import date

import pytest
from scipy.stats import chi2_contingency

from dashboard.stats import (
    Counts,
    QuestionMeta,
    figures_from_counts,
    fisher_p,
    holm_adjust,
    pct,
    suppressed,
    wilson_interval,
)


def test_percentage_of_the_report_base():
    # 139 of 213 patients said peer support can be useful (report 6.2: 65%).
    assert pct(139, 213) == 65.3
    assert pct(43, 54) == 79.6
    assert pct(0, 54) == 0.0
    assert pct(5, 0) is None


def test_wilson_interval_worked_examples():
    assert wilson_interval(139, 213) == (58.6, 71.3)
    # All or nothing still gets a sensible interval, unlike the normal approximation.
    assert wilson_interval(0, 10) == (0.0, 27.8)
    assert wilson_interval(10, 10) == (72.2, 100.0)
    assert wilson_interval(1, 0) is None


def test_fisher_exact_and_holm():
    assert fisher_p(139, 213, 43, 54) == pytest.approx(0.0497, abs=5e-5)
    assert fisher_p(10, 20, 10, 20) == pytest.approx(1.0)
    assert holm_adjust([0.01, 0.04, 0.03, None]) == [0.03, 0.06, 0.06, None]
    assert holm_adjust([]) == []


@pytest.mark.parametrize("n,hidden", [(0, True), (1, True), (4, True), (5, False), (213, False)])
def test_suppression_threshold(n, hidden):
    assert suppressed(n, 5) is hidden


QUESTION = QuestionMeta(
    "useful",
    "one",
    "Useful?",
    "peer_support",
    (("yes", "Yes"), ("sometimes", "Sometimes"), ("no", "No")),
    {"patient": frozenset({"yes", "sometimes", "no"}), "staff": frozenset({"yes", "sometimes", "no"})},
)
GENDER = QuestionMeta(
    "gender",
    "one",
    "Gender",
    "about_you",
    (("female", "Female"), ("male", "Male")),
    {"patient": frozenset({"female", "male"}), "staff": frozenset({"female", "male"})},
)
WORKLOAD = QuestionMeta(
    "benefits",
    "many",
    "Benefits",
    "who_when",
    (("choice", "Greater choice"), ("reduces_workload", "Workload")),
    {"patient": frozenset({"choice"}), "staff": frozenset({"choice", "reduces_workload"})},
)


def counts(patient_n=213, staff_n=54):
    return Counts(
        n={"patient": patient_n, "staff": staff_n},
        options={
            ("patient", "useful", "yes"): 139,
            ("patient", "useful", "sometimes"): 36,
            ("patient", "useful", "no"): 17,
            ("staff", "useful", "yes"): 43,
            ("staff", "useful", "sometimes"): 8,
            ("staff", "useful", "no"): 1,
            ("patient", "gender", "female"): 66,
            ("patient", "gender", "male"): 145,
            ("staff", "gender", "female"): 3,
            ("staff", "gender", "male"): 51,
            ("patient", "benefits", "choice"): 102,
            ("staff", "benefits", "reduces_workload"): 16,
        },
        answered={("patient", "useful"): 192, ("staff", "useful"): 52},
        by_service=[("CL", "patient", 10), ("CL", "staff", 4), ("M", "patient", 17)],
        by_day=[(date(2026, 10, 3), "patient", 3), (date(2026, 10, 20), "patient", 4), (date(2026, 11, 1), "staff", 9)],
    )


def test_figures_from_counts_matches_the_spec_shape_and_the_report():
    data = figures_from_counts(counts(), [QUESTION, WORKLOAD, GENDER], min_cell=5)
    assert data["min_cell"] == 5
    assert data["groups"] == {"patient": {"n": 213, "suppressed": False}, "staff": {"n": 54, "suppressed": False}}
    useful = data["questions"][0]
    assert (useful["code"], useful["kind"], useful["title"]) == ("useful", "one", "Useful?")
    assert useful["answered"] == {"patient": 192, "staff": 52}
    yes = useful["options"][0]
    assert yes["patient"]["count"] == 139 and yes["patient"]["pct"] == 65.3
    assert yes["staff"]["count"] == 43 and yes["staff"]["pct"] == 79.6
    # One-choice options sum below 100: the base includes skips (SPEC).
    assert sum(option["patient"]["pct"] for option in useful["options"]) < 100
    assert yes["significant"] is False  # Holm-adjusted over three options, 0.0497 is no longer < 0.05
    workload = data["questions"][1]["options"][1]
    assert workload["patient"] is None  # not asked of patients
    assert workload["staff"]["pct"] == 29.6


def test_small_groups_and_small_demographic_cells_are_suppressed():
    data = figures_from_counts(counts(staff_n=4), [QUESTION, GENDER], min_cell=5)
    assert data["groups"]["staff"] == {"n": None, "suppressed": True}
    staff_yes = data["questions"][0]["options"][0]["staff"]
    assert staff_yes == {"count": None, "pct": None, "ci": None}
    assert data["questions"][0]["answered"]["staff"] is None
    assert data["questions"][0]["options"][0]["p_value"] is None
    full = figures_from_counts(counts(), [QUESTION, GENDER], min_cell=5)
    female, male = full["questions"][1]["options"]
    assert female["staff"]["count"] is None  # 3 female staff: a slice too small to show
    assert male["staff"]["count"] == 51
    assert female["patient"]["count"] == 66


def test_responses_by_service_and_month_are_suppressed_per_cell():
    data = figures_from_counts(counts(), [QUESTION], min_cell=5)
    assert data["by_service"] == [
        {"service": "CL", "patient": 10, "staff": None},
        {"service": "M", "patient": 17, "staff": None},
    ]
    assert data["by_month"] == [
        {"month": "2026-10", "patient": 7, "staff": None},
        {"month": "2026-11", "patient": None, "staff": 9},
    ]


def test_report_2014_series_rides_along():
    data = figures_from_counts(
        counts(), [QUESTION], min_cell=5, report_2014={"useful": {"patient": {"yes": 65.0}, "staff": {"yes": 80.0}}}
    )
    assert data["questions"][0]["options"][0]["report_2014"] == {"patient": 65.0, "staff": 80.0}
    assert data["questions"][0]["options"][2]["report_2014"] == {"patient": None, "staff": None}


def test_large_samples_use_pearsons_chi_squared_which_agrees_with_scipy():
    for a, na, b, nb in [(5_000, 10_000, 505, 1_000), (65_300, 100_000, 7_960, 12_000), (10, 900, 1, 200)]:
        table = [[a, na - a], [b, nb - b]]
        assert fisher_p(a, na, b, nb) == pytest.approx(chi2_contingency(table, correction=False)[1], rel=1e-9)
    assert fisher_p(0, 2_000, 0, 500) == 1.0  # nobody chose it
