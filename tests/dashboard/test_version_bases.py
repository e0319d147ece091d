"""The base of an option only some versions ask: pure arithmetic, no database."""

from dashboard.release import release_counts, safe_units
from dashboard.stats import Counts, QuestionMeta, figures_from_counts

BENEFITS = QuestionMeta(
    "benefits",
    "many",
    "Benefits?",
    "who_when",
    (("choice", "Greater choice"), ("none", "No different")),
    {"patient": frozenset({"choice", "none"}), "staff": frozenset({"choice", "none"})},
)


def figures(counts, min_cell=5):
    data = figures_from_counts(counts, [BENEFITS], min_cell=min_cell)
    return {o["code"]: (o["patient"], o["staff"]) for o in data["questions"][0]["options"]}


def test_an_option_new_in_version_2_is_a_share_of_those_offered_it():
    counts = Counts(
        n={"patient": 40, "staff": 20},
        options={("patient", "benefits", "choice"): 20, ("patient", "benefits", "none"): 6, ("staff", "benefits", "none"): 3},
        answered={},
        unasked={("patient", "benefits", "none"): 30, ("staff", "benefits", "none"): 10},
    )
    cells = figures(counts)
    assert cells["none"][0] == {"count": 6, "pct": 60.0, "ci": (31.3, 83.2), "base": 10}
    assert cells["none"][1]["pct"] == 30.0 and cells["none"][1]["base"] == 10
    assert cells["choice"][0] == {"count": 20, "pct": 50.0, "ci": (35.2, 64.8)}


def test_an_option_offered_to_fewer_than_min_cell_is_withheld_not_zero():
    counts = Counts(n={"patient": 40, "staff": 20}, options={}, answered={}, unasked={("patient", "benefits", "none"): 37})
    assert figures(counts)["none"][0] == {"count": None, "pct": None, "ci": None}
    nobody = Counts(n={"patient": 40, "staff": 20}, options={}, answered={}, unasked={("patient", "benefits", "none"): 40})
    assert figures(nobody)["none"][0] == {"count": None, "pct": None, "ci": None}


def test_a_perturbed_count_never_passes_its_base():
    counts = Counts(
        n={"patient": 40, "staff": 20},
        options={("patient", "benefits", "none"): 10},
        answered={},
        option_keys={("patient", "benefits", "none"): 65535},  # the largest noise: +2
        unasked={("patient", "benefits", "none"): 30},
    )
    released = release_counts(counts, min_cell=5, about=None)
    assert released.unasked == {("patient", "benefits", "none"): 30}
    assert figures(released)["none"][0]["pct"] == 100.0


def test_a_slice_keeps_the_versions_of_the_units_it_keeps():
    unit = lambda women, everyone, unasked: Counts(  # noqa: E731
        n={"patient": women},
        options={},
        answered={},
        slices={"patient": {"": everyone, "female": women}},
        unasked={("patient", "benefits", "none"): unasked},
    )
    both = Counts(n={}, options={}, answered={}, units={"CL": unit(13, 15, 5), "CC": unit(8, 20, 3), "AM": unit(10, 10, 10)})
    kept = safe_units(both, option="female", min_cell=5)  # CL's 2 others would show: CL left out
    assert kept.n == {"patient": 18}
    assert kept.unasked == {("patient", "benefits", "none"): 13}
