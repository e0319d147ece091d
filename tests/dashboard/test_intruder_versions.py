"""A motivated intruder against questionnaire version 2 (tests/dashboard/test_motivated_intruder.py
is the first version's): the per-version percentage bases in data.json, the patients-only
`helped_by` question, the `under_16` age band, the per-option follow-up boxes reaching quotes,
the response export's new columns, and paper entry by version.

The intruders are the same two leads (a service lead of CL, a partnership lead of every
service) and count the same way: an *isolation* is 1..4 respondents they can point at
(two outputs, one counting everyone the other counts, whose exact sizes differ by 1..4;
an export row or quote shared by fewer than `min_cell` rows), a *recovery* an isolation
whose answers the released counts pin exactly.

What is new: a cell's `base` is exact, and an option only one version asks has as its
base the respondents of that version. So every data.json gives the intruder two more
exact group sizes per group, "version 2 respondents" and "version 1 respondents" (n less
the first), in every selection. Batches of `min_cell` are per service, version and slice
(surveys/releases.py), so these sizes should differ by `min_cell` or more, or not at
all, between any two nested outputs, as `n` does. The survey (SURVEY) mixes versions in
the ways that could break that: a service whose women are mostly version 2, an
adolescent service whose under-16s are all version 2 (the band is new), small services
whose version 2 answers wait and are pooled, and follow-up boxes quoted.

Each test prints one line per attack and role (`pytest -s` shows them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import unescape
from itertools import combinations

import pytest
from django.test import Client

from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.models import Response
from surveys.releases import releases_close
from tests.dashboard.test_motivated_intruder import (  # noqa: F401 (seeded_server: a fixture, asked for by name below)
    FEW,
    GROUPS,
    MIN_CELL,
    POOL,
    Findings,
    approve_every_text,
    assert_nothing_singled_out,
    read_csv,
    report,
    response_rows_attack,
    scope_of,
    seeded_server,
)
from tests.dashboard.test_motivated_intruder import (
    Scope as EveryoneScope,
)
from tests.factories import lead, respond, service

SEP, OCT, NOV = date(2026, 9, 7), date(2026, 10, 7), date(2026, 11, 2)
MONTHS = [(date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2026, 11, 30))]
ABOUT = ("gender", "age_band", "ethnicity", "time_in_service")

# The published questionnaire files: what each version asks (public knowledge).
DEFINITIONS = {
    (group, version): load_file(QUESTIONNAIRE_DIR / f"{group}.v{version}.toml") for group in GROUPS for version in (1, 2)
}


def asked(group: str, version: int) -> set[tuple[str, str]]:
    return {(q.code, o.code) for q in DEFINITIONS[(group, version)].questions for o in q.options}


# Options one version asks and the other does not: their base is that version's respondents.
ONLY = {(group, version): asked(group, version) - asked(group, 3 - version) for group in GROUPS for version in (1, 2)}
ABOUT_OPTIONS = {
    code: sorted({o.code for version in (1, 2) for o in DEFINITIONS[("patient", version)].question(code).options})
    for code in ABOUT
}


@dataclass(frozen=True)
class Site:
    security: str
    specialisms: tuple[str, ...]


SURVEY = {
    "CL": Site("low", ("women",)),  # the service lead's (conftest's `chadwick`)
    "AD": Site("medium", ("adolescent",)),
    "SAN": Site("medium", ()),
    "JH": Site("low", ("deaf",)),
    "G": Site("medium", ("learning_disability",)),
}
SECURITY = sorted({site.security for site in SURVEY.values()})
SPECIALISMS = sorted({s for site in SURVEY.values() for s in site.specialisms})


def patient_v1(**about) -> dict:
    return {"useful": "yes", "benefits": ["choice"], "user_led": "yes", "fears": ["trust"], "time_in_service": "1_4y", **about}


def patient_v2(helped_by, *, current_forms=("practical",), **extra) -> dict:
    return {
        "useful": "sometimes",
        "benefits": ["none"],
        "user_led": "not_sure",
        "fears": ["none"],
        "time_in_service": "lt_1y",
        "helped_by": list(helped_by),
        "current_forms": list(current_forms),
        **extra,
    }


def staff(version: int, **extra) -> dict:
    answers = {"useful": "yes", "user_led": "no", "gender": "female", "age_band": "40_44", "job_title": "Staff nurse"}
    if version == 2:
        answers.update(benefits=["none"], barriers=["none"], user_led="not_sure")
    else:
        answers.update(benefits=["reduces_workload"])
    return {**answers, **extra}


# (service, group, version, answers, day), in the order they arrive: within a service
# and version the order decides which slices are released with which batch.
PLAN: list[tuple[str, str, int, dict, date]] = [
    # CL, a women's service. Version 1 in September: 5 women, then 5 who skip gender.
    *[("CL", "patient", 1, patient_v1(gender="female"), SEP)] * 5,
    *[("CL", "patient", 1, patient_v1(), SEP)] * 5,
    # Version 2 in November: 3 who skip gender (all said no one helped them) and 2 women,
    # then 5 women: the women's slice releases 7 together, beside the 3.
    *[("CL", "patient", 2, patient_v2(["no_one"]), NOV)] * 3,
    ("CL", "patient", 2, patient_v2(["staff"], gender="female"), NOV),
    (
        "CL",
        "patient",
        2,
        patient_v2(
            ["staff"],
            gender="female",
            current_forms=["emotional"],
            current_forms_emotional_detail="She sat with me the night before my tribunal",
            user_led="yes",
            user_led_forms=["groups"],
            user_led_forms_groups_detail="The Tuesday cooking group we run ourselves",
        ),
        NOV,
    ),
    ("CL", "patient", 2, patient_v2(["staff"], gender="female", current_forms=["emotional"]), NOV),
    *[("CL", "patient", 2, patient_v2(["staff"], gender="female"), NOV)] * 4,
    *[("CL", "staff", 1, staff(1), SEP)] * 5,
    *[("CL", "staff", 2, staff(2), NOV)] * 5,
    # AD, an adolescent service: 5 aged 16-24 on version 1; on version 2, 3 aged 16-24
    # (who had family help them) and 2 under 16, then 5 under 16 (under_16 is new in v2).
    *[("AD", "patient", 1, patient_v1(age_band="16_24", gender="male"), SEP)] * 5,
    *[("AD", "patient", 2, patient_v2(["family"], age_band="16_24", gender="male"), NOV)] * 3,
    *[("AD", "patient", 2, patient_v2(["staff", "advocate"], age_band="under_16", gender="male"), NOV)] * 7,
    *[("AD", "staff", 2, staff(2, gender="male"), NOV)] * 5,
    # SAN: an ordinary medium secure service on both versions.
    *[("SAN", "patient", 1, patient_v1(gender="male", age_band="30_34"), SEP)] * 10,
    *[("SAN", "patient", 2, patient_v2(["patient"], gender="male", age_band="30_34"), OCT)] * 5,
    *[("SAN", "patient", 2, patient_v2(["patient", "staff"], gender="male", age_band="35_39"), NOV)] * 5,
    *[("SAN", "staff", 1, staff(1), SEP)] * 5,
    *[("SAN", "staff", 2, staff(2), OCT)] * 5,
    # Small services on version 2 only: their answers wait, and are pooled when the round closes.
    *[("JH", "patient", 2, patient_v2(["advocate"], gender="male"), NOV)] * 3,
    *[("G", "patient", 2, patient_v2(["other"], gender="female"), NOV)] * 4,
    *[("JH", "staff", 2, staff(2), NOV)] * 2,
    *[("G", "staff", 2, staff(2), NOV)] * 3,
]


@pytest.fixture
def survey(request, chadwick):
    """SURVEY answering as PLAN says, with the server's randomness seeded as the first
    intruder test seeds it (response ids, so quote labels; record keys, so the noise)."""
    request.getfixturevalue("seeded_server")
    services = {"CL": chadwick}
    for code, site in SURVEY.items():
        if code != "CL":
            services[code] = service(code, security=site.security, specialisms=site.specialisms)
    for code, group, version, answers, day in PLAN:
        respond(services[code], group, version, answers, day)
    return services


# --- what the intruder sees: exact sizes per questionnaire version ------------------------


@dataclass(frozen=True)
class Scope(EveryoneScope):
    """Whom an output counts (by the published method), and of which version (None: all)."""

    version: int | None = None

    def within(self, other: Scope) -> bool:
        if other.version is not None and other.version != self.version:
            return False
        return super().within(other)


@dataclass
class Output:
    label: str
    scope: Scope
    n: dict[str, int | None]
    counts: dict[tuple, tuple[int, int]]  # (group, question, option) -> what the intruder knows of it: [low, high]


def interval(cell: dict, noise: int, n: int) -> tuple[int, int]:
    top = cell.get("base", n)
    return max(0, cell["count"] - noise), min(top, cell["count"] + noise)


def version_outputs(label: str, scope: Scope, data: dict) -> list[Output]:
    """data.json as three outputs: everyone, version 1 and version 2 respondents.

    A version's size is the `base` of an option only it asks (or `n`, where that cell has
    no `base`: everyone in the selection was asked it); the other version's is `n` less it.
    """
    disclosure = data.get("disclosure") or {}
    noise = int(disclosure.get("max_noise") or 0) if disclosure.get("perturbed") else 0
    sizes: dict[int | None, dict[str, int | None]] = {None: {}, 1: {}, 2: {}}
    counts: dict[int | None, dict] = {None: {}, 1: {}, 2: {}}
    for group in GROUPS:
        n = data["groups"][group]["n"]
        sizes[None][group] = n
        known: dict[int, int] = {}
        for question in data["questions"]:
            for option in question["options"]:
                cell = option[group]
                if cell is None or cell["count"] is None:
                    continue
                key = (group, question["code"], option["code"])
                counts[None][key] = interval(cell, noise, n)
                for version in (1, 2):
                    if key[1:] in ONLY[(group, version)]:
                        known[version] = cell.get("base", n)
                        counts[version][key] = interval(cell, noise, n)
        for version in (1, 2):
            other = known.get(3 - version)
            sizes[version][group] = known.get(version, None if n is None or other is None else n - other)
    return [
        Output(
            label if version is None else f"{label} [version {version}]",
            _versioned(scope, version),
            sizes[version],
            counts[version],
        )
        for version in (None, 1, 2)
    ]


def _versioned(scope: Scope, version: int | None) -> Scope:
    return Scope(scope.members, scope.date_from, scope.date_to, scope.about, version)


class Intruder:
    def __init__(self, role: str, user, own: set[str] | None):
        self.role = role
        self.client = Client()
        self.client.force_login(user)
        self.own = own
        self.state = 0
        self._cache: dict = {}

    def scope(self, params: dict) -> Scope:
        everyone = scope_of(params, SURVEY)
        return Scope(everyone.members, everyone.date_from, everyone.date_to, everyone.about, None)

    def data(self, found: Findings, params: dict) -> list[Output]:
        """data.json as outputs per version; [] when refused (a defence, counted)."""
        query = {key: (value.isoformat() if isinstance(value, date) else value) for key, value in params.items() if value}
        label = "data.json?" + "&".join(
            f"{key}={v}" for key, value in sorted(query.items()) for v in (value if isinstance(value, list) else [value])
        )
        if (self.state, label) in self._cache:
            return self._cache[(self.state, label)]
        reply = self.client.get("/dashboard/data.json", query)
        found.requests += 1
        if reply.status_code in (400, 403):
            found.refused += 1
            found.tried += 1
            outputs = []
        else:
            assert reply.status_code == 200, (label, reply.status_code, reply.content[:300])
            outputs = version_outputs(label, self.scope(params), reply.json())
        self._cache[(self.state, label)] = outputs
        return outputs


@pytest.fixture
def intruders(survey, service_lead, national_lead):
    return [Intruder("service_lead", service_lead, {"CL"}), Intruder("partnership_lead", national_lead, None)]


def pinned(small: Output, big: Output, group: str, few: int) -> bool:
    for key, (big_low, big_high) in big.counts.items():
        if key[0] != group or key not in small.counts:
            continue
        small_low, small_high = small.counts[key]
        if max(0, big_low - small_high) == min(few, big_high - small_low):
            return True
    return False


def nested_pairs(found: Findings, outputs: list[Output], how: str) -> None:
    """Any two outputs, one counting everyone the other does (of the same version, or
    one version within everyone), whose exact sizes differ by 1..4."""
    outputs = list({o.label: o for o in outputs}.values())
    for group in GROUPS:
        for small in outputs:
            for big in outputs:
                if small is big or small.n.get(group) is None or big.n.get(group) is None:
                    continue
                few = big.n[group] - small.n[group]
                if few not in FEW or not small.scope.within(big.scope):
                    continue
                found.isolated(
                    f"{group}: {big.label} (n={big.n[group]}) minus {small.label} (n={small.n[group]}) leaves {few}",
                    recovered=pinned(small, big, group, few),
                    key=(group, small.label, big.label, found.attack),
                    how=how if "version" in small.label + big.label else f"{how}, everyone",
                )
        found.tried += len(outputs)


def close_round(intruders) -> None:
    releases_close()
    for intruder in intruders:
        intruder.state += 1


# --- 1. version bases across date windows, service sets and the national pool ---------------


def windows_and_sets(intruder: Intruder, found: Findings) -> list[Output]:
    scopes: list[dict] = [{}]
    if intruder.own:
        scopes += [{"service": ["CL"]}, {"service": ["CL"], "security": "low"}, {"service": ["CL"], "specialism": "women"}]
    else:
        codes = sorted(SURVEY)
        scopes += [{"service": list(c)} for r in range(1, len(codes) + 1) for c in combinations(codes, r)]
        scopes += [{"security": level} for level in SECURITY] + [{"specialism": kind} for kind in SPECIALISMS]
        scopes += [{"security": level, "specialism": kind} for level in SECURITY for kind in SPECIALISMS]
    outputs = []
    for scope in scopes:
        outputs += intruder.data(found, scope)
        for first, last in MONTHS:
            outputs += intruder.data(found, {**scope, "from": first, "to": last})
            outputs += intruder.data(found, {**scope, "from": first})
            outputs += intruder.data(found, {**scope, "to": last})
    return outputs


def test_version_bases_across_windows_service_sets_and_the_pool_isolate_no_one(intruders):
    """The exact sizes of each version's respondents, for every month and window, every
    set of services, security level and specialism, before and after the round closes
    (the pool holds version 2 answers of small services): nested outputs differ by a
    whole batch or by nobody."""
    findings = [Findings("v1 windows, sets, pool", intruder.role) for intruder in intruders]
    for intruder, found in zip(intruders, findings, strict=True):
        nested_pairs(found, windows_and_sets(intruder, found), "version sizes")
    close_round(intruders)
    for intruder, found in zip(intruders, findings, strict=True):
        nested_pairs(found, windows_and_sets(intruder, found), "version sizes, pooled")
    print("\n" + report(findings))
    assert_nothing_singled_out(findings)


# --- 2. version bases beside about-you slices (under_16 in an adolescent service) ---------------


def slices_beside_wholes(intruder: Intruder, found: Findings) -> list[Output]:
    codes = sorted(intruder.own or SURVEY)
    outputs = []
    for scope in [{}] + [{"service": [code]} for code in codes]:
        outputs += intruder.data(found, scope)
        for question in ABOUT:
            for option in ABOUT_OPTIONS[question]:
                outputs += intruder.data(found, {**scope, question: option})
    return outputs


def test_version_bases_beside_about_you_slices_isolate_no_one(intruders):
    """A slice of a service is shown only where it and the people beside it are each none
    or at least min_cell, counted over every version together. The base of a version 2
    option gives the slice's version 2 respondents exactly, and beside the service's whole
    the version 2 people outside the slice: CL's women beside CL (3 who skipped gender),
    AD's under-16s beside AD (3 aged 16-24), and the same nationally."""
    findings = [Findings("v2 bases beside slices", intruder.role) for intruder in intruders]
    for intruder, found in zip(intruders, findings, strict=True):
        nested_pairs(found, slices_beside_wholes(intruder, found), "slice beside whole")
    close_round(intruders)
    for intruder, found in zip(intruders, findings, strict=True):
        outputs = intruder.data(found, {})
        for question in ABOUT:
            for option in ABOUT_OPTIONS[question]:
                outputs += intruder.data(found, {question: option})
        nested_pairs(found, outputs, "slice beside whole, pooled")
    print("\n" + report(findings))
    assert_nothing_singled_out(findings)


