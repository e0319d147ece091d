"""A motivated intruder (ICO anonymisation guidance) attacks the dashboard over HTTP.

Two intruders, a service lead (of CL) and a partnership lead (every service), log in
and use only what the server releases plus the published method (docs/disclosure.md,
docs/contract.md, data.json's `disclosure` block) to single out fewer than `min_cell`
respondents of a survey seeded with rare profiles and small services (SURVEY): date
windows a day apart (1), service sets with and without one service (2), demographic
complements and derived cells (3), data.json before and after one new answer, and the
paper-entry confirmation (4), linkage through the exports and quotes (5), small cells
in the exports (6), and the database at rest (7).

What counts, from the intruder's side:

- a released `n` is exact; a released count is known to within `disclosure.max_noise`
  when `disclosure.perturbed` is true (the interval [c - 2, c + 2] clipped to [0, n]),
  exactly otherwise;
- an *isolation* is a set of 1..4 respondents the intruder can point at: two outputs,
  one counting everyone the other counts (by the published method: services, date
  windows, about-you slices), whose exact `n` differ by 1..4; a remainder derived by
  subtraction (a total less its parts) of 1..4 people; a row or combination of
  quasi-identifiers shared by fewer than `min_cell` rows of an export. The rows of
  `by_service` and `by_month` are outputs too (exact sizes of one service or month of
  the same selection);
- a *recovery* is an isolation whose answers the released counts pin exactly (an
  interval of width 0 for some answer of the isolated people: no perturbation).

Every attack is counted as tried, a 403 or 400 included (a refusal is a defence).
With releases in batches of `min_cell`, no two nested outputs may differ by 1..4
people at all, so the tests ask for no isolation, not only for no recovery. Each
test prints one line per attack and role (`pytest -s` shows them).

The server's own randomness (response ids, so quote labels, and record keys, so the
noise) is seeded here, so every run meets the same figures.
"""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import unescape
from itertools import combinations

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from surveys.models import Response, TextAnswer
from surveys.quotes import quote_review
from tests.factories import answer, link, service

try:
    from surveys.releases import releases_close
except ImportError:  # before disclosure control there were no rounds to close
    releases_close = None

MIN_CELL = 5
FEW = range(1, MIN_CELL)  # 1..4: the people an intruder must never single out
GROUPS = ("patient", "staff")
ABOUT = ("gender", "age_band", "ethnicity", "time_in_service")
POOL = "(pooled remainder)"  # counted only nationally, with no date window (docs/disclosure.md)
SEED = 20261130
FIRST_DAY, LAST_DAY = date(2026, 8, 1), date(2026, 10, 31)
MONTHS = [(date(2026, 8, 1), date(2026, 8, 31)), (date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 10, 31))]


@dataclass(frozen=True)
class Site:
    security: str
    specialisms: tuple[str, ...]
    patients: int
    staff: int
    job_titles: tuple[str, ...]


# Public knowledge: every service's code, security level and specialisms. Small
# services and small staff groups on purpose (JH: 3 patients and 1 member of staff).
SURVEY = {
    "CL": Site("low", ("women",), 12, 3, ("Psychologist",)),  # the service lead's (conftest's `chadwick`)
    "SAN": Site("medium", (), 14, 6, ("Healthcare assistant",)),
    "G": Site("medium", ("learning_disability",), 8, 4, ("Ward manager", "Nurse", "Nurse", "Nurse")),
    "CC": Site("high", ("women",), 11, 7, ("Staff nurse",)),
    "JH": Site("low", ("deaf",), 3, 1, ("Occupational therapist",)),
}
SECURITY = sorted({site.security for site in SURVEY.values()})
SPECIALISMS = sorted({s for site in SURVEY.values() for s in site.specialisms})
# The rare people everyone on the ward would recognise: (service, group, index) -> answers.
RARE = {
    ("CL", "patient", 6): {"gender": "non_binary"},  # the only non-binary respondent
    ("SAN", "patient", 3): {"ethnicity": "white_gypsy_traveller"},  # the only one of that ethnicity
    ("CC", "patient", 8): {"age_band": "65_plus", "time_in_service": "10y_plus"},
    ("JH", "staff", 0): {"gender": "male", "age_band": "60_64"},
}


# --- the survey ------------------------------------------------------------------------


@pytest.fixture
def seeded_server(monkeypatch):
    """Response ids (so quote labels) and record keys (so the noise) drawn from SEED."""
    rng = random.Random(SEED)
    monkeypatch.setattr(
        Response._meta.get_field("id"), "_get_default", lambda: uuid.UUID(int=rng.getrandbits(128), version=4), raising=False
    )
    try:
        key = Response._meta.get_field("rkey")
    except FieldDoesNotExist:  # before disclosure control: no record keys
        return
    monkeypatch.setattr(key, "_get_default", lambda: rng.randrange(1 << 16), raising=False)


def about_you(rng: random.Random, code: str, group: str) -> dict:
    answers = {
        "gender": "female" if code in ("CL", "CC") else rng.choice(["female", "male"]),
        "age_band": rng.choice(["25_29", "30_34", "35_39", "40_44"]),
        "ethnicity": rng.choice(["white_english", "white_english", "black_caribbean", "asian_indian"]),
    }
    if group == "patient":
        answers["time_in_service"] = rng.choice(["lt_1y", "1_4y"])
        answers["time_in_secure"] = rng.choice(["1_4y", "5_9y"])
    return answers


