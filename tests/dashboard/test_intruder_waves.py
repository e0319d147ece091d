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
- one new answer at a time (P4): every new output before and after;
- `responses.csv?wave=` (the filter form is shared), and time_in_secure's slices queued
  after their respondents were released (the upgrade path).

Found by this suite and closed: the count of services a national figure came from (and
whether its response rate is shown) told which services were in a wave's pool (a service
now counts only where it has released answers of its own); and the response export by
wave split a k-anonymous block in two (blocks are now of one wave too, with a `wave`
column, so a wave's file holds whole blocks of the file of all waves).

The intruder's model of whom an output counts (`scope`) is a set of (unit, wave)
cells, a unit being a service or the national pool (which counts nationally, for all
dates, in its own wave only), plus a window of whole months of release and at most
one about-you answer. Each test prints one line per attack and role (`pytest -s`).
"""

from __future__ import annotations

import re
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from itertools import combinations

import pytest
from django.test import Client
from django.utils import timezone

from dashboard.stats import fisher_p, funnel_limits, funnel_position, holm_adjust, response_rate
from surveys import tallies as write_side_tallies
from surveys.codes import ABOUT_FILTERS, Channel
from surveys.models import CollectionLink, Questionnaire, Release, Response, Wave
from surveys.releases import releases_close, releases_queue_missing_slices
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
    read_csv,
    report,
    response_rows_attack,
    seeded_server,
)
from tests.dashboard.test_motivated_intruder import KEPT_ABOUT as KEPT_ABOUT_EXPORT
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
    """Ordinary answers, varied by index (no two alike within a service and group, as
    real answers mostly are); CL is a women's service."""
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
        # CL's patients have all been 1 to 4 years in secure care (but one); elsewhere it varies.
        answers["time_in_secure"] = "1_4y" if code == "CL" else ("5_9y", "5_9y", "lt_1y")[index % 3]
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
    # released (among them the only patient 10 years or more in secure care), 2 waiting.
    ("CL", "patient", 1, "link:B", date(2026, 9, 28), date(2026, 9, 28), {"time_in_secure": "10y_plus"}),
    ("CL", "patient", 4, "link:B", date(2026, 10, 1), date(2026, 10, 14), {}),
    ("CL", "patient", 2, "link:B", date(2026, 10, 16), date(2026, 10, 18), {}),
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

    def fetched(self, path: str) -> list[tuple[str, dict]]:
        """What the intruder has read from `path` in the present state of the data."""
        return [
            (label, data)
            for (state, label), data in self._cache.items()
            if state == self.state and data is not None and label.startswith(f"{path}?")
        ]

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


ABOUT_TRENDS = {
    "time_in_secure": ("lt_1y", "1_4y", "5_9y", "10y_plus"),
    "gender": ("female", "male", "non_binary", "self_describe", "prefer_not"),
}


def trend_requests(intruder: Intruder) -> list[dict]:
    requests = []
    # An about-you question by period: every answer, to add them up against the period's n.
    for question, options in ABOUT_TRENDS.items():
        for s in [{}, *singles(intruder)[:2]]:
            for by in ("wave", "month"):
                requests += [{**s, "question": question, "option": option, "by": by} for option in options]
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
    requests.append({"question": "gender", "option": "female"})  # about-you: refused (400)
    return requests


ATTACKS = ("waves, windows, sets", "compare blocks", "trend periods", "services.json", "remainders", "about-you cells")


def trend_categories(found: Findings, fetched: list[tuple[str, dict]]) -> None:
    """An about-you question by period, every answer asked for: the period's n less the
    answers shown leaves the hidden ones and those who skipped it; never 1..4 for sure."""
    periods: dict[tuple, list] = {}
    for label, data in fetched:
        if data["question"] not in ABOUT_TRENDS:
            continue
        request = label.replace(f"option={data['option']}", "option=*")
        noise = noise_of(data)
        for point in data["series"]:
            for group in GROUPS:
                if point.get(group) is not None:
                    periods.setdefault((request, point["period"], group), []).append((point[group], noise))
    for (request, period, group), cells in periods.items():
        sizes = {cell["n"] for cell, _ in cells if cell["n"] is not None}
        found.tried += 1
        if not sizes:
            continue
        assert len(sizes) == 1, (request, period, sizes)
        n = sizes.pop()
        visible = [(cell["count"], noise) for cell, noise in cells if cell["count"] is not None]
        if len(visible) == len(cells):
            continue
        low = max(0, n - sum(min(n, count + noise) for count, noise in visible))
        high = n - sum(max(0, count - noise) for count, noise in visible)
        if low >= 1 and high <= MIN_CELL - 1:
            found.isolated(
                f"{group}: {request} [{period}] n={n} less the answers shown leaves {low if low == high else f'{low}..{high}'}",
                recovered=low == high,
                key=(group, request, period),
                how="trend n less visible categories",
            )


def hidden_categories(found: Findings, label: str, data: dict) -> None:
    """An about-you question's `answered` (and the group's exact n) less its visible
    categories: the people in the hidden ones (and those who skipped it), per wave now."""
    noise = noise_of(data)
    for question in data["questions"]:
        if question["section"] != "about_you":
            continue
        for group in GROUPS:
            n = data["groups"][group]["n"]
            cells = [option[group] for option in question["options"] if option.get(group) is not None]
            visible = [cell["count"] for cell in cells if cell["count"] is not None]
            if n is None or len(visible) == len(cells):
                continue
            totals = {"n": (n, n)}
            if question["answered"].get(group) is not None:
                totals["answered"] = known(question["answered"][group], noise, n)
            for what, (total_low, total_high) in totals.items():
                found.tried += 1
                low = max(0, total_low - sum(min(n, count + noise) for count in visible))
                high = total_high - sum(max(0, count - noise) for count in visible)
                if low >= 1 and high <= MIN_CELL - 1:
                    found.isolated(
                        f"{group}: {label} {what} less the visible {question['code']} categories leaves "
                        f"{low if low == high else f'{low}..{high}'}",
                        recovered=low == high,
                        key=(group, label, question["code"], what),
                        how=f"{what} less visible categories",
                    )


# What the server must refuse: a wave with dates, an about-you answer in a wave or beside
# another wave, two windows at once for a comparison, a slice by period; and, for a service
# lead, another service or a national slice of services.
REFUSED = [
    ("/dashboard/data.json", {"wave": "A", "from": "2026-04-01"}),
    ("/dashboard/data.json", {"wave": "B", "to": "2026-10-31"}),
    ("/dashboard/data.json", {"wave": "A", "time_in_secure": "1_4y"}),
    ("/dashboard/data.json", {"compare": "wave:A", "gender": "female"}),
    ("/dashboard/data.json", {"compare": "wave:B", "from": "2026-10-01", "to": "2026-10-31"}),
    ("/dashboard/data.json", {"wave": "NOPE"}),
    ("/dashboard/data.json", {"compare": "wave:NOPE"}),
    ("/dashboard/data.json", {"time_in_secure": "1_4y", "from": "2026-04-01"}),
    ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "wave", "gender": "female"}),
    ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "month", "wave": "A", "from": "2026-04-01"}),
    ("/dashboard/services.json", {"question": "useful", "option": "yes", "time_in_secure": "5_9y"}),
    ("/dashboard/export/responses.csv", {"wave": "B", "gender": "female"}),
]
REFUSED_SERVICE_LEAD = [
    ("/dashboard/data.json", {"service": ["JH"], "wave": "A"}),
    ("/dashboard/data.json", {"security": "low", "wave": "A"}),
    ("/dashboard/data.json", {"specialism": "deaf", "compare": "national"}),
    ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "wave", "service": ["G"]}),
    ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "wave", "security": "medium"}),
    ("/dashboard/services.json", {"question": "useful", "option": "yes", "service": ["CL"]}),
    ("/dashboard/services/", {"question": "useful"}),
    ("/dashboard/export/responses.csv", {"wave": "B"}),
]