def test_under_16_in_an_adolescent_service_and_helped_by_isolate_no_one(survey):
    """The attack above as AD's own service lead would make it: AD's patients (`n`, and
    the base of `helped_by` and `under_16`) less AD's under-16s. All under-16s answered
    version 2 (the band is new), so the slice's version 2 base is the slice; beside AD's
    version 2 base it leaves the version 2 patients aged 16 or over."""
    intruder = Intruder("service_lead", lead("ad_lead", "service_lead", ["AD"]), {"AD"})
    found = Findings("under_16 and helped_by", intruder.role)
    whole = intruder.data(found, {"service": ["AD"]})
    young = intruder.data(found, {"service": ["AD"], "age_band": "under_16"})
    found.tried += 1
    assert whole[0].n["patient"] == 15, "the survey as planned"
    # AD's 7 under-16s beside its 10 version 2 patients would leave 3: the slice is withheld.
    assert young[0].n["patient"] is None
    nested_pairs(found, [*whole, *young], "AD less its under-16s")
    print("\n" + report([found]))
    assert_nothing_singled_out([found])


# --- 3. the response export's new columns ------------------------------------------------------


def test_response_export_with_version_2_columns_isolates_no_one(intruders):
    """The response CSV (partnership leads) now has v2 columns (`helped_by.*`, `none`,
    `not_sure`) and `under_16` in `age_band`: blocks of one service, version and month of
    at least min_cell rows, and no combination of quasi-identifiers under min_cell."""
    findings = []
    for intruder in intruders:
        found = Findings("v2 export rows", intruder.role)
        for state in range(2):
            for params in [{}, *({"service": [code]} for code in sorted(intruder.own or SURVEY))]:
                reply = intruder.client.get("/dashboard/export/responses.csv", params)
                found.requests += 1
                if reply.status_code == 403 and intruder.own:
                    found.refused += 1
                    found.tried += 1
                    continue
                assert reply.status_code == 200, reply.content[:300]
                header, rows = read_csv(reply)
                assert "helped_by.no_one" in header
                response_rows_attack(found, f"responses.csv?{params} (state {state})", header, rows)
            if state == 0:
                close_round(intruders)
        findings.append(found)
    assert_nothing_singled_out(findings)


