"""Pure numbers for the dashboard: percentages, intervals, tests, suppression.

Everything here works on plain data (no database) and is tested with worked
examples. `suppressed` is the only place small-number suppression is decided;
every output (page, data.json, both CSV exports, quotes) goes through it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from scipy.stats import fisher_exact

from surveys.codes import GROUPS

Z_95 = 1.959963984540054
Z_998 = 3.090232306167813  # the funnel plot's outer limits (99.8%)
ALPHA = 0.05


@dataclass(frozen=True)
class Counts:
    """What the grouped queries return, as plain data."""

    n: dict[str, int]  # {"patient": 213, "staff": 54}
    options: dict[tuple[str, str, str], int]  # (group, question, option) -> respondents
    answered: dict[tuple[str, str], int]  # (group, question) -> respondents who answered
    by_service: list[tuple[str, str, int]] = field(default_factory=list)  # (service, group, n)
    by_day: list[tuple[date, str, int]] = field(default_factory=list)  # (month released, group, n)
    # For the release layer (dashboard/release.py): the sums of the respondents'
    # record keys behind each count, and with an about-you filter the size of
    # every slice of its question ("" is everyone).
    option_keys: dict[tuple[str, str, str], int] = field(default_factory=dict)
    answered_keys: dict[tuple[str, str], int] = field(default_factory=dict)
    slices: dict[str, dict[str, int]] = field(default_factory=dict)
    # About-you cells the release layer withholds, decided on the true counts;
    # None (unreleased counts, as in tests of the arithmetic): hide those under min_cell.
    hidden: frozenset[tuple[str, str, str]] | None = None
    # With an about-you filter, the same counts per unit (a service's code, or the
    # national pool): the release layer keeps a unit's slice only where it is safe.
    units: dict[str, Counts] = field(default_factory=dict)
    # Respondents whose questionnaire version did not ask an option (a v2
    # option, for v1 respondents): the option's base is the group less these.
    unasked: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # With an about-you filter, `slices` per (group, questionnaire version): a
    # question only one version asks has only that version's people to hide among.
    version_slices: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)


def suppressed(n: int | None, min_cell: int) -> bool:
    """True when a group is too small to show: fewer than `min_cell` (docs/contract.md, "data.json").

    >>> suppressed(4, 5), suppressed(5, 5), suppressed(0, 5)
    (True, False, True)

    An empty group is suppressed too: there is nothing to show, and "0" next to
    "fewer than 5" elsewhere would tell a reader which is which.
    """
    return n is None or n < min_cell


def pct(count: int, base: int) -> float | None:
    """Percentage of the base, one decimal, as the report prints it.

    >>> pct(139, 213)
    65.3
    >>> pct(43, 54)
    79.6
    >>> pct(0, 0) is None
    True
    """
    if base <= 0:
        return None
    return round(100 * count / base, 1)


def wilson_interval(count: int, base: int, z: float = Z_95) -> tuple[float, float] | None:
    """95% Wilson score interval for a proportion, in percent, one decimal.

    Better than the normal approximation for small groups and for
    proportions near 0 or 100, both common here.

    >>> wilson_interval(139, 213)
    (58.6, 71.3)
    >>> wilson_interval(0, 10)
    (0.0, 27.8)
    """
    if base <= 0:
        return None
    p = count / base
    denominator = 1 + z * z / base
    centre = (p + z * z / (2 * base)) / denominator
    half = z * math.sqrt(p * (1 - p) / base + z * z / (4 * base * base)) / denominator
    return round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1)


# Fisher's exact test up to this many respondents in all; beyond it Pearson's
# chi-squared, which agrees with it there and costs the same at any size (the
# exact test's cost grows with the counts: 0.3 s a page at 100,000 responses).
EXACT_UP_TO = 1000


def fisher_p(count_a: int, base_a: int, count_b: int, base_b: int) -> float | None:
    """Two-sided p-value that two groups choose an option equally often.

    Fisher's exact test for the report's sizes. Its headline, 65.3% of 213
    patients and 79.6% of 54 staff finding peer support useful, is just
    significant:

    >>> round(fisher_p(139, 213, 43, 54), 4)
    0.0497

    At national sizes, Pearson's chi-squared (1 degree of freedom; scipy's
    chi2_contingency gives the same, the exact test 0.7654 here):

    >>> round(fisher_p(5_000, 10_000, 505, 1_000), 4)
    0.763
    """
    if base_a <= 0 or base_b <= 0:
        return None
    if base_a + base_b <= EXACT_UP_TO:
        _, p = fisher_exact([[count_a, base_a - count_a], [count_b, base_b - count_b]])
        return float(p)
    return chi_squared_p(count_a, base_a, count_b, base_b)


def chi_squared_p(count_a: int, base_a: int, count_b: int, base_b: int) -> float:
    """Pearson's chi-squared test of a 2x2 table, without continuity correction."""
    total = base_a + base_b
    chose = count_a + count_b
    if chose in (0, total):
        return 1.0  # everyone (or no one) chose it: no difference to test
    statistic = (
        total * (count_a * (base_b - count_b) - count_b * (base_a - count_a)) ** 2 / (base_a * base_b * chose * (total - chose))
    )
    return math.erfc(math.sqrt(statistic / 2))