def refusals(intruder: Intruder, found: Findings) -> None:
    for path, params in REFUSED + (REFUSED_SERVICE_LEAD if intruder.own else []):
        reply = intruder.client.get(path, params)
        found.requests += 1
        found.tried += 1
        found.refused += reply.status_code in (400, 403)
        if reply.status_code not in (400, 403):
            found.isolated(
                f"{label_of(path, params)} answered {reply.status_code}, not refused", recovered=False, how="not refused"
            )


def crawl(intruder: Intruder, findings: dict[str, Findings]) -> list[Output]:
    """Everything the intruder can ask of the new outputs, in the data's present state."""
    outputs: list[Output] = []
    refusals(intruder, findings["waves, windows, sets"])
    for params in data_requests(intruder):
        found = findings["compare blocks" if params.get("compare") else "waves, windows, sets"]
        outputs += intruder.data(found, params)
    for params in trend_requests(intruder):
        outputs += intruder.trends(findings["trend periods"], params)
    for params in services_requests():
        outputs += intruder.services(findings["services.json"], params)
    return outputs


def remainders(intruder: Intruder, found: Findings) -> None:
    """Totals less their parts: national in a wave less the services `by_service` shows,
    and services.json's national figure less its rows (the wave's pool); all waves less
    each wave, and less the trend's periods by wave (answers outside waves, and the
    pools); a wave less its trend months and quarters."""
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
    if intruder.own is None:
        for wave in WAVE_CHOICES:
            across = intruder.services(found, {"question": "useful", "option": "yes", "wave": wave})
            national = next((o for o in across if o.kind == "national"), None)
            rows = [o for o in across if o.kind == "services"]
            remainder(found, national, rows, f"services.json's rows{f' in wave {wave}' if wave else ''}")
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
            for label, data in intruder.fetched("/dashboard/data.json"):
                hidden_categories(mine["about-you cells"], label, data)
            trend_categories(mine["about-you cells"], intruder.fetched("/dashboard/trends.json"))
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