# --- 4. per-option follow-up boxes quoted, against the export ------------------------------------


def implied(group: str, code: str) -> tuple[str, tuple[str, ...]] | None:
    """What a quote of this question says its writer ticked (the published show_if):
    a per-option box (`current_forms_emotional_detail`) its option, and so on."""
    question = DEFINITIONS[(group, 2)].question(code)
    if question is None or not question.show_if_question:
        return None
    return question.show_if_question, tuple(question.show_if_options)


def quotes_of(intruder: Intruder, found: Findings, service_code: str, question: str) -> list[tuple[str, str]]:
    reply = intruder.client.get("/dashboard/quotes/", {"service": service_code, "question": question})
    found.requests += 1
    if reply.status_code == 400:  # no text was ever given to that question: not a choice of the filter
        return []
    assert reply.status_code == 200, reply.status_code
    html = reply.content.decode()
    found_quotes = re.findall(
        r'<span class="badge text-bg-light">(\w+)</span></p>\s*<blockquote class="mb-1"><p>“(.*?)”</p></blockquote>\s*'
        r'<p class="quote-credit">\((.*?)\)</p>',
        html,
        re.S,
    )
    return [(group, unescape(credit)) for group, _, credit in found_quotes]


def test_quotes_of_option_boxes_link_to_no_export_row(intruders):
    """A box under an option is quoted under that option's question, credited as its
    writer's other quotes are (the same number for every quote of one person). The quote
    says which options its writer ticked; the response CSV's rows of that service and
    version 2 with every one of them ticked are the writer's candidates. Fewer than
    min_cell candidates link the quote, and its writer's other quotes, to a row."""
    intruder = intruders[1]
    approved = approve_every_text(intruder.client)
    assert approved >= 2
    found = Findings("option boxes quoted", intruder.role)
    header, rows = read_csv(intruder.client.get("/dashboard/export/responses.csv"))
    boxes = sorted({q.code for (_, version), d in DEFINITIONS.items() if version == 2 for q in d.questions if q.show_if_question})
    for code in sorted(SURVEY):
        ticked: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        for question in boxes:
            for group, credit in quotes_of(intruder, found, code, question):
                condition = implied(group, question)
                if condition:
                    ticked.setdefault((group, credit), []).append(condition)
        for (group, credit), conditions in ticked.items():
            found.tried += 1
            candidates = [
                row
                for row in rows
                if row["service"] == code
                and row["questionnaire"] == group
                and row["version"] == "2"
                and all(any(row.get(f"{q}.{o}") == "1" for o in options) for q, options in conditions)
            ]
            if len(candidates) in FEW:
                found.isolated(
                    f"{code} {group} quotes credited {credit!r} (boxes of {[q for q, _ in conditions]}) "
                    f"fit {len(candidates)} row(s) of responses.csv",
                    recovered=len(candidates) == 1,
                    how="quote to rows",
                )
    print("\n" + report([found]))
    assert_nothing_singled_out([found])