def holm_adjust(p_values: list[float | None]) -> list[float | None]:
    """Holm–Bonferroni adjusted p-values, for the options of one question.

    >>> holm_adjust([0.01, 0.04, 0.03, None])
    [0.03, 0.06, 0.06, None]
    """
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    m = len(present)
    running = 0.0
    for rank, (p, index) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = round(running, 10)
    return adjusted


def group_summary(n: int, min_cell: int) -> dict:
    """The `groups` entry of data.json for one group."""
    if suppressed(n, min_cell):
        return {"n": None, "suppressed": True}
    return {"n": n, "suppressed": False}


def option_cell(count: int | None, base: int, *, asked: bool, hidden: bool) -> dict | None:
    """One group's figures for one option: null when not asked, nulls when suppressed."""
    if not asked:
        return None
    if hidden:
        return {"count": None, "pct": None, "ci": None}
    count = count or 0
    return {"count": count, "pct": pct(count, base), "ci": wilson_interval(count, base)}


@dataclass(frozen=True)
class QuestionMeta:
    """A question as the dashboard compares it across the two questionnaires."""

    code: str
    kind: str
    title: str
    section: str
    options: tuple[tuple[str, str], ...]  # (code, label), in the staff file's order
    asked: dict[str, frozenset[str]]  # group -> option codes that group is asked


def comparative_questions(definitions: dict) -> list[QuestionMeta]:
    """The choice questions of both questionnaires, merged by code, in report order.

    `definitions` maps group -> QuestionnaireDef, or group -> every version of
    it, newest first: answers to every version count together by code, so a
    question or option only an older version asked is still shown (after the
    newest's). Wording and order come from the newest version that has it;
    options are the union, in the order of the questionnaire that has the most
    (staff ask `reduces_workload`), then any the other adds.
    """
    merged: dict[str, QuestionMeta] = {}
    order: list[str] = []
    for group in GROUPS:
        versions = definitions.get(group)
        if versions is None:
            continue
        for definition in versions if isinstance(versions, list | tuple) else [versions]:
            for question in definition.questions:
                if question.is_choice:
                    _merge_question(merged, order, group, question)
    main = [merged[c] for c in order if merged[c].section != "about_you"]
    about = [merged[c] for c in order if merged[c].section == "about_you"]
    return main + about


def _merge_question(merged: dict, order: list, group: str, question) -> None:
    options = tuple((o.code, o.label) for o in question.options)
    asked = frozenset(o.code for o in question.options)
    existing = merged.get(question.code)
    if existing is None:
        order.append(question.code)
        merged[question.code] = QuestionMeta(
            question.code, question.kind, question.chart_title or question.text, question.section, options, {group: asked}
        )
        return
    longer, shorter = (options, existing.options) if len(options) > len(existing.options) else (existing.options, options)
    known = {code for code, _ in longer}
    merged[question.code] = QuestionMeta(
        existing.code,
        existing.kind,
        existing.title,
        existing.section,
        longer + tuple(option for option in shorter if option[0] not in known),
        {**existing.asked, group: existing.asked.get(group, frozenset()) | asked},
    )