# --- 2. numbers derived from the figures: change, p, rates, funnel z and limits ------------------


def selection_services(params: dict) -> set[str]:
    return {code for code, _ in scope(params).members if code != POOL}


def rate_checks(found: Findings, label: str, params: dict, data: dict) -> None:
    """A rate is shown only beside an exact n the intruder has anyway, and is that n over
    the denominators (which the intruder may know): rate x denominator gives no other n."""
    wave = params.get("wave")
    for group, index in (("patient", 0), ("staff", 1)):
        found.tried += 1
        summary = data["groups"][group]
        if summary.get("rate") is not None:
            if summary["n"] is None:
                found.isolated(f"{group}: {label} rate {summary['rate']} beside a suppressed n", recovered=True, how="rate")
            elif wave:
                people = [DENOMINATORS.get((wave, code), (None, None))[index] for code in selection_services(params)]
                expected = response_rate(summary["n"], sum(d for d in people if d is not None))
                if summary["rate"] != expected:
                    found.isolated(
                        f"{group}: {label} rate {summary['rate']} is not n over the denominators ({expected})",
                        recovered=False,
                        how="rate",
                    )
        for row in data.get("by_service", []):
            rate = (row.get("rate") or {}).get(group)
            found.tried += 1
            if rate is None:
                continue
            if row[group] is None:
                found.isolated(
                    f"{group}: {label} by_service[{row['service']}] rate {rate} beside a suppressed n", recovered=True, how="rate"
                )
            elif rate != response_rate(row[group], DENOMINATORS.get((wave, row["service"]), (None, None))[index]):
                found.isolated(
                    f"{group}: {label} by_service[{row['service']}] rate {rate} is not n over its denominator",
                    recovered=False,
                    how="rate",
                )
        compared = (data.get("compare") or {}).get("groups", {}).get(group)
        if compared and compared.get("rate") is not None and compared.get("n") is None:
            found.isolated(f"{group}: {label} compare rate beside a suppressed n", recovered=True, how="rate")


def change_checks(found: Findings, label: str, params: dict, data: dict) -> None:
    """`change.points` and `p` are the published test of two released cells: recomputed from
    the released counts and sizes (the rest of the nation, when the selection is part of
    it), they must come out the same; and never beside a cell that is not shown."""
    if "compare" not in data or params.get("compare") == "2014":
        return
    subset = params.get("compare") == "national" and any(params.get(key) for key in ("service", "security", "specialism"))
    n = {group: data["groups"][group]["n"] for group in GROUPS}
    other_n = {group: data["compare"]["groups"][group]["n"] for group in GROUPS}
    for question in data["questions"]:
        for group in GROUPS:
            raw, points = [], []
            for option in question["options"]:
                mine, theirs, change = option.get(group), option["compare"].get(group), option["change"].get(group)
                found.tried += 1
                if mine is None:
                    raw.append(None)
                    points.append(None)
                    continue
                if change is not None and (mine["count"] is None or theirs is None or theirs["count"] is None):
                    found.isolated(
                        f"{group}: {label} {question['code']}={option['code']} change {change} beside a hidden cell",
                        recovered=True,
                        how="change beside a hidden cell",
                    )
                if mine["pct"] is None or theirs is None or theirs["pct"] is None:
                    raw.append(None)
                    points.append(None)
                    continue
                points.append(round(mine["pct"] - theirs["pct"], 1))
                count, base, other_count, other_base = mine["count"], mine.get("base", n[group]), theirs["count"], other_n[group]
                if subset:
                    other_count, other_base = other_count - count, other_base - base
                    other_count = min(max(other_count, 0), max(other_base, 0))
                raw.append(fisher_p(count, base, other_count, other_base) if other_base > 0 else None)
            for option, expected_points, adjusted in zip(question["options"], points, holm_adjust(raw), strict=True):
                change = option["change"].get(group)
                shown = (None, None) if change is None else (change["points"], change["p"])
                expected = (expected_points, None if adjusted is None else round(adjusted, 4))
                if expected_points is None and change is None:
                    continue
                if shown != expected:
                    found.isolated(
                        f"{group}: {label} {question['code']}={option['code']} change {shown} is not the test of the "
                        f"released cells {expected}",
                        recovered=False,
                        key=(label, group, question["code"], option["code"]),
                        how="change from unreleased figures",
                    )