# --- 5. paper entry by version: hostile values -----------------------------------------------------


@pytest.mark.parametrize("version", ["²", "³", "¹", "9" * 5, "٢", "-1", "1.0", "0x2", " 2"])
def test_paper_entry_version_is_a_page_or_a_404_never_a_500(chadwick, service_lead, version):
    """`?version=` takes a version number; `str.isdigit` also says yes to superscripts,
    which `int` refuses."""
    client = Client(raise_request_exception=False)
    client.force_login(service_lead)
    reply = client.get("/dashboard/paper/CL/patient/", {"version": version})
    assert reply.status_code in (200, 404), (version, reply.status_code)


def test_paper_entry_sent_again_with_other_answers_is_no_500(chadwick, service_lead):
    """A lead saves a paper, goes Back, corrects an answer and saves again: the form
    (and its client_id) is the one already stored. It must be refused or stored, not a 500."""
    client = Client(raise_request_exception=False)
    client.force_login(service_lead)
    page = client.get("/dashboard/paper/CL/patient/?version=2")
    client_id = page.context["form"]["client_id"].value()
    form = {"client_id": client_id, "paper_date": NOV.isoformat(), "useful": "yes"}
    assert client.post("/dashboard/paper/CL/patient/?version=2", form).status_code == 302
    again = client.post("/dashboard/paper/CL/patient/?version=2", {**form, "useful": "no"})
    assert again.status_code < 500, again.status_code
    assert Response.objects.filter(client_id=client_id).count() == 1
