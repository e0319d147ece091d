"""A motivated intruder against waves, comparisons, trends and services compared
(tests/dashboard/test_motivated_intruder.py and test_intruder_versions.py attack the
outputs before them).

The intruders are the same two leads: a service lead of CL (CL's figures and the
national ones), and a partnership lead (every service). They count the same way:
an *isolation* is 1..4 respondents they can point at (two outputs, one counting
everyone the other counts by the published method, whose exact sizes differ by 1..4;
or a remainder that small), a *recovery* an isolation whose answers the released
counts pin exactly (docs/disclosure.md, the `disclosure` block: counts within
`max_noise`, sizes exact).

What is new, and what the survey (PLAN) is built to break:

- a response belongs to a wave (its link's, or the wave open on its date: paper dated
  inside, between and in the overlap of two waves), releases are per service,
  questionnaire *and wave*, and a closed wave's leftovers pool nationally within the
  wave (`releases_close(wave_ids=...)`) while another wave is still collecting;
- `data.json?wave=` beside all waves and date windows, `compare=national|2014|wave:X`
  (the comparison's figures, its group sizes, and `change.points`/`p` tested against
  "the rest" when the selection is part of the nation), `groups.<g>.rate` and
  `by_service[].rate` (released n over a denominator the intruder may know);
- `trends.json` by month, quarter and wave; `services.json` (each service, the nation,
  funnel `z` and limits); the HTML pages built from them ("At a glance");
- one new answer at a time (P4): every new output before and after.

The intruder's model of whom an output counts (`scope`) is a set of (unit, wave)
cells, a unit being a service or the national pool (which counts nationally, for all
dates, in its own wave only), plus a window of whole months of release and at most
one about-you answer. Each test prints one line per attack and role (`pytest -s`).
"""

from __future__ import annotations

import math
import re
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import unescape
from itertools import combinations

import pytest
from django.test import Client
from django.utils import timezone

from surveys.codes import ABOUT_FILTERS, Channel
from surveys.models import CollectionLink, Questionnaire, Release, Response, Wave
from surveys.releases import releases_close
from surveys.selectors import loaded_questionnaire
from surveys.services import denominator_set, response_submit, wave_upsert
from surveys.tallies import EVERYONE, next_month
from surveys.validation import Submission, clean_answers
from tests.dashboard.test_motivated_intruder import (  # noqa: F401 (seeded_server: a fixture, asked for by name below)
    FEW,
    GROUPS,
    MIN_CELL,
    POOL,
    Findings,
    assert_nothing_singled_out,
    report,
    seeded_server,
)
from tests.dashboard.test_motivated_intruder import Scope as EveryoneScope
from tests.factories import service

NO_WAVE = "-"  # answers given outside every wave
TODAY = timezone.localdate()


@dataclass(frozen=True)
class Site:
    security: str
    specialisms: tuple[str, ...]


# Public knowledge: the services, their security levels and specialisms; the waves and
# their dates (the partnership publishes its rounds); each service's headcount per wave.
SURVEY = {
    "CL": Site("low", ("women",)),  # the service lead's (conftest's `chadwick`)
    "SAN": Site("medium", ()),
    "G": Site("medium", ("learning_disability",)),
    "JH": Site("low", ("deaf",)),
}
SECURITY = sorted({site.security for site in SURVEY.values()})
SPECIALISMS = sorted({s for site in SURVEY.values() for s in site.specialisms})
# A round across a month boundary (three months), one overlapping the next (BX: an extra
# round opened before B closed), and the round open today.
WAVES = {
    "A": (date(2026, 3, 20), date(2026, 5, 10)),
    "B": (date(2026, 9, 25), date(2026, 10, 20)),
    "BX": (date(2026, 10, 10), date(2026, 11, 5)),
    "C": (TODAY - timedelta(days=20), TODAY + timedelta(days=20)),
}
ALL_WAVES = frozenset([*WAVES, NO_WAVE])
DENOMINATORS = {  # (wave, service) -> (patients, staff); JH has 1 member of staff; C lacks JH
    ("A", "CL"): (20, 8),
    ("A", "SAN"): (30, 10),
    ("A", "G"): (9, 5),
    ("A", "JH"): (4, 1),
    ("B", "CL"): (20, 8),
    ("B", "SAN"): (28, 10),
    ("B", "G"): (9, 6),
    ("B", "JH"): (4, 1),
    ("BX", "CL"): (20, None),
    ("C", "CL"): (22, 9),
    ("C", "SAN"): (30, 11),
    ("C", "G"): (10, 5),
}
FIRST_MONTH = date(2026, 3, 1)