def main_answers(rng: random.Random) -> dict:
    return {
        "useful": rng.choice(["yes", "yes", "sometimes", "no"]),
        "ideal_forms": rng.sample(["emotional", "practical", "speaking_out", "information", "wellbeing"], rng.randint(1, 3)),
        "user_led": rng.choice(["yes", "no"]),
        "fears": rng.sample(["trust", "confidentiality", "boundaries", "skills_confidence"], rng.randint(0, 2)),
        "when_useful": rng.sample(["admission", "moving_wards", "discharge", "crisis"], rng.randint(0, 2)),
    }


@pytest.fixture
def survey(seeded_server, chadwick):
    """Five services (SURVEY), 48 patients and 21 staff answering on days from August to
    October 2026, rare profiles among them (RARE), free text from some."""
    rng = random.Random(SEED)
    services = {"CL": chadwick}
    for code, site in SURVEY.items():
        if code != "CL":
            services[code] = service(code, security=site.security, specialisms=site.specialisms)
    days = (LAST_DAY - FIRST_DAY).days
    planned = []
    for code, site in SURVEY.items():
        for group, count in (("patient", site.patients), ("staff", site.staff)):
            for index in range(count):
                planned.append((FIRST_DAY + timedelta(days=rng.randrange(days + 1)), code, group, index))
    for day, code, group, index in sorted(planned):
        answers = {**main_answers(rng), **about_you(rng, code, group), **RARE.get((code, group, index), {})}
        if group == "staff":
            titles = SURVEY[code].job_titles
            answers["job_title"] = titles[index % len(titles)]
            if index == 0:
                answers["comments"] = f"Staff view {code} {index}: peer workers need supervision"
        elif index < 2 or (code, group, index) in RARE:
            answers["useful_why"] = f"Patient view {code} {index}: someone who has been there"
        answer(services[code], group, answers, on=day)
    return services


def approve_every_text(reviewer: Client) -> int:
    """A lead with review rights approves every waiting text with the attribution the
    review queue suggests, as a reviewer in a hurry would."""
    suggested = {}
    page = 1
    while True:
        html = reviewer.get("/dashboard/quotes/review/", {"page": page}).content.decode()
        found = [
            (int(pk), unescape(value))
            for pk, value in re.findall(
                r'action="/dashboard/quotes/review/(\d+)/".*?name="attribution" value="([^"]*)"', html, re.S
            )
        ]
        if not found or all(pk in suggested for pk, _ in found):
            break
        suggested.update(found)
        page += 1
    for pk, attribution in suggested.items():
        quote_review(answer=TextAnswer.objects.get(pk=pk), approve=True, text="", attribution=attribution)
    return len(suggested)


# --- what the intruder sees ---------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whom an output counts, as the published method tells the intruder."""

    members: frozenset[str]  # service codes, and POOL when the pooled remainder counts
    date_from: date | None
    date_to: date | None
    about: tuple[str, str] | None

    def within(self, other: Scope) -> bool:
        """Everyone this output counts is counted by `other` too."""
        if not self.members <= other.members:
            return False
        after = other.date_from is None or (self.date_from is not None and other.date_from <= self.date_from)
        before = other.date_to is None or (self.date_to is not None and self.date_to <= other.date_to)
        if self.about == other.about:
            return after and before
        # A slice's answers are released after (never before) the same people's everyone-release.
        return other.about is None and other.date_from is None and before


def scope_of(params: dict, survey: dict) -> Scope:
    """Whom a request's outputs count, by the published method, among `survey`'s services."""
    chosen = params.get("service") or []
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    national = not (chosen or params.get("security") or params.get("specialism"))
    codes = set(chosen) if chosen else set(survey)
    if params.get("security"):
        codes = {code for code in codes if survey[code].security == params["security"]}
    if params.get("specialism"):
        codes = {code for code in codes if params["specialism"] in survey[code].specialisms}
    if national and not (params.get("from") or params.get("to")):
        codes.add(POOL)
    about = next(((q, params[q]) for q in ABOUT if params.get(q)), None)
    return Scope(frozenset(codes), params.get("from"), params.get("to"), about)


@dataclass
class Output:
    label: str
    scope: Scope
    n: dict[str, int | None]
    noise: int
    counts: dict[tuple, int]  # ("chose", group, question, option) or ("answered", group, question) -> count
    about_options: dict[str, dict[str, list[str]]]  # about-you question -> group -> options asked
    by_service: dict[str, dict[str, int | None]]
    by_month: dict[str, dict[str, int | None]]
    state: int = 0  # which state of the data it was read from (the intruder's count of changes)

    def interval(self, key: tuple) -> tuple[int, int]:
        """What the intruder knows of a count: [c - noise, c + noise] within [0, n];
        [0, n] when the count is not shown at all."""
        top = self.n[key[1]] or 0
        if key not in self.counts:
            return 0, top
        count = self.counts[key]
        return max(0, count - self.noise), min(top, count + self.noise)

    def keys(self, group: str) -> list[tuple]:
        return [key for key in self.counts if key[1] == group]

    def rows(self) -> list[Output]:
        """`by_service` and `by_month` rows as outputs of their own: exact sizes of one
        service, or one month, of the same selection (the pool is in neither)."""
        rows = []
        for code, row in self.by_service.items():
            scope = Scope(frozenset({code}), self.scope.date_from, self.scope.date_to, self.scope.about)
            rows.append(self._row(f"{self.label} by_service[{code}]", scope, row))
        for month, row in self.by_month.items():
            first = date.fromisoformat(f"{month}-01")
            last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
            # The month within the selection's window (the whole month, once windows are whole months).
            first, last = max(first, self.scope.date_from or first), min(last, self.scope.date_to or last)
            scope = Scope(self.scope.members - {POOL}, first, last, self.scope.about)
            rows.append(self._row(f"{self.label} by_month[{month}]", scope, row))
        return rows

    def _row(self, label: str, scope: Scope, row: dict) -> Output:
        return Output(label, scope, {group: row.get(group) for group in GROUPS}, self.noise, {}, {}, {}, {}, self.state)