def funnel_checks(found: Findings, label: str, data: dict) -> None:
    """A service's `z` and band are its released count and n against the national
    percentage; the limits run to the largest n shown: nothing from a hidden service."""
    for group in GROUPS:
        nation = data["national"].get(group)
        shown = []
        for row in data["services"]:
            cell = row.get(group)
            found.tried += 1
            if cell is None:
                continue
            if cell["count"] is None:
                if cell["z"] is not None or cell["outside"] is not None or cell["n"] is not None:
                    found.isolated(f"{group}: {label} {row['service']} z/n beside a hidden count", recovered=True, how="funnel")
                continue
            shown.append(cell["n"])
            expected = (
                funnel_position(cell["count"], cell["n"], nation["pct"]) if nation and nation["pct"] is not None else (None, None)
            )
            if (cell["z"], cell["outside"]) != expected:
                found.isolated(
                    f"{group}: {label} {row['service']} z {cell['z']} is not its released figures' ({expected})",
                    recovered=False,
                    how="funnel",
                )
        found.tried += 1
        limits = data["limits"][group]
        if limits and limits[-1]["n"] not in shown:
            found.isolated(
                f"{group}: {label} the funnel runs to n={limits[-1]['n']}, no service shown has it",
                recovered=True,
                how="funnel limits",
            )
        if nation and nation["pct"] is not None and limits != funnel_limits(nation["pct"], max(shown, default=0), MIN_CELL):
            found.isolated(
                f"{group}: {label} the funnel limits are not the shown services'", recovered=False, how="funnel limits"
            )


GLANCE_PAGES = {
    "service_lead": [{}, {"service": ["CL"], "wave": "B"}, {"service": ["CL"], "wave": "BX"}, {"wave": "C"}, {"service": ["CL"]}],
    "partnership_lead": [
        {"service": ["G"], "wave": "B"},
        {"service": ["JH"]},
        {"service": ["SAN"], "wave": "C"},
        {"wave": "A"},
        {"security": "low", "wave": "B"},
        {"specialism": "deaf", "wave": "A"},
    ],
}