def months() -> list[tuple[date, date]]:
    """Every month from the first wave to this one: (first day, last day)."""
    found, first = [], FIRST_MONTH
    while first <= TODAY:
        found.append((first, next_month(first) - timedelta(days=1)))
        first = next_month(first)
    return found


# --- the survey ------------------------------------------------------------------------------


def answers_for(index: int, code: str, group: str, **extra) -> dict:
    """Ordinary answers, varied by index; CL is a women's service."""
    answers = {
        "useful": ("yes", "yes", "sometimes", "no", "yes", "sometimes", "no")[index % 7],
        "user_led": ("yes", "no", "not_sure")[index % 3],
        "restrictions": ("yes", "no")[index % 2],
        "more_user_led": ("yes", "not_sure", "yes", "no")[index % 4],
        "fears": [["trust"], ["confidentiality", "trust"], ["boundaries"], []][index % 4],
        "ideal_forms": [["emotional"], ["practical", "emotional"], ["information"]][index % 3],
        "gender": "female" if code == "CL" else ("female", "male", "male")[index % 3],
        "age_band": ("25_29", "30_34", "35_39", "40_44")[index % 4],
        "ethnicity": ("white_english", "white_english", "black_caribbean")[index % 3],
    }
    if group == "patient":
        answers["time_in_service"] = ("lt_1y", "1_4y")[index % 2]
        answers["time_in_secure"] = ("1_4y", "5_9y", "1_4y")[index % 3]
    return {**answers, **extra}


# (service, group, how many, "link:WAVE" or "paper", first day, last day, extra answers).
# Within a row the days are spread evenly. A comment says what the release code should do.
PLAN = [
    # CL: 5 patients through A's link (released, April), then 2 on paper dated inside A
    # (waiting; pooled when A closes). 5 staff in A (released, May).
    ("CL", "patient", 5, "link:A", date(2026, 3, 25), date(2026, 4, 5), {}),
    ("CL", "patient", 2, "paper", date(2026, 4, 28), date(2026, 5, 3), {}),
    ("CL", "staff", 5, "link:A", date(2026, 4, 10), date(2026, 5, 8), {}),
    # CL in B through B's link, some inside BX's overlap (still B: the link's wave): 5
    # released, 2 waiting; one of them the only patient 10 years or more in secure care.
    ("CL", "patient", 5, "link:B", date(2026, 9, 28), date(2026, 10, 14), {}),
    ("CL", "patient", 2, "link:B", date(2026, 10, 16), date(2026, 10, 18), {"time_in_secure": "10y_plus"}),
    # Paper dated in the overlap of B and BX belongs to BX (the later opened): 3 wait.
    ("CL", "patient", 3, "paper", date(2026, 10, 12), date(2026, 10, 18), {}),
    ("CL", "staff", 3, "link:B", date(2026, 10, 1), date(2026, 10, 9), {}),
    # CL now: 5 patients (released this month), 2 staff waiting.
    ("CL", "patient", 5, "link:C", TODAY, TODAY, {}),
    ("CL", "staff", 2, "link:C", TODAY, TODAY, {}),
    # SAN: 12 patients in A (10 released in two batches, 2 pooled), 6 staff (5 + 1 pooled);
    # 5 paper patients dated between the waves (no wave: released, July); 5 patients in B;
    # 2 staff in B waiting; 4 patients now, waiting.
    ("SAN", "patient", 12, "link:A", date(2026, 3, 21), date(2026, 5, 9), {}),
    ("SAN", "staff", 6, "link:A", date(2026, 3, 22), date(2026, 5, 2), {}),
    ("SAN", "patient", 5, "paper", date(2026, 6, 20), date(2026, 7, 10), {}),
    ("SAN", "patient", 1, "link:B", date(2026, 10, 1), date(2026, 10, 1), {"gender": "non_binary"}),
    ("SAN", "patient", 4, "link:B", date(2026, 10, 2), date(2026, 10, 19), {}),
    ("SAN", "staff", 2, "link:B", date(2026, 10, 5), date(2026, 10, 6), {}),
    ("SAN", "patient", 4, "link:C", TODAY, TODAY, {}),
    # G: 3 patients in A and 2 in B: five in all, but never a batch (waves do not mix);
    # the 3 of A are pooled when A closes. 4 staff in A (pooled), 5 in B (released), 2
    # patients now (waiting).
    ("G", "patient", 3, "link:A", date(2026, 4, 1), date(2026, 4, 20), {}),
    ("G", "patient", 2, "link:B", date(2026, 10, 3), date(2026, 10, 4), {}),
    ("G", "staff", 4, "link:A", date(2026, 4, 2), date(2026, 4, 30), {}),
    ("G", "staff", 5, "link:B", date(2026, 9, 26), date(2026, 10, 20), {}),
    ("G", "patient", 2, "link:C", TODAY, TODAY, {}),
    # JH, a small deaf service: 2 patients and its 1 member of staff in A (pooled), 7
    # patients on paper dated in August, outside every wave (5 released, 2 waiting), 3 in B.
    ("JH", "patient", 2, "link:A", date(2026, 4, 3), date(2026, 4, 4), {}),
    ("JH", "staff", 1, "link:A", date(2026, 4, 7), date(2026, 4, 7), {"gender": "male"}),
    ("JH", "patient", 7, "paper", date(2026, 8, 3), date(2026, 8, 24), {}),
    ("JH", "patient", 3, "link:B", date(2026, 10, 7), date(2026, 10, 9), {}),
]