def figures_from_counts(
    counts: Counts,
    questions: list[QuestionMeta],
    *,
    min_cell: int,
    report_2014: dict | None = None,
    selection: dict | None = None,
) -> dict:
    """data.json: every figure the dashboard shows, suppression applied.

    Percentages use every respondent of the group in the selection as the base,
    skips included, as the 2014 report did (docs/contract.md, "data.json"). A group under `min_cell` shows
    no figures at all; in the about-you questions a category under `min_cell`
    is hidden too, since a demographic slice that small points at people.
    """
    report_2014 = report_2014 or {}
    hidden = {group: suppressed(counts.n.get(group, 0), min_cell) for group in GROUPS}
    data = {
        "min_cell": min_cell,
        "selection": selection or {},
        "groups": {group: group_summary(counts.n.get(group, 0), min_cell) for group in GROUPS},
        "questions": [],
    }
    for question in questions:
        demographic = question.section == "about_you"
        rows, bases = [], []
        for code, label in question.options:
            row = {"code": code, "label": label}
            base = {}
            for group in GROUPS:
                asked = code in question.asked.get(group, ())
                count = counts.options.get((group, question.code, code), 0)
                if counts.hidden is None:
                    small_cell = demographic and 0 < count < min_cell
                else:
                    small_cell = demographic and (group, question.code, code) in counts.hidden
                # The base is everyone in the group (skips included) whose version asked it.
                group_n = counts.n.get(group, 0) or 0
                base[group] = group_n - counts.unasked.get((group, question.code, code), 0)
                few_asked = base[group] != group_n and suppressed(base[group], min_cell)
                row[group] = option_cell(
                    min(count, base[group]), base[group], asked=asked, hidden=hidden[group] or small_cell or few_asked
                )
                if row[group] is not None and base[group] != group_n and not few_asked:
                    row[group]["base"] = base[group]
            row["p_value"] = None
            row["significant"] = None
            published = report_2014.get(question.code, {})
            row["report_2014"] = {group: published.get(group, {}).get(code) for group in GROUPS}
            rows.append(row)
            bases.append(base)
        if not demographic and not hidden["patient"] and not hidden["staff"]:
            _add_tests(rows, bases)
        data["questions"].append(
            {
                "code": question.code,
                "kind": question.kind,
                "title": question.title,
                "section": question.section,
                "answered": {
                    group: None
                    if hidden[group] or question.code not in _asked_questions(question, group)
                    else counts.answered.get((group, question.code), 0)
                    for group in GROUPS
                },
                "options": rows,
            }
        )
    data["by_service"] = _by_service(counts.by_service, min_cell)
    data["by_month"] = _by_month(counts.by_day, min_cell)
    return data


def _asked_questions(question: QuestionMeta, group: str) -> set[str]:
    return {question.code} if question.asked.get(group) else set()


def _add_tests(rows: list[dict], bases: list[dict]) -> None:
    raw = []
    for row, base in zip(rows, bases, strict=True):
        if row["patient"] is None or row["staff"] is None or row["patient"]["count"] is None or row["staff"]["count"] is None:
            raw.append(None)
            continue
        raw.append(fisher_p(row["patient"]["count"], base["patient"], row["staff"]["count"], base["staff"]))
    for row, adjusted in zip(rows, holm_adjust(raw), strict=True):
        if adjusted is not None:
            row["p_value"] = round(adjusted, 4)
            row["significant"] = adjusted < ALPHA


def _by_service(rows: list[tuple[str, str, int]], min_cell: int) -> list[dict]:
    table: dict[str, dict[str, int]] = {}
    for service, group, n in rows:
        table.setdefault(service, {})[group] = n
    return [
        {
            "service": service,
            **{group: None if suppressed(values.get(group, 0), min_cell) else values[group] for group in GROUPS},
        }
        for service, values in sorted(table.items())
    ]