def glance_checks(found: Findings, intruder: Intruder) -> None:
    """'At a glance': a change (beside the nation, the previous wave, 2014) is shown only
    where the selection's own figure is."""
    for params in GLANCE_PAGES[intruder.role]:
        reply = intruder.client.get("/dashboard/", params, follow=True)
        found.requests += 1
        assert reply.status_code == 200, (params, reply.status_code)
        html = reply.content.decode()
        table = re.search(r'<table class="table table-sm align-middle" id="glance">(.*?)</table>', html, re.S)
        if table is None:
            continue
        columns = len(re.findall(r'<th scope="col" class="text-end">', table.group(1))) // 2 - 1
        for row in re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", table.group(1), re.S):
            cells = [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for start in range(0, len(cells), columns + 1):
                now, changes = cells[start], cells[start + 1 : start + 1 + columns]
                found.tried += 1
                if (now.startswith("fewer than") or now == "not asked") and any(change != "–" for change in changes):
                    found.isolated(
                        f"/dashboard/?{params} At a glance: {changes} beside '{now}'",
                        recovered=True,
                        how="glance change beside a hidden figure",
                    )


def test_change_p_rates_and_funnel_positions_say_nothing_the_released_figures_do_not(intruders):
    """Every comparison (a service beside the nation tested against the rest: CL in wave C,
    where the nation is CL alone, then CL and SAN's first batch), every rate (n over
    denominators the intruder knows; JH has none in C), every funnel position and limit:
    recomputed from released figures by the published method. A number that differs was
    made from something unreleased; one beside a hidden cell gives that cell."""
    findings = {role: Findings("change, rates, funnel", role) for role in ("service_lead", "partnership_lead")}
    san = Response.objects.filter(service__code="SAN").first().service
    for step in range(3):
        for intruder in intruders:
            found = findings[intruder.role]
            for params in data_requests(intruder):
                label, data = intruder.fetch(found, "/dashboard/data.json", params)
                if data is not None:
                    rate_checks(found, label, params, data)
                    change_checks(found, label, params, data)
            for params in services_requests():
                label, data = intruder.fetch(found, "/dashboard/services.json", params)
                if data is not None:
                    funnel_checks(found, label, data)
            glance_checks(found, intruder)
        if step == 0:  # SAN's fifth patient of C: the nation in C is now CL and SAN, 5 each
            submit(san, "patient", "link:C", TODAY, answers_for(99, "SAN", "patient"))
        elif step == 1:
            close_wave("A")
        bump(intruders)
    every = list(findings.values())
    print("\n" + report(every))
    assert_nothing_singled_out(every)


# --- 3. live isolation: one new answer at a time ------------------------------------------------


LIVE_PAGES = {
    "service_lead": [
        ("/dashboard/data.json", {}),
        ("/dashboard/data.json", {"wave": "C"}),
        ("/dashboard/data.json", {"wave": "B"}),
        ("/dashboard/data.json", {"wave": "BX"}),
        ("/dashboard/data.json", {"service": ["CL"]}),
        ("/dashboard/data.json", {"service": ["CL"], "wave": "C", "compare": "national"}),
        ("/dashboard/data.json", {"service": ["CL"], "wave": "C", "compare": "wave:BX"}),
        ("/dashboard/data.json", {"service": ["CL"], "compare": "wave:A"}),
        ("/dashboard/data.json", {"service": ["CL"], "time_in_secure": "1_4y", "compare": "national"}),
        ("/dashboard/data.json", {"from": "2026-10-01", "to": "2026-10-31"}),
        ("/dashboard/charts.json", {"service": ["CL"], "wave": "C", "compare": "national"}),
        ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "wave"}),
        ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "month", "service": ["CL"]}),
        ("/dashboard/trends.json", {"question": "fears", "option": "trust", "by": "quarter", "wave": "C"}),
        ("/dashboard/", {}),  # the service lead's first view: CL in the current wave beside the nation
        ("/dashboard/", {"wave": "C"}),
        ("/dashboard/trends/", {"question": "useful", "by": "wave"}),
        ("/dashboard/services/", {"question": "useful"}),  # refused (403)
    ],
    "partnership_lead": [
        ("/dashboard/data.json", {}),
        *(("/dashboard/data.json", {"wave": wave}) for wave in WAVES),
        *(("/dashboard/data.json", {"service": [code]}) for code in SURVEY),
        *(("/dashboard/data.json", {"service": [code], "wave": "C", "compare": "national"}) for code in SURVEY),
        ("/dashboard/data.json", {"security": "low", "wave": "C", "compare": "wave:B"}),
        ("/dashboard/data.json", {"from": "2026-07-01", "to": "2026-07-31"}),
        ("/dashboard/data.json", {"gender": "male", "compare": "national", "service": ["SAN"]}),
        ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "wave"}),
        ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "month", "service": ["JH"]}),
        ("/dashboard/trends.json", {"question": "useful", "option": "yes", "by": "quarter", "service": ["G"]}),
        *(("/dashboard/services.json", {"question": "useful", "option": "yes", "wave": wave}) for wave in WAVE_CHOICES),
        ("/dashboard/services.json", {"question": "fears", "option": "trust", "from": "2026-10-01", "to": "2026-10-31"}),
        ("/dashboard/", {"wave": "C"}),
        ("/dashboard/", {"service": ["SAN"], "wave": "C"}),
        ("/dashboard/trends/", {"question": "useful", "by": "month"}),
        ("/dashboard/services/", {"question": "useful", "wave": "C"}),
        ("/dashboard/services/", {"question": "useful"}),
    ],
}
# One at a time, by someone else: (service, group, how, day). Each says what it completes.
LIVE_SUBMISSIONS = [
    ("CL", "patient", "link:C", TODAY),  # CL's 6th in C: waits
    ("JH", "staff", "paper", TODAY),  # paper today: wave C; JH has no denominator in C
    ("G", "patient", "paper", date(2026, 10, 1)),  # dated inside B only: G's 3rd in B, waits
    ("JH", "patient", "paper", date(2026, 7, 15)),  # dated between waves: JH's 3rd outside waves
    ("CL", "patient", "paper", date(2026, 4, 15)),  # dated inside A, after A closed and pooled
    ("CL", "patient", "paper", date(2026, 10, 15)),  # in B and BX's overlap: BX, CL's 4th there
    ("CL", "patient", "paper", date(2026, 10, 16)),  # BX's 5th: a batch, dated October
    ("SAN", "patient", "link:C", TODAY),  # SAN's 5th in C: a batch, this month
    ("SAN", "staff", "link:B", date(2026, 10, 20)),  # B's last day, SAN's 3rd staff in B
    ("G", "staff", "link:C", TODAY),
]


def normalised(reply) -> object:
    """A reply as the intruder compares it: JSON without its clock, a page without its
    clock and CSRF token."""
    if reply.status_code != 200:
        return reply.status_code
    if reply["Content-Type"].startswith("application/json"):
        data = reply.json()
        data.pop("generated", None)
        return data
    html = reply.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'datetime="[^"]*">[^<]*<', "", html)


def sizes(path: str, params: dict, data) -> dict[str, int | None]:
    """Every exact size in a JSON reply, by where it is."""
    if not isinstance(data, dict):
        return {}
    if path.endswith("data.json"):
        outputs = data_outputs("", params, data, 0)
    elif path.endswith("trends.json"):
        outputs = trend_outputs("", params, data, 0)
    elif path.endswith("services.json"):
        outputs = services_outputs("", params, data, 0)
    else:
        return {f"{group}": data["groups"][group]["n"] for group in GROUPS}
    return {f"{o.label} {group}": o.n.get(group) for o in outputs for group in GROUPS}