def wave_link(service_, group: str, wave: Wave | None) -> CollectionLink:
    """A link of the newest questionnaire for the wave (made directly: a closed wave's link
    would be refused today, as it should be, but these answers came while it was open)."""
    questionnaire = Questionnaire.objects.filter(code=group).order_by("-version").first()
    link_, _ = CollectionLink.objects.get_or_create(service=service_, questionnaire=questionnaire, wave=wave)
    return link_


def submit(service_, group: str, how: str, on: date, answers: dict) -> Response:
    """One response: through the wave's link (`link:A`) or on paper (the wave open that day)."""
    if how == "paper":
        questionnaire = Questionnaire.objects.filter(code=group).order_by("-version").first()
        link_, channel = None, Channel.PAPER
    else:
        link_ = wave_link(service_, group, Wave.objects.get(code=how.removeprefix("link:")))
        questionnaire, channel = link_.questionnaire, link_.channel
    definition = loaded_questionnaire(questionnaire.pk).definition
    return response_submit(
        service=service_,
        questionnaire=questionnaire,
        submission=Submission(client_id=uuid.uuid4(), answers=clean_answers(definition, answers)),
        channel=channel,
        link=link_,
        submitted_on=on,
    ).response


def spread(first: date, last: date, count: int) -> list[date]:
    span = (last - first).days
    return [first + timedelta(days=round(span * k / max(1, count - 1))) for k in range(count)]


@pytest.fixture
def survey(request, chadwick):
    """SURVEY answering as PLAN says, in date order within each service, with the server's
    randomness seeded as the first intruder test seeds it (record keys, so the noise)."""
    request.getfixturevalue("seeded_server")
    services = {"CL": chadwick}
    for code, site in SURVEY.items():
        if code != "CL":
            services[code] = service(code, security=site.security, specialisms=site.specialisms)
    for code, (opens, closes) in WAVES.items():
        wave_upsert(code=code, name=f"Round {code}", opens=opens, closes=closes)
    waves = {wave.code: wave for wave in Wave.objects.all()}
    for (wave, code), (patients, staff) in DENOMINATORS.items():
        denominator_set(wave=waves[wave], service=services[code], patients=patients, staff=staff)
    counters: dict[tuple[str, str], int] = {}
    for code, group, count, how, first, last, extra in PLAN:
        for day in spread(first, last, count):
            index = counters[(code, group)] = counters.get((code, group), -1) + 1
            submit(services[code], group, how, day, answers_for(index, code, group, **extra))
    return services


