"""Synthetic demo responses shaped like the 2014 consultation.

Pure: given the definitions, the 2014 percentages and a seeded random source it
returns plain answer dicts; `manage.py demo` stores them through the ordinary
submission service. Options the report gives no figure for get a modest
default, so every chart has something to show.

Free text is the report's own quotes (texts.toml), each in one response only: of
the group the report credits it to, in the box of the question it answers, in
the credited service where the demo has room for it (`quote_places`,
`with_quotes`). Other responses have no free text but a job title.
"""

from __future__ import annotations

import random
import tomllib
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from surveys.codes import GROUPS, Group, Kind
from surveys.definitions import QuestionDef, QuestionnaireDef
from surveys.report_2014 import Figures

DEMO_DIR = Path(__file__).resolve().parent

DEFAULT_MANY = 0.3
TEXT_CHANCE = 0.25
SKIP_CHANCE = 0.06
DEMOGRAPHICS = {
    "patient": {
        "gender": {"male": 66, "female": 30, "non_binary": 1, "self_describe": 1, "prefer_not": 2},
        "time_in_service": {"lt_1y": 42, "1_4y": 41, "5_9y": 11, "10y_plus": 6},
        "time_in_secure": {"lt_1y": 15, "1_4y": 40, "5_9y": 25, "10y_plus": 20},
        "age_band": {
            "16_24": 14,
            "25_29": 16,
            "30_34": 16,
            "35_39": 14,
            "40_44": 12,
            "45_49": 10,
            "50_54": 8,
            "55_59": 5,
            "60_64": 3,
            "65_plus": 2,
        },
        "ethnicity": {
            "white_english": 65,
            "white_welsh": 6,
            "white_scottish": 4,
            "white_irish": 2,
            "white_gypsy_traveller": 1,
            "black_caribbean": 7,
            "black_african": 4,
            "mixed_white_black_caribbean": 3,
            "asian_indian": 2,
            "asian_chinese": 1,
            "white_other": 2,
            "other": 1,
            "prefer_not": 2,
        },
    },
    "staff": {
        "gender": {"female": 61, "male": 31, "non_binary": 2, "prefer_not": 6},
        "age_band": {
            "16_24": 6,
            "25_29": 22,
            "30_34": 10,
            "35_39": 6,
            "40_44": 12,
            "45_49": 14,
            "50_54": 12,
            "55_59": 10,
            "60_64": 6,
            "65_plus": 2,
        },
        "ethnicity": {
            "white_english": 67,
            "white_scottish": 4,
            "white_irish": 4,
            "white_other": 5,
            "black_african": 9,
            "black_caribbean": 6,
            "mixed_white_black_caribbean": 4,
            "prefer_not": 1,
        },
    },
}


@dataclass(frozen=True)
class ReportQuote:
    """One quote the 2014 report prints, with who said it and what it answers (texts.toml)."""

    group: str
    credit: str
    question: str
    text: str
    section: str
    service: str = ""
    answers: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    job_title: str = ""
    source: str = "survey"
    themes: tuple[str, ...] = ()
    report: bool = False
    patients: bool = False
    note: str = ""

    @property
    def person(self) -> tuple[str, str]:
        """Who said it: "1: OT" and "1:OT", "SAN 10" and "SAN10" are one person."""
        return self.group, self.credit.replace(" ", "").upper()


@dataclass(frozen=True)
class Respondent:
    """One person the report quotes: all their quotes go to one demo response."""

    group: str
    credit: str
    service: str
    job_title: str
    quotes: tuple[ReportQuote, ...]

    @property
    def questions(self) -> frozenset[str]:
        return frozenset(quote.question for quote in self.quotes)


@dataclass(frozen=True)
class DemoTexts:
    # Made-up answers for responses without a report quote (only job titles): not quotes.
    generic: dict[str, list[str]]
    quotes: tuple[ReportQuote, ...] = field(default=())

    def respondents(self) -> list[Respondent]:
        """The people quoted, in the order the file first quotes them."""
        people: dict[tuple[str, str], list[ReportQuote]] = {}
        for quote in self.quotes:
            people.setdefault(quote.person, []).append(quote)
        return [
            Respondent(
                group=quotes[0].group,
                credit=quotes[0].credit,
                service=quotes[0].service,
                job_title=quotes[0].job_title,
                quotes=tuple(quotes),
            )
            for quotes in people.values()
        ]

    def waiting(self) -> frozenset[ReportQuote]:
        """The quotes the demo leaves for a lead to review: every fifth, in file order,
        of those not chosen for the report or for patients. Fixed by the file, so a
        second run leaves the same ones waiting.

        >>> texts = load_texts()
        >>> waiting = texts.waiting()
        >>> len(waiting) == sum(not (q.report or q.patients) for q in texts.quotes) // 5
        True
        >>> any(q.report or q.patients for q in waiting)
        False
        """
        unchosen = [quote for quote in self.quotes if not (quote.report or quote.patients)]
        return frozenset(unchosen[4::5])