def _by_month(rows: list[tuple[date, str, int]], min_cell: int) -> list[dict]:
    """Counts per calendar month; a month under `min_cell` shows as null."""
    table: dict[str, dict[str, int]] = {}
    for day, group, n in rows:
        month = day.strftime("%Y-%m")
        table.setdefault(month, {}).setdefault(group, 0)
        table[month][group] += n
    return [
        {
            "month": month,
            **{group: None if suppressed(values.get(group, 0), min_cell) else values[group] for group in GROUPS},
        }
        for month, values in sorted(table.items())
    ]


# --- comparison -------------------------------------------------------------


def with_comparison(data: dict, other: dict, *, subset: bool) -> None:
    """Give every option of `data` the `compare` and `change` blocks of data.json.

    `other` is data.json-shaped: the comparison selection's released figures,
    or the 2014 report's. `change.points` is the selection's percentage less
    the comparison's; `change.p` tests the difference, Holm-adjusted over the
    options of a question. When the selection is part of the comparison
    (`subset`: a service beside the nation) the test is against the rest of
    it, the comparison less the selection, not against a whole that contains
    the selection's own people.

    >>> mine = {"groups": {"patient": {"n": 40}, "staff": {"n": None}}, "questions": [{"code": "useful", "options": [
    ...     {"code": "yes", "patient": {"count": 36, "pct": 90.0}, "staff": {"count": None, "pct": None}}]}]}
    >>> nation = {"groups": {"patient": {"n": 400}, "staff": {"n": 90}}, "questions": [{"code": "useful", "options": [
    ...     {"code": "yes", "patient": {"count": 240, "pct": 60.0}, "staff": {"count": 70, "pct": 77.8}}]}]}
    >>> with_comparison(mine, nation, subset=True)
    >>> option = mine["questions"][0]["options"][0]
    >>> option["compare"]["patient"], option["change"]["patient"]["points"], option["change"]["patient"]["significant"]
    ({'count': 240, 'pct': 60.0, 'ci': None}, 30.0, True)
    >>> option["change"]["staff"]  # the selection's staff are too few to show: no change either
    """
    theirs = {
        (question["code"], option["code"]): option for question in other.get("questions", []) for option in question["options"]
    }
    for question in data["questions"]:
        raw: dict[str, list] = {group: [] for group in GROUPS}
        for option in question["options"]:
            other_option = theirs.get((question["code"], option["code"]), {})
            option["compare"], option["change"] = {}, {}
            for group in GROUPS:
                mine, their = option.get(group), other_option.get(group)
                if mine is None:  # not asked of this group
                    option["compare"][group] = option["change"][group] = None
                    raw[group].append(None)
                    continue
                option["compare"][group] = (
                    {"count": their.get("count"), "pct": their.get("pct"), "ci": their.get("ci")}
                    if their
                    else {"count": None, "pct": None, "ci": None}
                )
                points, p = _change(mine, their, data["groups"][group].get("n"), other["groups"][group].get("n"), subset)
                option["change"][group] = None if points is None else {"points": points, "p": None, "significant": None}
                raw[group].append(p)
        for group in GROUPS:
            for option, adjusted in zip(question["options"], holm_adjust(raw[group]), strict=True):
                if adjusted is not None and option["change"][group] is not None:
                    option["change"][group]["p"] = round(adjusted, 4)
                    option["change"][group]["significant"] = adjusted < ALPHA


def _change(mine: dict, their: dict | None, n: int | None, other_n: int | None, subset: bool):
    """(points, unadjusted p) between two released cells, or (None, None)."""
    if not their or mine.get("pct") is None or their.get("pct") is None:
        return None, None
    points = round(mine["pct"] - their["pct"], 1)
    count, other_count = mine.get("count"), their.get("count")
    base, other_base = mine.get("base", n), their.get("base", other_n)
    if None in (count, other_count, base, other_base):
        return points, None
    if subset:
        other_count, other_base = other_count - count, other_base - base
        if other_base <= 0:
            return points, None
        other_count = min(max(other_count, 0), other_base)
    return points, fisher_p(count, base, other_count, other_base)