def close_wave(*codes: str) -> dict:
    """The round closes (`manage.py close_round --wave`) for these waves only."""
    return releases_close(wave_ids={Wave.objects.get(code=code).pk for code in codes})


def released_n(code: str, group: str, wave: str | None) -> int:
    """What the write side has released, for the test's own checks (not the intruder's)."""
    rows = Release.objects.filter(
        service__code=code, questionnaire__code=group, among=EVERYONE, released_on__isnull=False, pooled=False
    )
    rows = rows.filter(wave__isnull=True) if wave is None else rows.filter(wave__code=wave)
    return rows.count()


def test_the_survey_releases_as_planned(survey):
    """The plan's comments, checked on the write side: batches per service, questionnaire
    and wave; paper in the overlap goes to the later wave; nothing pools until A closes."""
    assert released_n("CL", "patient", "A") == 5
    assert released_n("CL", "patient", "B") == 5
    assert released_n("CL", "patient", "BX") == 0
    assert released_n("CL", "patient", "C") == 5
    assert released_n("SAN", "patient", "A") == 10
    assert released_n("SAN", "patient", None) == 5
    assert released_n("G", "patient", "A") + released_n("G", "patient", "B") == 0
    assert released_n("JH", "patient", None) == 5
    assert Response.objects.filter(service__code="CL", wave__code="BX").count() == 3
    assert Release.objects.filter(pooled=True).count() == 0
    closed = close_wave("A")
    assert closed["pooled"] == 9 + 6, closed  # patients: CL 2, SAN 2, G 3, JH 2; staff: SAN 1, G 4, JH 1
    assert Release.objects.filter(pooled=True, among=EVERYONE).exclude(wave__code="A").count() == 0


# --- what the intruder sees ------------------------------------------------------------------


def snapped(params: dict) -> tuple[date | None, date | None]:
    """The window as the server takes it (published): whole months of release."""
    first, last = params.get("from"), params.get("to")
    first = date.fromisoformat(str(first)).replace(day=1) if first else None
    last = next_month(date.fromisoformat(str(last))) - timedelta(days=1) if last else None
    return first, last


def scope(params: dict, *, waves: set[str] | None = None, first=None, last=None, pool: bool = True) -> EveryoneScope:
    """Whom a request's outputs count: (unit, wave) cells, a window, an about-you answer.

    `waves` narrows to some waves (a trend's period), `first`/`last` to a month or quarter
    within the window; `pool=False` for outputs that never hold the pool (months, trends,
    services). The pool counts where the selection is national and has no dates.
    """
    chosen = params.get("service") or []
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    national = not (chosen or params.get("security") or params.get("specialism"))
    codes = set(chosen) if chosen else set(SURVEY)
    if params.get("security"):
        codes = {code for code in codes if SURVEY[code].security == params["security"]}
    if params.get("specialism"):
        codes = {code for code in codes if params["specialism"] in SURVEY[code].specialisms}
    in_waves = {params["wave"]} if params.get("wave") else set(ALL_WAVES)
    if waves is not None:
        in_waves &= waves
    date_from, date_to = snapped(params)
    members = {(code, wave) for code in codes for wave in in_waves}
    if pool and national and not (date_from or date_to):
        members |= {(POOL, wave) for wave in in_waves}
    if first is not None:
        date_from, date_to = max(first, date_from or first), min(last, date_to or last)
    about = next(((code, params[code]) for code in ABOUT_FILTERS if params.get(code)), None)
    return EveryoneScope(frozenset(members), date_from, date_to, about)


def compared_params(params: dict) -> dict | None:
    """The selection a comparison shows (published: the same filters nationally, or the
    same services in the other wave over its whole round); None for 2014 or nothing."""
    compare = params.get("compare") or ""
    rest = {key: value for key, value in params.items() if key != "compare"}
    if compare == "national":
        return {key: value for key, value in rest.items() if key not in ("service", "security", "specialism")}
    if compare.startswith("wave:"):
        return {**{key: value for key, value in rest.items() if key not in ("from", "to")}, "wave": compare[5:]}
    return None