QUOTE_KEYS = {
    "group", "credit", "question", "text", "section", "service", "answers", "job_title",
    "source", "themes", "report", "patients", "note",
}  # fmt: skip


def load_texts(path: Path = DEMO_DIR / "texts.toml") -> DemoTexts:
    """The demo's free text: the report's quotes, checked, and the generic job titles.

    >>> texts = load_texts()
    >>> sorted(Counter(quote.group for quote in texts.quotes).items())
    [('patient', 78), ('staff', 61)]
    >>> next(q for q in texts.quotes if q.credit == "CL2")
    ReportQuote(group='patient', credit='CL2', question='useful_why', text='it can make a difference, ...', service='CL', answers=(('useful', 'sometimes'),), ...)
    """
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    quotes = tuple(_quote(row, path) for row in data.get("quotes", []))
    texts = DemoTexts(generic={code: list(pool) for code, pool in data.get("generic", {}).items()}, quotes=quotes)
    problems = [
        f"{path.name}: the quote {text[:40]!r} is there twice" for text, n in Counter(q.text for q in quotes).items() if n > 1
    ]
    for person in texts.respondents():
        boxes = Counter(quote.question for quote in person.quotes)
        problems += [f"{path.name}: {person.credit} has two quotes for {code}: join them" for code, n in boxes.items() if n > 1]
        if len({(q.service, q.job_title) for q in person.quotes}) > 1:
            problems.append(f"{path.name}: {person.credit}'s quotes give different services or job titles")
    if problems:
        raise ValueError("; ".join(problems))
    return texts


def _quote(row: dict, path: Path) -> ReportQuote:
    unknown = set(row) - QUOTE_KEYS
    where = f"{path.name}, {row.get('credit', '?')}"
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    if row.get("group") not in GROUPS or not row.get("credit") or not row.get("question") or not row.get("text"):
        raise ValueError(f"{where}: a quote needs a group (patient or staff), a credit, a question and a text")
    if row["group"] == Group.PATIENT and not row.get("service"):
        raise ValueError(f"{where}: a patient's quote needs the service its credit names")
    if row["group"] == Group.STAFF and (not row.get("job_title") or row.get("source") not in ("survey", "interview")):
        raise ValueError(f"{where}: a staff quote needs a job_title and a source (survey or interview)")
    answers = tuple((code, tuple(value) if isinstance(value, list) else value) for code, value in row.get("answers", {}).items())
    return ReportQuote(
        **{key: value for key, value in row.items() if key not in ("answers", "themes")},
        answers=answers,
        themes=tuple(row.get("themes", ())),
    )


def demo_count(row: Mapping[str, object], wave: DemoWave, group: str, scale: float = 1.0) -> int:
    """How many demo responses a service has from a group in a wave (services.toml's counts, scaled)."""
    count = row["patient_responses_2014"] if group == Group.PATIENT else row["staff_responses_demo"]
    return round(count * wave.scale[group] * scale)


Place = tuple[str, str, str, int]  # wave code, service code, group, the response's index among them


def quote_places(
    respondents: Iterable[Respondent],
    counts: Mapping[tuple[str, str, str], int],
    questions: Mapping[tuple[str, str], frozenset[str]],
    *,
    waves: list[str],
    services: list[str],
    min_cell: int = 5,
) -> dict[Place, Respondent]:
    """Give each person the report quotes one demo response of their group: the
    `index`-th response of a service and wave (`counts` says how many there are).

    The credited service first (its earliest responses, which its first batch
    releases), in the first of `waves` whose questionnaire has all their boxes
    (`questions`); else any service of the group with room, spreading them out and
    preferring a response that will be released (within the service's whole
    batches of `min_cell`). A person with no response left is not placed: the
    demo is too small (`--scale`).

    >>> cc = Respondent("patient", "CC3", "CC", "", ())
    >>> nurse = Respondent("staff", "19: Staff nurse", "", "Staff nurse", ())
    >>> counts = {("2026", "CC", "patient"): 14, ("2026", "CC", "staff"): 3, ("2026", "M", "staff"): 7}
    >>> questions = {("2026", "patient"): frozenset(), ("2026", "staff"): frozenset()}
    >>> quote_places([cc, nurse], counts, questions, waves=["2026"], services=["CC", "M"])
    {('2026', 'CC', 'patient', 0): Respondent(group='patient', credit='CC3', ...), ('2026', 'M', 'staff', 0): Respondent(group='staff', credit='19: Staff nurse', ...)}
    """
    taken: Counter[tuple[str, str, str]] = Counter()
    places: dict[Place, Respondent] = {}
    for person in respondents:
        fits = [wave for wave in waves if person.questions <= questions.get((wave, person.group), frozenset())]
        free = []
        for wave_rank, wave in enumerate(fits):
            for service_rank, service in enumerate(services):
                key = (wave, service, person.group)
                used, n = taken[key], counts.get(key, 0)
                if used < n:
                    # Their own service first; then the earlier wave, a response its batch releases,
                    # the service with fewest quoted so far and most responses.
                    released = used < n // min_cell * min_cell
                    free.append(((service != person.service, wave_rank, not released, used, -n, service_rank), key))
        if not free:
            continue
        key = min(free)[1]
        places[(*key, taken[key])] = person
        taken[key] += 1
    return places