def parse_output(label: str, scope: Scope, data: dict, state: int) -> Output:
    disclosure = data.get("disclosure") or {}
    noise = int(disclosure.get("max_noise") or 0) if disclosure.get("perturbed") else 0
    counts: dict[tuple, int] = {}
    about_options: dict[str, dict[str, list[str]]] = {}
    for question in data["questions"]:
        for group in GROUPS:
            if question["answered"].get(group) is not None:
                counts[("answered", group, question["code"])] = question["answered"][group]
        for option in question["options"]:
            for group in GROUPS:
                cell = option[group]
                if cell is None:
                    continue
                if question["section"] == "about_you":
                    about_options.setdefault(question["code"], {}).setdefault(group, []).append(option["code"])
                if cell["count"] is not None:
                    counts[("chose", group, question["code"], option["code"])] = cell["count"]
    return Output(
        label=label,
        scope=scope,
        n={group: data["groups"][group]["n"] for group in GROUPS},
        noise=noise,
        counts=counts,
        about_options=about_options,
        by_service={row["service"]: row for row in data.get("by_service", [])},
        by_month={row["month"]: row for row in data.get("by_month", [])},
        state=state,
    )


@dataclass
class Findings:
    """One attack by one intruder: probes tried, refusals, isolations, recoveries."""

    attack: str
    role: str
    tried: int = 0
    requests: int = 0
    refused: int = 0
    isolations: int = 0
    recoveries: int = 0
    designed: int = 0  # isolations by the attack's own pairs (the rest: any other nested pair)
    moved: int = 0  # designed pairs that differ by min_cell or more: the attack saw figures change
    examples: dict[str, list[str]] = field(default_factory=dict)  # a few per way of attacking
    _seen: set = field(default_factory=set)

    def isolated(self, what: str, *, recovered: bool, key=None, how: str = "", designed: bool = True) -> None:
        key = key if key is not None else what
        if key in self._seen:
            return
        self._seen.add(key)
        self.isolations += 1
        self.recoveries += recovered
        self.designed += designed
        examples = self.examples.setdefault(how or what.split(":")[0], [])
        if len(examples) < 3:
            examples.append(f"{'RECOVERED' if recovered else 'isolated'}: {what}")

    def line(self) -> str:
        return (
            f"motivated intruder | {self.attack:<24} | {self.role:<16} | tried {self.tried:>5} "
            f"(requests {self.requests:>3}, refused {self.refused:>2}) | isolations {self.isolations:>4} "
            f"(designed checks {self.designed:>3}) | recoveries {self.recoveries:>4}"
        )


class Intruder:
    """A lead who reads data.json (and the rest) and keeps what it learns."""

    def __init__(self, role: str, user, own: set[str] | None):
        self.role = role
        self.client = Client()
        self.client.force_login(user)
        self.own = own  # None: every service
        self.state = 0  # bumped whenever the data may have changed
        self._cache: dict = {}

    def scope(self, params: dict) -> Scope:
        return scope_of(params, SURVEY)

    def data(self, findings: Findings, params: dict) -> Output | None:
        """data.json for `params`; None when refused (a defence, counted)."""
        query = {key: (value.isoformat() if isinstance(value, date) else value) for key, value in params.items() if value}
        label = "data.json?" + "&".join(
            f"{key}={v}" for key, value in sorted(query.items()) for v in (value if isinstance(value, list) else [value])
        )
        cache_key = (self.state, label)
        if cache_key in self._cache:
            return self._cache[cache_key]
        reply = self.client.get("/dashboard/data.json", query)
        findings.requests += 1
        if reply.status_code in (400, 403):
            findings.refused += 1
            findings.tried += 1
            output = None
        else:
            assert reply.status_code == 200, (label, reply.status_code, reply.content[:300])
            output = parse_output(label, self.scope(params), reply.json(), self.state)
        self._cache[cache_key] = output
        return output

    def get(self, findings: Findings, path: str, params: dict | None = None):
        reply = self.client.get(path, params or {})
        findings.requests += 1
        if reply.status_code in (400, 403):
            findings.refused += 1
            findings.tried += 1
        return reply


@pytest.fixture
def intruders(survey, service_lead, national_lead):
    return [
        Intruder("service_lead", service_lead, {"CL"}),
        Intruder("partnership_lead", national_lead, None),
    ]


# --- the arithmetic of an attack ---------------------------------------------------------


def pinned_difference(small: Output, big: Output, group: str) -> bool:
    """Do the released counts pin an answer of the people in `big` but not in `small`?"""
    few = big.n[group] - small.n[group]
    for key in big.keys(group):
        if key not in small.counts:
            continue
        big_low, big_high = big.interval(key)
        small_low, small_high = small.interval(key)
        low, high = max(0, big_low - small_high), min(few, big_high - small_low)
        if low == high:
            return True
    return False


def difference(findings: Findings, small: Output | None, big: Output | None) -> None:
    """One designed pair: `small` counts nobody `big` does not."""
    findings.tried += 1
    if small is None or big is None:
        return
    assert small.scope.within(big.scope), (small.label, big.label)
    for group in GROUPS:
        if small.n[group] is None or big.n[group] is None:
            continue
        findings.moved += big.n[group] - small.n[group] >= MIN_CELL
        if big.n[group] - small.n[group] in FEW:
            findings.isolated(
                f"{group}: {big.label} (n={big.n[group]}) minus {small.label} (n={small.n[group]})",
                recovered=pinned_difference(small, big, group),
                key=(group, small.state, small.label, big.state, big.label),
                how="designed pair",
            )