@dataclass
class Output:
    label: str
    kind: str  # data, compare, by_service, by_month, trend, services, national (services.json's)
    scope: EveryoneScope
    n: dict[str, int | None]
    counts: dict[tuple, tuple[int, int]]  # (group, question, option) or (group, question) -> [low, high]
    state: int = 0


def known(count: int | None, noise: int, top: int | None) -> tuple[int, int] | None:
    if count is None or top is None:
        return None
    return max(0, count - noise), min(top, count + noise)


def noise_of(data: dict) -> int:
    disclosure = data.get("disclosure") or {}
    return int(disclosure.get("max_noise") or 0) if disclosure.get("perturbed") else 0


def label_of(path: str, params: dict) -> str:
    return f"{path}?" + "&".join(
        f"{key}={v}" for key, value in sorted(params.items()) for v in (value if isinstance(value, list) else [value])
    )


def data_outputs(label: str, params: dict, data: dict, state: int) -> list[Output]:
    """data.json as outputs: the selection; the comparison (its group sizes and counts);
    each `by_service` row (that service, same wave, window and slice) and `by_month` row."""
    noise = noise_of(data)
    n = {group: data["groups"][group]["n"] for group in GROUPS}
    own: dict[tuple, tuple[int, int]] = {}
    theirs: dict[tuple, tuple[int, int]] = {}
    other = data.get("compare") or {}
    other_n = {group: (other.get("groups") or {}).get(group, {}).get("n") for group in GROUPS}
    for question in data["questions"]:
        for group in GROUPS:
            interval = known(question["answered"].get(group), noise, n[group])
            if interval:
                own[(group, question["code"])] = interval
        for option in question["options"]:
            for group in GROUPS:
                cell = option.get(group)
                key = (group, question["code"], option["code"])
                if cell and (interval := known(cell["count"], noise, cell.get("base", n[group]))):
                    own[key] = interval
                cell = (option.get("compare") or {}).get(group)
                if cell and (interval := known(cell["count"], noise, other_n[group])):
                    theirs[key] = interval
    outputs = [Output(label, "data", scope(params), n, own, state)]
    compared = compared_params(params)
    if compared is not None and other:
        outputs.append(Output(f"{label} [compare]", "compare", scope(compared), other_n, theirs, state))
    narrowed = {key: value for key, value in params.items() if key not in ("service", "security", "specialism", "compare")}
    for row in data.get("by_service", []):
        outputs.append(
            Output(
                f"{label} by_service[{row['service']}]",
                "by_service",
                scope({**narrowed, "service": [row["service"]]}),
                {group: row.get(group) for group in GROUPS},
                {},
                state,
            )
        )
    for row in data.get("by_month", []):
        first = date.fromisoformat(f"{row['month']}-01")
        outputs.append(
            Output(
                f"{label} by_month[{row['month']}]",
                "by_month",
                scope(params, first=first, last=next_month(first) - timedelta(days=1), pool=False),
                {group: row.get(group) for group in GROUPS},
                {},
                state,
            )
        )
    return outputs


def period_bounds(period: str, by: str) -> tuple[set[str] | None, date | None, date | None]:
    """A trend period as the intruder reads it: (waves, first day, last day)."""
    if by == "wave":
        return {period}, None, None
    if by == "quarter":
        year, quarter = int(period[:4]), int(period[-1])
        first = date(year, 3 * quarter - 2, 1)
        return None, first, next_month(next_month(next_month(first))) - timedelta(days=1)
    first = date.fromisoformat(f"{period}-01")
    return None, first, next_month(first) - timedelta(days=1)


def trend_outputs(label: str, params: dict, data: dict, state: int) -> list[Output]:
    """trends.json as outputs: each period's exact n and its count, per group."""
    noise = noise_of(data)
    outputs = []
    for point in data["series"]:
        waves, first, last = period_bounds(point["period"], data["by"])
        where = scope(
            {key: value for key, value in params.items() if key not in ("question", "option", "by")},
            waves=waves,
            first=first,
            last=last,
            pool=False,
        )
        n = {group: (point.get(group) or {}).get("n") for group in GROUPS}
        counts = {
            (group, data["question"], data["option"]): interval
            for group in GROUPS
            if point.get(group) and (interval := known(point[group]["count"], noise, point[group]["n"]))
        }
        outputs.append(Output(f"{label} [{point['period']}]", "trend", where, n, counts, state))
    return outputs