def test_one_new_answer_changes_no_released_figure(intruders):
    """P4 with waves: each answer in LIVE_SUBMISSIONS, one at a time, and every new output
    (data.json with waves and comparisons, trends, services.json, the pages with "At a
    glance") read before and after. An answer that completes no batch must change nothing
    at all; one that completes a batch must move every size by min_cell or more."""
    close_wave("A")
    findings = {intruder.role: Findings("live isolation", intruder.role) for intruder in intruders}
    services = {code: Response.objects.filter(service__code=code).first().service for code in SURVEY}

    def read(intruder: Intruder) -> dict:
        seen = {}
        for path, params in LIVE_PAGES[intruder.role]:
            reply = intruder.client.get(path, params, follow=True)
            findings[intruder.role].requests += 1
            findings[intruder.role].refused += reply.status_code in (400, 403)
            seen[label_of(path, params)] = (path, params, normalised(reply))
        return seen

    before = {intruder.role: read(intruder) for intruder in intruders}
    batches = moved = 0
    for code, group, how, day in LIVE_SUBMISSIONS:
        released = Release.objects.filter(among=EVERYONE, released_on__isnull=False).count()
        submit(services[code], group, how, day, answers_for(50, code, group))
        completed = Release.objects.filter(among=EVERYONE, released_on__isnull=False).count() > released
        batches += completed
        bump(intruders)
        for intruder in intruders:
            found = findings[intruder.role]
            after = read(intruder)
            for label, (path, params, now) in after.items():
                was = before[intruder.role][label][2]
                found.tried += 1
                if not completed:
                    if now != was:
                        found.isolated(
                            f"{label} changed after one answer ({code} {group} {how} {day}) that completed no batch",
                            recovered=True,
                            how="changed with no batch",
                        )
                    continue
                old, new = sizes(path, params, was), sizes(path, params, now)
                moved += old != new
                for where, size in new.items():
                    if size is not None and old.get(where) is not None and abs(size - old[where]) in FEW:
                        found.isolated(
                            f"{label}{where}: {old[where]} -> {size} after one answer ({code} {group} {how} {day})",
                            recovered=False,
                            how="moved by fewer than min_cell",
                        )
            before[intruder.role] = after
    print("\n" + report(list(findings.values())))
    assert_nothing_singled_out(list(findings.values()))
    assert batches == 2, "the plan completes BX's batch (dated October) and SAN's in C"
    assert moved, "a completed batch moved no figure: the attack saw nothing"


# --- 4. the wave as a dimension of batches and pools ----------------------------------------------


def test_answers_of_one_service_in_two_waves_are_never_one_batch(intruders):
    """G's 3 patients in A and 2 in B are five, but two waves: no batch, so no figure of G's
    patients anywhere (data.json, by wave, by_service, trends, services.json). CL's 2 left
    in B and 3 on paper in BX (dated in the overlap) are five too: still none. Closing A
    pools A's leftovers alone: B's five waiting staff (CL 3, SAN 2) stay out of every
    figure. Dropping the wave from the release units breaks each of these."""
    intruder = intruders[1]
    found = Findings("waves never mix", intruder.role)
    outputs: list[Output] = []

    def data(params: dict) -> Output:
        read = intruder.data(found, params)
        outputs.extend(read)
        return read[0]

    for params in ({"service": ["G"]}, {"service": ["G"], "wave": "A"}, {"service": ["G"], "wave": "B"}):
        assert data(params).n["patient"] is None, params
    national = intruder.data(found, {})
    outputs += national
    assert all(o.n["patient"] is None for o in national if o.label.endswith("by_service[G]"))
    for by in ("wave", "month", "quarter"):
        periods = intruder.trends(found, {"service": ["G"], "question": "useful", "option": "yes", "by": by})
        assert all(period.n["patient"] is None for period in periods), by
        outputs += periods
    across = intruder.services(found, {"question": "useful", "option": "yes"})
    assert next(o for o in across if o.label.endswith("services[G]")).n["patient"] is None
    assert data({"service": ["CL"], "wave": "B"}).n["patient"] == 5
    assert data({"service": ["CL"], "wave": "BX"}).n["patient"] is None
    # Nationally, per wave: CL 5 + SAN 10 in A; CL 5 + SAN 5 in B; G's B staff alone in B.
    before = {wave: data({"wave": wave}) for wave in WAVES}
    assert (before["A"].n["patient"], before["B"].n["patient"], before["B"].n["staff"]) == (15, 10, 5)
    everyone = data({})
    nested_pairs({attack: found for attack in (*ATTACKS, "waves never mix")}, outputs)
    close_wave("A")
    bump([intruder])
    outputs = []
    after = {wave: data({"wave": wave}) for wave in WAVES}
    # A's pool (9 patients, 6 staff) counts nationally in A and for all waves; nothing else moved.
    assert (after["A"].n["patient"], after["A"].n["staff"]) == (15 + 9, 10 + 6)
    assert all(after[wave].n == before[wave].n for wave in ("B", "BX", "C"))
    assert data({}).n["patient"] == everyone.n["patient"] + 9
    assert data({"service": ["G"]}).n["patient"] is None  # G's 3 of A are in the pool: national only
    nested_pairs({attack: found for attack in (*ATTACKS, "waves never mix")}, outputs)
    print("\n" + report([found]))
    assert_nothing_singled_out([found])