def every_nested_pair(findings: Findings, outputs: list[Output | None]) -> None:
    """Beyond the designed pairs: any two outputs, one counting everyone the other does,
    whose group sizes differ by 1..4; the rows of `by_service` and `by_month` included."""
    outputs = [o for o in outputs if o is not None]
    assert len({o.state for o in outputs}) <= 1, "outputs of one state of the data only"
    outputs = list({o.label: o for o in [*outputs, *(row for o in outputs for row in o.rows())]}.values())
    for group in GROUPS:
        exact = sorted((o.n[group], index) for index, o in enumerate(outputs) if o.n[group] is not None)
        sizes = [n for n, _ in exact]
        for n, index in exact:
            for _, other in exact[bisect_left(sizes, n + 1) : bisect_right(sizes, n + MIN_CELL - 1)]:
                small, big = outputs[index], outputs[other]
                if small.scope.within(big.scope):
                    findings.isolated(
                        f"{group}: {big.label} (n={big.n[group]}) minus {small.label} (n={small.n[group]})",
                        recovered=pinned_difference(small, big, group),
                        key=(group, small.state, small.label, big.state, big.label),
                        how=f"row {small.label}"
                        if "]" in small.label
                        else f"row {big.label}"
                        if "]" in big.label
                        else "any nested pair",
                        designed=False,
                    )


def remainder(findings: Findings, total: Output | None, parts: list[Output | None], what: str) -> None:
    """A total less its disjoint parts: the people left over."""
    if total is None:
        findings.tried += 1
        return
    for group in GROUPS:
        findings.tried += 1
        if total.n[group] is None:
            continue
        shown = [part for part in parts if part is not None and part.n[group] is not None]
        left = total.n[group] - sum(part.n[group] for part in shown)
        if left not in FEW:
            continue
        pinned = False
        for key in total.keys(group):
            total_low, total_high = total.interval(key)
            low = max(0, total_low - sum(part.interval(key)[1] for part in shown))
            high = min(left, total_high - sum(part.interval(key)[0] for part in shown))
            pinned = pinned or low == high
        findings.isolated(
            f"{group}: {total.label} (n={total.n[group]}) less {what} ({len(shown)} outputs) leaves {left}",
            recovered=pinned,
            key=(group, total.state, total.label, what),
            how=f"total less {what}",
        )


def hidden_categories(findings: Findings, output: Output | None) -> None:
    """`answered` less the visible categories of an about-you question: the people in
    the hidden (rare) ones."""
    if output is None:
        return
    for question, by_group in output.about_options.items():
        for group, options in by_group.items():
            findings.tried += 1
            answered = ("answered", group, question)
            hidden = [o for o in options if ("chose", group, question, o) not in output.counts]
            if answered not in output.counts or not hidden:
                continue
            visible = [("chose", group, question, o) for o in options if o not in hidden]
            answered_low, answered_high = output.interval(answered)
            low = max(0, answered_low - sum(output.interval(key)[1] for key in visible))
            high = answered_high - sum(output.interval(key)[0] for key in visible)
            if low >= 1 and high <= MIN_CELL - 1:  # certainly 1..4 people in the hidden categories
                findings.isolated(
                    f"{group}: {output.label} answered {question} less its visible categories leaves "
                    f"{low if low == high else f'{low}..{high}'} in {hidden}",
                    recovered=low == high,
                    key=(group, output.state, output.label, question),
                    how="answered less visible categories",
                )


def report(findings: list[Findings]) -> str:
    print()
    for finding in findings:
        print(finding.line())
    return "\n".join(
        f"{f.line()}\n    " + "\n    ".join(e for examples in f.examples.values() for e in examples)
        for f in findings
        if f.isolations or f.recoveries
    )


def assert_nothing_singled_out(findings: list[Findings]) -> None:
    summary = report(findings)
    assert sum(f.isolations for f in findings) == 0 and sum(f.recoveries for f in findings) == 0, summary


# --- 1. date differencing ----------------------------------------------------------------


def test_date_differencing_isolates_no_one(intruders):
    """Windows a day apart (to=D vs to=D+1, from=D+1 vs from=D) for every day of the
    survey and the days either side: nationally, and per own service (the service lead:
    CL; the partnership lead: the smallest, JH and G, as CL is the service lead's)."""
    findings = []
    days = [FIRST_DAY - timedelta(days=1) + timedelta(days=k) for k in range((LAST_DAY - FIRST_DAY).days + 2)]
    for intruder in intruders:
        found = Findings("1 date differencing", intruder.role)
        scopes = [{}, {"service": ["CL"]}] if intruder.own else [{}, {"service": ["JH"]}, {"service": ["G"]}]
        outputs = []
        for scope in scopes:
            for day in days:
                to_day, to_next = (
                    intruder.data(found, {**scope, "to": day}),
                    intruder.data(found, {**scope, "to": day + timedelta(1)}),
                )
                difference(found, to_day, to_next)
                from_day, from_next = (
                    intruder.data(found, {**scope, "from": day}),
                    intruder.data(found, {**scope, "from": day + timedelta(1)}),
                )
                difference(found, from_next, from_day)
                outputs += [to_day, to_next, from_day, from_next]
        every_nested_pair(found, outputs)
        findings.append(found)
    assert_nothing_singled_out(findings)
    assert all(found.moved for found in findings), "no window a day apart changed anything: the survey is too small"


# --- 2. service-set differencing -----------------------------------------------------------