def services_outputs(label: str, params: dict, data: dict, state: int) -> list[Output]:
    """services.json as outputs: each service's row and the national figure."""
    noise = noise_of(data)
    filters = {
        key: value for key, value in params.items() if key not in ("question", "option", "service", "security", "specialism")
    }
    key_of = (data["question"], data["option"])

    def cells(row: dict) -> tuple[dict, dict]:
        n = {group: (row.get(group) or {}).get("n") for group in GROUPS}
        counts = {
            (group, *key_of): interval
            for group in GROUPS
            if row.get(group) and (interval := known(row[group]["count"], noise, row[group]["n"]))
        }
        return n, counts

    outputs = []
    for row in data["services"]:
        n, counts = cells(row)
        where = scope({**filters, "service": [row["service"]]})
        outputs.append(Output(f"{label} services[{row['service']}]", "services", where, n, counts, state))
    n, counts = cells(data["national"])
    outputs.append(Output(f"{label} national", "national", scope(filters), n, counts, state))
    return outputs


class Intruder:
    """A lead who reads the new outputs and keeps what they learn."""

    def __init__(self, role: str, user, own: set[str] | None):
        self.role = role
        self.client = Client()
        self.client.force_login(user)
        self.own = own  # None: every service
        self.state = 0
        self._cache: dict = {}

    def fetch(self, found: Findings, path: str, params: dict):
        """The JSON at `path` for `params`; None when refused (a defence, counted)."""
        query = {key: (value.isoformat() if isinstance(value, date) else value) for key, value in params.items() if value}
        label = label_of(path, query)
        if (self.state, label) in self._cache:
            return label, self._cache[(self.state, label)]
        reply = self.client.get(path, query)
        found.requests += 1
        if reply.status_code in (400, 403):
            found.refused += 1
            found.tried += 1
            data = None
        else:
            assert reply.status_code == 200, (label, reply.status_code, reply.content[:300])
            data = reply.json()
        self._cache[(self.state, label)] = data
        return label, data

    def data(self, found: Findings, params: dict) -> list[Output]:
        label, data = self.fetch(found, "/dashboard/data.json", params)
        return [] if data is None else data_outputs(label, params, data, self.state)

    def trends(self, found: Findings, params: dict) -> list[Output]:
        label, data = self.fetch(found, "/dashboard/trends.json", params)
        return [] if data is None else trend_outputs(label, params, data, self.state)

    def services(self, found: Findings, params: dict) -> list[Output]:
        label, data = self.fetch(found, "/dashboard/services.json", params)
        return [] if data is None else services_outputs(label, params, data, self.state)


@pytest.fixture
def intruders(survey, service_lead, national_lead):
    return [Intruder("service_lead", service_lead, {"CL"}), Intruder("partnership_lead", national_lead, None)]


def bump(intruders) -> None:
    for intruder in intruders:
        intruder.state += 1


# --- the arithmetic of an attack ---------------------------------------------------------------


def pinned(small: Output, big: Output, group: str, few: int) -> bool:
    """Do the released counts pin an answer of the `few` people in `big` and not in `small`?"""
    for key, (big_low, big_high) in big.counts.items():
        if key[0] != group or key not in small.counts:
            continue
        small_low, small_high = small.counts[key]
        if max(0, big_low - small_high) == min(few, big_high - small_low):
            return True
    return False


FAMILY = {"services": "services.json", "national": "services.json", "trend": "trend periods", "compare": "compare blocks"}


def family(small: Output, big: Output) -> str:
    for kind in ("services", "national", "trend", "compare"):
        if kind in (small.kind, big.kind):
            return FAMILY[kind]
    return "waves, windows, sets"