# --- 5. what says who is in a pool ------------------------------------------------------------------


def test_the_count_of_services_says_nothing_of_who_is_in_the_pool(intruders):
    """National figures hold the pool; the pool is 'never in a service' (docs/disclosure.md,
    rule 3). `services` is how many services the figures came from. After A closes, the
    nation in A is 'from 4 services' for staff, while by_service shows CL and SAN: G and
    JH each have 1..4 staff in A's pool; JH has one member of staff (its denominator), so
    that person answered. A service lead, without by_service, reads the same from '4
    services' of 4: JH can never fill a batch of staff."""
    close_wave("A")
    bump(intruders)
    findings = []
    for intruder in intruders:
        found = Findings("services count, pool", intruder.role)
        for params in ({}, *({"wave": wave} for wave in WAVES)):
            label, data = intruder.fetch(found, "/dashboard/data.json", params)
            wave = params.get("wave")
            for index, group in enumerate(GROUPS):
                found.tried += 1
                count = data["groups"][group]["services"]
                if count is None:
                    continue
                if intruder.own is None:
                    rows = {row["service"] for row in data["by_service"] if row[group] is not None}
                    pooled_only = sorted(set(SURVEY) - rows)
                    if count > len(rows):
                        found.isolated(
                            f"{group}: {label} is 'from {count} services', by_service shows {sorted(rows)}: "
                            f"{count - len(rows)} of {pooled_only} put 1..4 people into the pool",
                            recovered=False,
                            how="services beside by_service",
                        )
                elif count == len(SURVEY) and wave:
                    tiny = [
                        code
                        for code in SURVEY
                        if (people := DENOMINATORS.get((wave, code), (None, None))[index]) is not None and people < MIN_CELL
                    ]
                    if tiny:
                        found.isolated(
                            f"{group}: {label} is 'from {count} services' of {len(SURVEY)}: {tiny} (too few "
                            f"{group}s ever to fill a batch) answered in wave {wave}, all in its pool",
                            recovered=False,
                            how="services of every service",
                        )
        # The same number on the page a lead opens: "Staff 16 from 4 services".
        page = intruder.client.get("/dashboard/", {"wave": "A"}).content.decode()
        shown = re.search(r'data-stat="staff-services">from (\d+) service', page)
        found.tried += 1
        if shown and int(shown.group(1)) > 2:  # by_service shows CL and SAN staff in A
            found.isolated(f"/dashboard/?wave=A: staff 'from {shown.group(1)} services'", recovered=False, how="the page")
        findings.append(found)
    print("\n" + report(findings))
    assert_nothing_singled_out(findings)


def test_a_response_rate_says_nothing_of_who_is_in_the_pool(intruders):
    """Wave C: CL has 2 staff waiting, SAN 2 more, and JH (no denominator in C) its one member
    of staff: five, pooled when C closes. The national staff rate in C is then withheld
    (n=5 is shown), while every service by_service shows has a denominator: the intruder
    learns that the pool holds someone from a service without one, here JH alone."""
    services = {code: Response.objects.filter(service__code=code).first().service for code in SURVEY}
    for code, count in (("SAN", 2), ("JH", 1)):
        for index in range(count):
            submit(services[code], "staff", "paper", TODAY, answers_for(60 + index, code, "staff"))
    close_wave("C")
    bump(intruders)
    findings = []
    for intruder in intruders:
        found = Findings("rate, pool", intruder.role)
        label, data = intruder.fetch(found, "/dashboard/data.json", {"wave": "C"})
        staff = data["groups"]["staff"]
        found.tried += 1
        if staff["n"] != 5:  # the plan, not the policy: say so plainly
            pytest.fail(f"the plan pools 5 staff of C: {staff}")
        rows = {row["service"] for row in data["by_service"] if row["staff"] is not None}
        without = sorted(code for code in SURVEY if DENOMINATORS.get(("C", code), (None, None))[1] is None)
        if staff["rate"] is None and all(code not in without for code in rows):
            found.isolated(
                f"staff: {label} n={staff['n']} but no rate, and every service with released staff has a "
                f"denominator: the pool holds staff of {without}",
                recovered=False,
                how="rate withheld",
            )
        findings.append(found)
    print("\n" + report(findings))
    assert_nothing_singled_out(findings)


# --- 6. the response export by wave ------------------------------------------------------------


def export(intruder: Intruder, found: Findings, params: dict) -> list[dict] | None:
    reply = intruder.client.get("/dashboard/export/responses.csv", params)
    found.requests += 1
    if reply.status_code in (400, 403):
        found.refused += 1
        found.tried += 1
        return None
    if reply.status_code != 200:
        pytest.fail(f"responses.csv?{params}: {reply.status_code}")
    header, rows = read_csv(reply)
    response_rows_attack(found, f"responses.csv?{params}", header, rows)
    return rows