def service_sets(intruder: Intruder, found: Findings) -> None:
    """S plus X against S for every service X and set S; security levels and
    specialisms against each other, their sets of services and the national figures."""
    national = intruder.data(found, {})
    outputs = [national]
    if intruder.own:
        own = intruder.data(found, {"service": ["CL"]})
        difference(found, own, national)
        for params in ({"service": ["CL"], "security": "low"}, {"service": ["CL"], "specialism": "women"}):
            narrowed = intruder.data(found, params)
            difference(found, narrowed, own)
            outputs += [own, narrowed]
        # Refused (403): other services by name, and slices of services that are not all theirs.
        for params in (
            {"service": ["G"]},
            {"service": ["CL", "JH"]},
            {"security": "low"},
            {"specialism": "women"},
            {"specialism": "deaf"},
        ):
            assert intruder.data(found, params) is None, params
        every_nested_pair(found, outputs)
        return
    codes = sorted(SURVEY)
    sets = {
        frozenset(c): intruder.data(found, {"service": sorted(c)})
        for r in range(1, len(codes) + 1)
        for c in combinations(codes, r)
    }
    outputs += sets.values()
    for chosen, output in sets.items():
        difference(found, output, national)
        for extra in set(codes) - chosen:
            difference(found, output, sets[chosen | {extra}])
    levels = {level: intruder.data(found, {"security": level}) for level in SECURITY}
    kinds = {kind: intruder.data(found, {"specialism": kind}) for kind in SPECIALISMS}
    for name, outputs_by in (("security", levels), ("specialism", kinds)):
        for value, output in outputs_by.items():
            difference(found, output, national)
            services = frozenset(intruder.scope({name: value}).members)
            if services:
                difference(found, sets[services], output)
                difference(found, output, sets[services])
        remainder(found, national, list(outputs_by.values()), f"every {name}" if name == "security" else "every specialism")
        outputs += outputs_by.values()
    for level, kind in [(level, kind) for level in SECURITY for kind in SPECIALISMS]:
        both = intruder.data(found, {"security": level, "specialism": kind})
        difference(found, both, levels[level])
        difference(found, both, kinds[kind])
        outputs.append(both)
    every_nested_pair(found, outputs)


def close_round(intruders) -> bool:
    """The collection round closes (`manage.py close_round`): leftovers join a national pool."""
    if releases_close is None:
        return False
    releases_close()
    for intruder in intruders:
        intruder.state += 1
    return True


def test_service_set_differencing_isolates_no_one(intruders):
    findings = [Findings("2 service sets", intruder.role) for intruder in intruders]
    for intruder, found in zip(intruders, findings, strict=True):
        service_sets(intruder, found)
    if close_round(intruders):
        for intruder, found in zip(intruders, findings, strict=True):
            service_sets(intruder, found)
    assert_nothing_singled_out(findings)
    assert all(found.moved for found in findings)


# --- 3. demographic complements and derived cells -------------------------------------------


def derived_cells(intruder: Intruder, found: Findings, *, national_only: bool = False) -> None:
    """Per scope (national, and each service the intruder may name): the total less every
    slice of each about-you question, `answered` less the visible categories, and the total
    less the services and months that `by_service` and `by_month` show."""
    codes = sorted(intruder.own or SURVEY)
    scopes = [{}] + ([] if national_only else [{"service": [code]} for code in codes])
    outputs = []
    for scope in scopes:
        total = intruder.data(found, scope)
        outputs.append(total)
        hidden_categories(found, total)
        if total is None:
            continue
        for question in ABOUT:
            options = sorted({o for asked in total.about_options.get(question, {}).values() for o in asked})
            slices = [intruder.data(found, {**scope, question: option}) for option in options]
            remainder(found, total, slices, f"every {question} slice")
            outputs += slices
        months = []
        for month in sorted(total.by_month):
            first = date.fromisoformat(f"{month}-01")
            months.append(
                intruder.data(found, {**scope, "from": first, "to": (first + timedelta(days=31)).replace(day=1) - timedelta(1)})
            )
        remainder(found, total, months, "the months by_month shows")
        outputs += months
        if not scope:
            services = [intruder.data(found, {"service": [code]}) for code in sorted(total.by_service)]
            remainder(found, total, services, "the services by_service shows")
    every_nested_pair(found, outputs)


def test_demographic_complements_and_derived_cells_isolate_no_one(intruders):
    findings = [Findings("3 complements, derived", intruder.role) for intruder in intruders]
    for intruder, found in zip(intruders, findings, strict=True):
        derived_cells(intruder, found)
    if close_round(intruders):  # the pool counts nationally: attack the national figures again
        for intruder, found in zip(intruders, findings, strict=True):
            derived_cells(intruder, found, national_only=True)
    assert_nothing_singled_out(findings)


# --- 4. live isolation ---------------------------------------------------------------------


LIVE_FILTERS = {
    "service_lead": [
        {},
        {"service": ["CL"]},
        {"gender": "female"},
        {"service": ["CL"], "gender": "non_binary"},
        {"service": ["CL"], "time_in_service": "lt_1y"},
        {"service": ["CL"], "security": "low"},
    ],
    "partnership_lead": [
        {},
        {"service": ["CL"]},
        {"service": ["JH"]},
        {"service": ["SAN"]},
        {"security": "low"},
        {"specialism": "women"},
        {"gender": "male"},
        {"service": ["JH"], "gender": "male"},
    ],
}
# One at a time, by someone else: (service, group, answers beyond the usual), or
# ("paper", service, answers): a paper form the service lead keys in.
LIVE_SUBMISSIONS = [
    ("CL", "patient", {"gender": "non_binary"}),
    ("CL", "patient", {}),
    ("JH", "staff", {"gender": "male"}),
    ("CL", "patient", {"ethnicity": "white_gypsy_traveller"}),
    ("JH", "patient", {}),
    ("paper", "CL", {"gender": "female"}),
    ("SAN", "patient", {}),
    ("CL", "staff", {}),
    ("CL", "patient", {}),
    ("JH", "staff", {}),
]