def with_quotes(definition: QuestionnaireDef, answers: Mapping[str, object], person: Respondent) -> dict[str, object]:
    """`answers` with a person's quotes in their boxes, the answers the quotes imply
    ("causes arguments": not useful) and the options that show each box ticked.

    >>> from surveys.definitions import load_file, QUESTIONNAIRE_DIR
    >>> patient = load_file(QUESTIONNAIRE_DIR / "patient.v2.toml")
    >>> quote = ReportQuote("patient", "SB15", "when_useful_discharge_detail", "so you know what to expect", "6.5", "SB")
    >>> with_quotes(patient, {"useful": "yes", "when_useful": ["crisis"]}, Respondent("patient", "SB15", "SB", "", (quote,)))
    {'useful': 'yes', 'when_useful': ['crisis', 'discharge'], 'when_useful_discharge_detail': 'so you know what to expect'}
    """
    given = dict(answers)
    for quote in person.quotes:
        for code, value in quote.answers:
            given[code] = list(value) if isinstance(value, tuple) else value
            _show(definition, given, definition.question(code))
    for quote in person.quotes:
        _show(definition, given, definition.question(quote.question))
        given[quote.question] = quote.text
    if person.job_title and definition.question("job_title") is not None:
        given["job_title"] = person.job_title
    # An implied answer ("no") may hide a question answered at random: it goes (and what it showed).
    kept = given
    while True:
        shown = {code: value for code, value in kept.items() if definition.question(code).applies(kept)}
        if shown == kept:
            break
        kept = shown
    missing = [quote.credit for quote in person.quotes if kept.get(quote.question) != quote.text]
    if missing:
        raise ValueError(f"{missing[0]}'s quotes cannot all be shown together: check their answers in texts.toml")
    return kept


def _show(definition: QuestionnaireDef, answers: dict[str, object], question: QuestionDef | None) -> None:
    """Tick what shows `question` (and what shows that), where it is not ticked already."""
    if question is None:
        raise ValueError(f"The {definition.code} questionnaire (version {definition.version}) has no such question.")
    if question.applies(answers):
        return
    condition = definition.question(question.show_if_question)
    _show(definition, answers, condition)
    option = question.show_if_options[0]
    if condition.kind == Kind.MANY:
        chosen = [code for code in answers.get(condition.code) or () if code not in condition.exclusive_codes]
        answers[condition.code] = [*chosen, option]
    else:
        answers[condition.code] = option


def demo_answers(
    definition: QuestionnaireDef,
    figures: Figures,
    texts: Mapping[str, list[str]],
    rng: random.Random,
) -> dict[str, object]:
    """One respondent's answers, drawn from the published 2014 percentages. Free
    text only from `texts`, the generic answers (job titles): never a report quote.

    >>> from surveys.definitions import load_file, QUESTIONNAIRE_DIR
    >>> from surveys.report_2014 import report_2014
    >>> staff = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
    >>> answers = demo_answers(staff, report_2014(), load_texts().generic, random.Random(1))
    >>> set(answers) <= {q.code for q in staff.questions}
    True
    """
    group = definition.code
    answers: dict[str, object] = {}
    for question in definition.questions:
        # A question that follows from an earlier answer is asked only when it applies.
        if rng.random() < SKIP_CHANCE or not question.applies(answers):
            continue
        if question.kind == "text":
            pool = texts.get(question.code)
            chance = 0.9 if question.code == "job_title" else TEXT_CHANCE
            if pool and rng.random() < chance:
                answers[question.code] = rng.choice(pool)
            continue
        published = figures.get(question.code, {}).get(group, {})
        if question.kind == "many":
            chosen = [
                option.code
                for option in question.options
                if not option.exclusive and rng.random() * 100 < published.get(option.code, DEFAULT_MANY * 100)
            ]
            # "None of these" only for someone who chose nothing else.
            if not chosen and question.exclusive_codes and rng.random() < 0.5:
                chosen = list(question.exclusive_codes[:1])
            if chosen:
                answers[question.code] = chosen
            continue
        # An option the report gives no figure for (version 2's "Not sure") is chosen now and then.
        default = 100 / len(question.options) if not published else 8
        weights = DEMOGRAPHICS.get(group, {}).get(question.code) or {
            option.code: published.get(option.code, default) for option in question.options
        }
        codes = [option.code for option in question.options if option.code in weights]
        answers[question.code] = rng.choices(codes, [weights[code] for code in codes])[0]
    return answers