def block_of(row: dict) -> tuple[str, ...]:
    return tuple(row[column] for column in ("service", "questionnaire", "version", "month", "wave"))


def answers_of(row: dict) -> tuple:
    return tuple(sorted((column, value) for column, value in row.items() if "." in column))


def test_the_response_export_by_wave_links_no_row_to_a_rarer_combination(intruders):
    """A block of the response CSV is k-anonymous within the rows the request selects. By
    month, service or security level a request takes whole blocks; by wave it need not:
    CL's wave B batch (5, released in October) and its BX batch (5, papers dated in the
    overlap, also released in October) share the block CL/patient/2/2026-10. Together, 5
    lt_1y and 5 1_4y: time_in_service is kept; wave B's 5 alone (2 and 3) keep gender only.
    The partnership lead downloads all waves, and wave B, and matches rows by their answers
    (hundreds of 0/1 columns: unique here), so each wave B row gets its time_in_service."""
    cl = Response.objects.filter(service__code="CL").first().service
    for index, day in ((40, date(2026, 10, 13)), (41, date(2026, 10, 14))):
        submit(cl, "patient", "paper", day, answers_for(index, "CL", "patient"))
    if released_n("CL", "patient", "BX") != 5:  # the plan, not the policy: say so plainly
        pytest.fail("the plan releases BX's five in October")
    findings = []
    for intruder in intruders:
        found = Findings("responses.csv by wave", intruder.role)
        for scope_params in ({}, {"service": ["CL"]}):
            everyone = export(intruder, found, scope_params)
            if everyone is None:
                continue
            by_answers: dict[tuple, list[dict]] = {}
            for row in everyone:
                by_answers.setdefault((block_of(row), answers_of(row)), []).append(row)
            combinations_seen: dict[tuple, int] = {}
            for wave in WAVES:
                rows = export(intruder, found, {**scope_params, "wave": wave}) or []
                for row in rows:
                    found.tried += 1
                    matches = by_answers.get((block_of(row), answers_of(row)), [])
                    abouts = {tuple(match[q] for q in KEPT_ABOUT_EXPORT) for match in matches}
                    if len(abouts) == 1:  # the row's about-you answers as the all-waves file gives them
                        key = (*block_of(row), wave, *abouts.pop())
                        combinations_seen[key] = combinations_seen.get(key, 0) + 1
            for key, size in combinations_seen.items():
                if size in FEW:
                    found.isolated(
                        f"responses.csv?{scope_params}: {size} row(s) of {key[:4]} in wave {key[4]} with "
                        f"{dict(zip(KEPT_ABOUT_EXPORT, key[5:], strict=True))} (the all-waves file's columns)",
                        recovered=True,
                        key=(str(scope_params), key),
                        how="wave rows in the all-waves file",
                    )
        findings.append(found)
    print("\n" + report(findings))
    assert_nothing_singled_out(findings)


# --- 7. time_in_secure, a filter added after answers were released ------------------------------


@pytest.fixture
def time_in_secure_added_later(monkeypatch):
    """The survey is answered while time_in_secure is not yet an about-you filter (as before
    c53f930): released answers are not queued in its slices until `migrate` queues them."""
    monkeypatch.setattr(write_side_tallies, "ABOUT_FILTERS", tuple(code for code in ABOUT_FILTERS if code != "time_in_secure"))


def test_time_in_secure_slices_queued_after_release_isolate_no_one(time_in_secure_added_later, monkeypatch, intruders):
    """`releases_queue_missing_slices` (run by migrate) queues released answers in the new
    filter's slices and releases each (service or pool, version, wave) unit that holds a
    batch: the slices beside everyone, each service beside the nation, before and after a
    round closes, must still differ by a batch or by nobody."""
    monkeypatch.undo()
    assert releases_queue_missing_slices() > 0
    findings = {
        role: {
            attack: Findings(f"tis later: {attack}", role)
            for attack in ("waves, windows, sets", "compare blocks", "about-you cells")
        }
        for role in ("service_lead", "partnership_lead")
    }
    for step in range(2):
        for intruder in intruders:
            mine = findings[intruder.role]
            outputs = []
            for s in [{}, *singles(intruder)]:
                outputs += intruder.data(mine["waves, windows, sets"], s)
                outputs += intruder.data(mine["waves, windows, sets"], {**s, "wave": "A"})
                for option in ABOUT_TRENDS["time_in_secure"]:
                    outputs += intruder.data(mine["waves, windows, sets"], {**s, "time_in_secure": option})
                    if s:
                        outputs += intruder.data(mine["compare blocks"], {**s, "time_in_secure": option, "compare": "national"})
            nested_pairs(mine, outputs)
            for label, data in intruder.fetched("/dashboard/data.json"):
                hidden_categories(mine["about-you cells"], label, data)
        if step == 0:
            close_wave("A")
            bump(intruders)
    every = [found for mine in findings.values() for found in mine.values()]
    print("\n" + report(every))
    assert_nothing_singled_out(every)