def paper_entry(intruder: Intruder, found: Findings, code: str, extra: dict) -> None:
    """A service lead keys in someone's paper form: the confirmation names no running number."""
    page = intruder.get(found, f"/dashboard/paper/{code}/patient/")
    client_id = page.context["form"]["client_id"].value()
    form = {"paper_date": timezone.localdate().isoformat(), "useful": "yes", "fears": ["trust"], "client_id": client_id, **extra}
    reply = intruder.client.post(f"/dashboard/paper/{code}/patient/", form, follow=True)
    found.requests += 1
    assert reply.status_code == 200 and reply.redirect_chain, reply.content[:500]
    status = re.search(r'<div role="status">(.*?)</div>', reply.content.decode(), re.S)
    message = unescape(re.sub(r"<[^>]+>", " ", status.group(1))) if status else ""
    number = Response.objects.get(client_id=client_id, service__code=code).number
    found.tried += 1
    if f"{code}{number}" in message.replace(" ", "") or str(number) in re.findall(r"\d+", message):
        found.isolated(f"the paper confirmation shows running number {number}: {message.strip()!r}", recovered=False, how="paper")


def test_live_isolation_one_submission_at_a_time(intruders, survey, api):
    """data.json before and after each single new response (the JSON API, or paper),
    its `by_service` and `by_month` rows included: the figures move by a batch of at
    least min_cell, or not at all."""
    rng = random.Random(SEED + 4)
    findings = {intruder.role: Findings("4 live isolation", intruder.role) for intruder in intruders}
    this_month = {
        "service_lead": [{"from": timezone.localdate()}],
        "partnership_lead": [{"service": ["CL"], "from": timezone.localdate()}],
    }

    def snapshot():
        return {
            intruder.role: [
                intruder.data(findings[intruder.role], params)
                for params in LIVE_FILTERS[intruder.role] + this_month[intruder.role]
            ]
            for intruder in intruders
        }

    before = snapshot()
    for code, group, extra in LIVE_SUBMISSIONS:
        if code == "paper":
            paper_entry(intruders[0], findings["service_lead"], group, extra)
        else:
            answers = {**main_answers(rng), **about_you(rng, code, group), **extra}
            body = {"client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "answers": answers}
            reply = api.submit(link(survey[code], group), body)
            assert reply.status_code == 201, reply.content
        for intruder in intruders:
            intruder.state += 1
        after = snapshot()
        for intruder in intruders:
            for old, new in zip(before[intruder.role], after[intruder.role], strict=True):
                difference(findings[intruder.role], old, new)
                rows = {row.label: row for row in (old.rows() if old else [])}
                for row in new.rows() if new else []:
                    difference(findings[intruder.role], rows.get(row.label), row)
        before = after
    assert_nothing_singled_out(list(findings.values()))
    # The submissions completed batches: the figures did move, by min_cell or more at a time.
    assert all(found.moved for found in findings.values())


# --- 5. linkage: the response export and quotes ------------------------------------------------

KEPT_ABOUT = ("gender", "time_in_service", "time_in_secure", "age_band", "ethnicity")
QUASI_IDENTIFIERS = ("service", "questionnaire", "version", "channel", "number", "wave")


def read_csv(reply) -> tuple[list[str], list[dict]]:
    text = b"".join(reply.streaming_content if reply.streaming else [reply.content]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    return (rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]) if rows else ([], [])


def about_values(header: list[str], row: dict) -> tuple[str, ...]:
    """A row's about-you answers, whether as one column each or as 0/1 option columns."""
    values = []
    for question in KEPT_ABOUT:
        if question in header:
            values.append(row[question])
        else:
            values.append(next((c.split(".", 1)[1] for c in header if c.startswith(f"{question}.") and row[c] == "1"), ""))
    return tuple(values)


def period(row: dict) -> str:
    """The finest date a row gives: its day if it has one, else its month."""
    return row.get("submitted_on") or row.get("month") or ""


def response_rows_attack(found: Findings, label: str, header: list[str], rows: list[dict]) -> None:
    """Linkage on the response export: every combination of quasi-identifiers (service,
    questionnaire, version, the date given, channel, running number, about-you answers)
    shared by fewer than min_cell rows singles its rows out; so does free text in a row."""
    texts = [c for c in header if "." not in c and c not in (*QUASI_IDENTIFIERS, *KEPT_ABOUT, "month", "submitted_on")]
    classes = Counter((tuple(row.get(c, "") for c in QUASI_IDENTIFIERS), period(row), about_values(header, row)) for row in rows)
    for key, size in classes.items():
        found.tried += 1
        if size in FEW:
            found.isolated(f"{label}: {size} row(s) share {key}", recovered=True, key=(label, key), how="rows")
    for row in rows:
        for column in texts:
            found.tried += 1
            if row[column].strip():
                found.isolated(f"{label}: free text {column}={row[column]!r} beside a whole row", recovered=True, how="free text")


def visible_quotes(intruder: Intruder, found: Findings) -> list[tuple[str, str]]:
    quotes, page = [], 1
    while True:
        html = intruder.get(found, "/dashboard/quotes/", {"page": page}).content.decode()
        more = re.findall(
            r'<blockquote class="mb-1"><p>“(.*?)”</p></blockquote>\s*<p class="quote-credit">\((.*?)\)</p>', html, re.S
        )
        more = [(unescape(text), unescape(credit)) for text, credit in more]
        if not more or more[0] in quotes:
            return quotes
        quotes += more
        page += 1


def quotes_attack(found: Findings, quotes: list[tuple[str, str]], cells: set[str], numbered_rows: set[str]) -> None:
    """A quote's attribution is no running number (its own or anyone's), names no job title
    fewer than min_cell staff of its service share, and neither it nor the quote is in
    any export cell."""
    running = {f"{code}{number}" for code, number in Response.objects.values_list("service__code", "number")}
    for text, credit in quotes:
        found.tried += 1
        written = TextAnswer.objects.select_related("response__service", "response__questionnaire").get(review__text=text)
        response = written.response
        own = f"{response.service.code}{response.number}"
        linked = own in numbered_rows  # the export has its row, by running number
        if credit == own or (response.questionnaire.code == "staff" and credit.endswith(f" {response.number}")):
            found.isolated(f"quote {text!r} credited {credit!r}: its running number", recovered=linked, how="quote number")
        elif credit in running:
            found.isolated(
                f"quote {text!r} credited {credit!r}: a running number of this survey", recovered=False, how="quote number"
            )
        title = credit.rsplit(" ", 1)[0]
        if response.questionnaire.code == "staff" and title != "Staff member":
            sharing = TextAnswer.objects.filter(
                question__code="job_title", response__service=response.service, text__iexact=title
            ).count()
            if sharing in FEW:
                found.isolated(
                    f"quote {text!r} credited {credit!r}: {sharing} staff of {response.service.code} have that title",
                    recovered=True,
                    how="quote job title",
                )
        for shown in (text, credit):
            if shown in cells:
                found.isolated(f"quote {text!r}: {shown!r} is an export cell", recovered=True, how="quote in export")


def test_linkage_through_exports_and_quotes_isolates_no_one(intruders):
    """The response export (partnership leads only) against quasi-identifiers and free
    text; approved quotes against running numbers, job titles and export cells."""
    approved = approve_every_text(intruders[1].client)
    assert approved >= 10
    findings = []
    for intruder in intruders:
        found = Findings("5 linkage", intruder.role)
        cells: set[str] = set()
        numbered_rows: set[str] = set()
        for params in ({}, {"service": ["CL"]}, {"from": MONTHS[1][0], "to": MONTHS[1][1]}):
            reply = intruder.get(found, "/dashboard/export/responses.csv", params)
            if intruder.own:
                # Rows are for partnership leads; a service lead who gets them is attacked with them.
                found.tried += reply.status_code == 403
                if reply.status_code == 403:
                    continue
                found.isolated(f"a service lead got responses.csv?{params} ({reply.status_code})", recovered=False, how="access")
            assert reply.status_code == 200, reply.content[:300]
            header, rows = read_csv(reply)
            assert header[:3] == ["service", "questionnaire", "version"], header
            response_rows_attack(found, f"responses.csv?{params}", header, rows)
            if "number" in header:
                numbered_rows |= {f"{row['service']}{row['number']}" for row in rows}
            found.tried += 1
            if "number" in header or "submitted_on" in header:
                found.isolated(
                    f"responses.csv has {[c for c in ('number', 'submitted_on') if c in header]}", recovered=False, how="columns"
                )
            cells |= {cell for row in rows for cell in row.values()}
        for params in ({}, {"service": ["CL"]}):
            header, rows = read_csv(intruder.get(found, "/dashboard/export/aggregate.csv", params))
            cells |= {cell for row in rows for cell in row.values()}
        quotes = visible_quotes(intruder, found)
        assert quotes, "the intruder should see some approved quotes"
        quotes_attack(found, quotes, cells, numbered_rows)
        findings.append(found)
    assert_nothing_singled_out(findings)


# --- 6. small cells in exports -----------------------------------------------------------------


SMALL_SELECTIONS = [
    {},
    {"gender": "non_binary"},
    {"ethnicity": "white_gypsy_traveller"},
    {"age_band": "65_plus"},
    {"age_band": "60_64"},
    {"from": MONTHS[1][0], "to": MONTHS[1][1]},
]


def aggregate_attack(intruder: Intruder, found: Findings, params: dict) -> None:
    """No group of 1..4, and no about-you category the intruder can tell holds 1..4
    people (its count within the published noise), in the aggregate CSV."""
    reply = intruder.get(found, "/dashboard/export/aggregate.csv", params)
    if reply.status_code != 200:
        return
    noise = intruder.data(found, params).noise  # the published method, as data.json states it
    header, rows = read_csv(reply)
    for row in rows:
        for group in GROUPS:
            found.tried += 1
            size = row[f"{group}_n"]
            if size.isdigit() and int(size) in FEW:
                found.isolated(
                    f"aggregate.csv?{params}: {group}_n = {size}", recovered=noise == 0, key=(str(params), group), how="group n"
                )
            count = row[f"{group}_count"]
            if row["question"] not in KEPT_ABOUT or not (count.isdigit() and size.isdigit()):
                continue
            low, high = max(0, int(count) - noise), min(int(size), int(count) + noise)
            if low >= 1 and high < MIN_CELL:
                found.isolated(
                    f"aggregate.csv?{params}: {row['question']}={row['option']} {group}_count = {count} (noise {noise})",
                    recovered=noise == 0,
                    key=(str(params), group, row["question"], row["option"]),
                    how="about-you count",
                )


def test_small_cells_in_exports(intruders):
    """The aggregate CSV, for the rare slices and the small services; the response CSV:
    no group (service, questionnaire, version, month) under min_cell."""
    findings = []
    for intruder in intruders:
        found = Findings("6 small cells", intruder.role)
        services = [{"service": [code]} for code in sorted(intruder.own or SURVEY)]
        selections = SMALL_SELECTIONS + services + [{**s, "gender": "female"} for s in services]
        for params in selections:
            aggregate_attack(intruder, found, params)
        for params in [{}, *services]:
            reply = intruder.get(found, "/dashboard/export/responses.csv", params)
            if reply.status_code != 200:
                continue
            header, rows = read_csv(reply)
            groups = Counter((row["service"], row["questionnaire"], row["version"], period(row)[:7]) for row in rows)
            for group, size in groups.items():
                found.tried += 1
                if size in FEW:
                    found.isolated(
                        f"responses.csv?{params}: {size} row(s) of {group}", recovered=True, key=group, how="response rows"
                    )
        findings.append(found)
    assert_nothing_singled_out(findings)


# --- 7. at rest ---------------------------------------------------------------------------------


def time_like(value, now: float) -> bool:
    """A stored value that gives a time of day: a time, an epoch count of seconds,
    minutes or milliseconds within a day of now, or a time-based (version 1 or 6) UUID."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return any(abs(value - now / unit) <= 86400 / unit for unit in (1, 60, 1e-3))
    if isinstance(value, uuid.UUID):
        return value.version in (1, 6)
    if isinstance(value, str):
        if re.fullmatch(r"[0-9a-fA-F]{32}|[0-9a-fA-F-]{36}", value):
            return uuid.UUID(value).version in (1, 6)
        return bool(re.search(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", value))
    return False


def test_nothing_at_rest_holds_a_time_of_day(survey, api):
    """No datetime or time column in the survey's and dashboard's tables, no value that
    is a time of day in disguise; a version-1 client_id (a time and a MAC address) is a
    400 and stores nothing."""
    found = Findings("7 at rest", "database")
    rng = random.Random(SEED + 7)
    for code, group in (("CL", "patient"), ("JH", "staff"), ("SAN", "patient")):
        body = {"client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "answers": main_answers(rng)}
        assert api.submit(link(survey[code], group), body).status_code == 201
    stored = Response.objects.count()
    reply = api.submit(link(survey["CL"], "patient"), {"client_id": str(uuid.uuid1()), "answers": {"useful": "yes"}})
    found.requests += 4
    found.tried += 1
    if reply.status_code != 400 or Response.objects.count() != stored:
        found.isolated(
            f"a version-1 client_id was answered {reply.status_code} and {Response.objects.count() - stored} stored",
            recovered=False,
            how="version-1 client_id",
        )
    now = timezone.now().timestamp()
    # The audit log (the audit app's table, named dashboard_auditevent) records when leads
    # used the dashboard, as docs/contract.md says it must: not a response's or a link's time.
    audit_log = {model._meta.db_table for model in apps.get_app_config("audit").get_models()}
    tables = [
        t for t in connection.introspection.table_names() if t.startswith(("surveys_", "dashboard_")) and t not in audit_log
    ]
    assert "surveys_response" in tables
    with connection.cursor() as cursor:
        for table in tables:
            description = connection.introspection.get_table_description(cursor, table)
            for column in description:
                found.tried += 1
                kind = connection.introspection.get_field_type(column.type_code, column)
                if kind in ("DateTimeField", "TimeField"):
                    found.isolated(f"{table}.{column.name} is a {kind}", recovered=False, how="column")
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(description, row, strict=True):
                    if time_like(value, now):
                        found.isolated(
                            f"{table}.{column.name} holds {value!r}", recovered=False, key=(table, column.name), how="value"
                        )
    # Every UUID field of the apps' models, as Django reads it back (SQLite keeps them as text).
    for model in [*apps.get_app_config("surveys").get_models(), *apps.get_app_config("dashboard").get_models()]:
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.UUIDField):
                for value in model.objects.values_list(model_field.name, flat=True):
                    found.tried += 1
                    if time_like(value, now):
                        found.isolated(
                            f"{model._meta.db_table}.{model_field.column} holds a time-based UUID",
                            recovered=False,
                            key=value,
                            how="uuid",
                        )
    assert_nothing_singled_out([found])


def test_a_service_slice_had_by_subtracting_service_sets_isolates_no_one(intruders):
    """Found by a red team after the suite above: "X and Y, white English" less "Y, white
    English" is X's white English slice, which the server withholds when asked for X
    alone; beside X's whole it left 2 people. A service's slice now counts in no
    selection where it would be withheld alone."""
    intruder = next(intruder for intruder in intruders if intruder.role == "partnership_lead")
    found = Findings("3b a slice by service sets", intruder.role)
    codes = sorted(SURVEY)
    whole = {code: intruder.data(found, {"service": [code]}) for code in codes}
    for question in ABOUT:
        options = sorted(
            {o for out in whole.values() if out for asked in out.about_options.get(question, {}).values() for o in asked}
        )
        for x in codes:
            for y in codes:
                if x == y or whole[x] is None:
                    continue
                derived = {group: 0 for group in GROUPS}
                for option in options:
                    both = intruder.data(found, {"service": [x, y], question: option})
                    other = intruder.data(found, {"service": [y], question: option})
                    for group in GROUPS:
                        if both and other and both.n[group] is not None:
                            derived[group] += both.n[group] - (other.n[group] or 0)
                for group in GROUPS:
                    found.tried += 1
                    if whole[x].n[group] is None or not derived[group]:
                        continue
                    left = whole[x].n[group] - derived[group]
                    if left in FEW:
                        found.isolated(
                            f"{group}: {x} (n={whole[x].n[group]}) less its {question} slices had through {y} leaves {left}",
                            recovered=False,
                        )
    print("\n" + report([found]))
    assert_nothing_singled_out([found])