def nested_pairs(findings: dict[str, Findings], outputs: list[Output]) -> None:
    """Any two outputs of one state, one counting everyone the other counts, whose exact
    sizes differ by 1..4; each counted against the attack its newer output belongs to."""
    assert len({o.state for o in outputs}) <= 1, "outputs of one state of the data only"
    outputs = list({o.label: o for o in outputs}.values())
    for output in outputs:
        findings[FAMILY.get(output.kind, "waves, windows, sets")].tried += 1
    for group in GROUPS:
        exact = sorted((o.n[group], index) for index, o in enumerate(outputs) if o.n.get(group) is not None)
        sizes = [n for n, _ in exact]
        for n, index in exact:
            for _, other in exact[bisect_left(sizes, n + 1) : bisect_right(sizes, n + MIN_CELL - 1)]:
                small, big = outputs[index], outputs[other]
                if not small.scope.within(big.scope):
                    continue
                few = big.n[group] - small.n[group]
                found = findings[family(small, big)]
                found.isolated(
                    f"{group}: {big.label} (n={big.n[group]}) minus {small.label} (n={small.n[group]}) leaves {few}",
                    recovered=pinned(small, big, group, few),
                    key=(group, small.state, small.label, big.label),
                    how=f"{small.kind} within {big.kind}",
                    designed=False,
                )


def remainder(found: Findings, total: Output | None, parts: list[Output], what: str) -> None:
    """A total less disjoint parts of it: the people left over must be none or min_cell."""
    if total is None:
        return
    for group in GROUPS:
        found.tried += 1
        shown = [part.n[group] for part in parts if part.n.get(group) is not None]
        if total.n[group] is None or not shown:
            continue
        left = total.n[group] - sum(shown)
        if left in FEW:
            found.isolated(
                f"{group}: {total.label} (n={total.n[group]}) less {what} ({len(shown)} outputs) leaves {left}",
                recovered=False,
                key=(group, total.state, total.label, what),
                how=f"total less {what}",
            )


# --- 1. differencing: waves, windows, sets, compare blocks, trend periods, services -------------

WAVE_CHOICES = ["", *WAVES]
TREND_ANSWERS = [("useful", "yes"), ("fears", "trust")]
SLICES = [("time_in_secure", code) for code in ("lt_1y", "1_4y", "5_9y", "10y_plus")] + [
    ("gender", code) for code in ("female", "male", "non_binary")
]


def service_scopes(intruder: Intruder) -> list[dict]:
    """Every set of services the intruder may name, security levels and specialisms."""
    if intruder.own:
        return [{"service": ["CL"]}, {"service": ["CL"], "security": "low"}, {"service": ["CL"], "specialism": "women"}]
    codes = sorted(SURVEY)
    scopes = [{"service": list(c)} for r in range(1, len(codes) + 1) for c in combinations(codes, r)]
    return scopes + [{"security": level} for level in SECURITY] + [{"specialism": kind} for kind in SPECIALISMS]


def singles(intruder: Intruder) -> list[dict]:
    return [{"service": [code]} for code in sorted(intruder.own or SURVEY)]


def data_requests(intruder: Intruder) -> list[dict]:
    """data.json: every scope in every wave and all waves; every month and open-ended
    window; each service and scope beside the nation and beside another wave; 2014; the
    about-you slices (time_in_secure is new) alone and beside the nation."""
    scopes = [{}, *service_scopes(intruder)]
    requests = [{**s, "wave": wave} for s in scopes for wave in WAVE_CHOICES]
    for s in [{}, *singles(intruder)]:
        for first, last in months():
            requests.append({**s, "from": first, "to": last})
    for first, last in months():
        requests += [{"from": first}, {"to": last}]
    for s in service_scopes(intruder):
        requests += [{**s, "wave": wave, "compare": "national"} for wave in WAVE_CHOICES]
        for first, last in months()[::3]:
            requests.append({**s, "from": first, "to": last, "compare": "national"})
    for s in [{}, *singles(intruder)]:
        for wave in ("", "A", "C"):
            requests += [{**s, "wave": wave, "compare": f"wave:{other}"} for other in WAVES if other != wave]
        requests.append({**s, "compare": "2014"})
    for question, option in SLICES:
        requests.append({question: option})
        for s in singles(intruder):
            requests += [{**s, question: option}, {**s, question: option, "compare": "national"}]
    return requests