def figures_2014(published: dict, sizes: dict[str, int]) -> dict:
    """The 2014 report as data.json-shaped figures, to compare with: percentages as
    printed, counts from them and the report's group sizes (213 patients, 54 staff).

    >>> figures = figures_2014({"useful": {"patient": {"yes": 65.0}, "staff": {}}}, {"patient": 213, "staff": 54})
    >>> figures["questions"][0]["options"][0]["patient"]
    {'count': 138, 'pct': 65.0, 'ci': (58.2, 70.9)}
    """
    questions = []
    for code, groups in published.items():
        options: dict[str, dict] = {}
        for group, values in groups.items():
            for option, value in values.items():
                count = round(value * sizes[group] / 100)
                options.setdefault(option, {"code": option})[group] = {
                    "count": count,
                    "pct": value,
                    "ci": wilson_interval(count, sizes[group]),
                }
        questions.append({"code": code, "options": list(options.values())})
    return {"groups": {group: {"n": size, "suppressed": False} for group, size in sizes.items()}, "questions": questions}


def trend_cell(cell: dict | None, group: dict) -> dict | None:
    """One group's point of a trend: {n, count, pct, ci}, all null when too few
    to show; None when the group is not asked the option.

    >>> trend_cell({"count": 12, "pct": 40.0, "ci": (24.6, 57.7)}, {"n": 30, "suppressed": False})
    {'n': 30, 'count': 12, 'pct': 40.0, 'ci': (24.6, 57.7)}
    >>> trend_cell({"count": None, "pct": None, "ci": None}, {"n": None, "suppressed": True})
    {'n': None, 'count': None, 'pct': None, 'ci': None}
    """
    if cell is None:
        return None
    n = None if cell["count"] is None else cell.get("base", group["n"])
    return {"n": n, "count": cell["count"], "pct": cell["pct"], "ci": cell["ci"]}


def response_rate(n: int | None, denominator: int | None) -> float | None:
    """Released respondents as a percentage of the people there, one decimal.

    >>> response_rate(17, 60), response_rate(None, 60), response_rate(5, 0)
    (28.3, None, None)
    """
    if n is None or not denominator:
        return None
    return round(100 * n / denominator, 1)


# --- services against the national figure ------------------------------------


def funnel_position(count: int, base: int, national_pct: float) -> tuple[float | None, str | None]:
    """How far a service's proportion is from the national one, in standard
    errors at the service's size, and the funnel band it falls outside of.

    >>> funnel_position(36, 40, 60.0)
    (3.87, '99.8')
    >>> funnel_position(27, 40, 60.0)
    (0.97, None)
    """
    p0 = national_pct / 100
    if base <= 0 or p0 <= 0 or p0 >= 1:
        return None, None
    z = (count / base - p0) / math.sqrt(p0 * (1 - p0) / base)
    band = "99.8" if abs(z) > Z_998 else "95" if abs(z) > Z_95 else None
    return round(z, 2), band


def funnel_limits(national_pct: float, largest: int, smallest: int = 5, points: int = 60) -> list[dict]:
    """The funnel's control limits around the national percentage, from the
    smallest group shown to the largest: where a service's figure would fall by
    chance alone 95% and 99.8% of the time.

    >>> limits = funnel_limits(50.0, 100)
    >>> limits[-1]
    {'n': 100, '95': [40.2, 59.8], '99.8': [34.5, 65.5]}
    """
    p0 = national_pct / 100
    if largest < smallest:
        return []
    step = max(1, (largest - smallest) // points)
    sizes = sorted({*range(smallest, largest + 1, step), largest})
    limits = []
    for n in sizes:
        spread = math.sqrt(p0 * (1 - p0) / n)
        limits.append(
            {
                "n": n,
                **{
                    band: [round(100 * max(0.0, p0 - z * spread), 1), round(100 * min(1.0, p0 + z * spread), 1)]
                    for band, z in (("95", Z_95), ("99.8", Z_998))
                },
            }
        )
    return limits