@dataclass(frozen=True)
class DemoWave:
    code: str
    name: str
    opens: date
    closes: date
    paper: bool  # the 2014 round, on paper with the first questionnaires
    scale: dict[str, float]  # responses per service, as a share of the 2014 round's
    shift: float  # points added to the answers that grew since 2014

    def days(self, today: date) -> int:
        """How many days of the round have passed: answers are dated within them."""
        return max(0, (min(self.closes, today) - self.opens).days)


# The service whose patients answer well below the rest in the live rounds, so the
# funnel plot has something to find (demo only).
OUTLIER = "SAN"


def demo_waves(today: date) -> list[DemoWave]:
    """Three rounds: the 2014 consultation, a round a year ago, and one open now.

    >>> [(w.code, w.opens.isoformat(), w.closes.isoformat()) for w in demo_waves(date(2026, 11, 30))]
    [('2014', '2014-01-06', '2014-05-30'), ('2025', '2025-09-01', '2025-11-30'), ('2026', '2026-09-01', '2026-12-31')]
    """
    current_opens = (today - timedelta(days=90)).replace(day=1)
    current_closes = _month_end(today + timedelta(days=31))
    previous_opens = current_opens.replace(year=current_opens.year - 1)
    previous_closes = previous_opens + timedelta(days=90)
    return [
        DemoWave("2014", "2014 consultation", date(2014, 1, 6), date(2014, 5, 30), True, {"patient": 1.0, "staff": 1.0}, 0),
        DemoWave(
            f"{previous_opens.year}",
            f"Round of {previous_opens:%B %Y}",
            previous_opens,
            _month_end(previous_closes),
            False,
            {"patient": 1.0, "staff": 3.0},
            5,
        ),
        DemoWave(
            f"{current_opens.year}",
            f"Round of {current_opens:%B %Y}",
            current_opens,
            current_closes,
            False,
            {"patient": 0.8, "staff": 2.4},
            10,
        ),
    ]


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def wave_figures(figures: Figures, shift: float, *, outlier: bool = False) -> Figures:
    """The 2014 figures moved by a round's change: more people see a role for peer
    support (every answer but "no" and "none" up by `shift` points), and the
    outlier service's patients much less sure it is useful.

    >>> moved = wave_figures({"useful": {"patient": {"yes": 65.0, "no": 8.0}, "staff": {}}}, 10)
    >>> moved["useful"]["patient"]
    {'yes': 75.0, 'no': 8.0}
    >>> wave_figures({"useful": {"patient": {"yes": 65.0}, "staff": {}}}, 10, outlier=True)["useful"]["patient"]["yes"]
    15.0
    """
    moved: Figures = {}
    for question, groups in figures.items():
        moved[question] = {}
        for group, values in groups.items():
            moved[question][group] = {
                option: value if option in ("no", "none", "not_sure") else min(95.0, value + shift)
                for option, value in values.items()
            }
            if outlier and group == "patient" and "yes" in moved[question][group]:
                # Far enough below that a service of 15 patients is below the funnel
                # whichever of them are released first (at 30%, 7 of 15 said yes once).
                moved[question][group]["yes"] = max(5.0, moved[question][group]["yes"] - 60)
                moved[question][group]["no"] = moved[question][group].get("no", 0) + 55
    return moved


def demo_client_id(rng: random.Random) -> uuid.UUID:
    """Seeded, so running the demo again replays instead of duplicating."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def demo_date(rng: random.Random, today: date, days: int = 180) -> date:
    # Skewed towards recent weeks, as a live survey fills up.
    return today - timedelta(days=int(days * rng.random() ** 1.6))