def trend_requests(intruder: Intruder) -> list[dict]:
    requests = []
    for question, option in TREND_ANSWERS:
        for s in [{}, *singles(intruder), *([] if intruder.own else [{"security": level} for level in SECURITY])]:
            for wave in WAVE_CHOICES if question == "useful" else [""]:
                requests += [
                    {**s, "wave": wave, "question": question, "option": option, "by": by} for by in ("month", "quarter", "wave")
                ]
        requests += [
            {"question": question, "option": option, "by": "wave", "from": first, "to": last} for first, last in months()[::2]
        ]
    return requests


def services_requests() -> list[dict]:
    requests = []
    for question, option in TREND_ANSWERS:
        base = {"question": question, "option": option}
        requests += [{**base, "wave": wave} for wave in WAVE_CHOICES]
        requests += [{**base, "from": first, "to": last} for first, last in months()]
        requests += [{**base, "security": level} for level in SECURITY]
        requests += [{**base, "specialism": kind, "wave": "A"} for kind in SPECIALISMS]
    return requests


ATTACKS = ("waves, windows, sets", "compare blocks", "trend periods", "services.json", "remainders")


def crawl(intruder: Intruder, findings: dict[str, Findings]) -> list[Output]:
    """Everything the intruder can ask of the new outputs, in the data's present state."""
    outputs: list[Output] = []
    for params in data_requests(intruder):
        found = findings["compare blocks" if params.get("compare") else "waves, windows, sets"]
        outputs += intruder.data(found, params)
    for params in trend_requests(intruder):
        outputs += intruder.trends(findings["trend periods"], params)
    for params in services_requests():
        outputs += intruder.services(findings["services.json"], params)
    return outputs


def remainders(intruder: Intruder, found: Findings) -> None:
    """Totals less their parts: national in a wave less the services `by_service` shows
    (the wave's pool); all waves less each wave, and less the trend's periods by wave
    (answers outside waves, and the pools); a wave less its trend months."""
    whole = intruder.data(found, {})
    total = whole[0] if whole else None
    per_wave = [intruder.data(found, {"wave": wave}) for wave in WAVES]
    remainder(found, total, [outputs[0] for outputs in per_wave if outputs], "every wave")
    for wave, outputs in zip(WAVES, per_wave, strict=True):
        if outputs:
            remainder(found, outputs[0], [o for o in outputs if o.kind == "by_service"], f"wave {wave}'s by_service rows")
        for by in ("month", "quarter"):
            periods = intruder.trends(found, {"wave": wave, "question": "useful", "option": "yes", "by": by})
            remainder(found, outputs[0] if outputs else None, periods, f"wave {wave}'s trend by {by}")
    for s in [{}, *singles(intruder)]:
        everyone = intruder.data(found, s)
        periods = intruder.trends(found, {**s, "question": "useful", "option": "yes", "by": "wave"})
        remainder(found, everyone[0] if everyone else None, periods, "the trend's waves")
        waves = [intruder.data(found, {**s, "wave": wave}) for wave in WAVES]
        remainder(found, everyone[0] if everyone else None, [o[0] for o in waves if o], "every wave of it")


def test_differencing_waves_windows_compare_blocks_trends_and_services_isolates_no_one(intruders):
    """Every output the new features add, for every scope the intruder may ask, as sizes
    of (unit, wave) cells in whole months: any two nested ones must differ by a whole
    batch (or a whole pool) or by nobody. Before any wave closes, after A closes alone
    (its pool is A's: JH's one member of staff and G's three patients inside it) while B,
    BX and C still collect, and after every round closes."""
    findings = {role: {attack: Findings(attack, role) for attack in ATTACKS} for role in ("service_lead", "partnership_lead")}
    moved = {role: 0 for role in findings}
    for step in range(3):
        for intruder in intruders:
            mine = findings[intruder.role]
            outputs = crawl(intruder, mine)
            nested_pairs(mine, outputs)
            remainders(intruder, mine["remainders"])
            moved[intruder.role] += len({o.n["patient"] for o in outputs if o.kind == "data"})
        if step == 0:
            close_wave("A")
        elif step == 1:
            releases_close()
        bump(intruders)
    every = [found for mine in findings.values() for found in mine.values()]
    print("\n" + report(every))
    assert_nothing_singled_out(every)
    assert all(count > 5 for count in moved.values()), "the outputs never differed: the survey is too small"
