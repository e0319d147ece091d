"""Synthetic demo responses shaped like the 2014 consultation.

Pure: given the definitions, the 2014 percentages and a seeded random source it
returns plain answer dicts; `manage.py demo` stores them through the ordinary
submission service. Options the report gives no figure for get a modest
default, so every chart has something to show.
"""

from __future__ import annotations

import random
import tomllib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from surveys.definitions import QuestionnaireDef
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


def load_texts(path: Path = DEMO_DIR / "texts.toml") -> dict[str, list[str]]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def demo_answers(
    definition: QuestionnaireDef,
    figures: Figures,
    texts: dict[str, list[str]],
    rng: random.Random,
) -> dict[str, object]:
    """One respondent's answers, drawn from the published 2014 percentages.

    >>> from surveys.definitions import load_file, QUESTIONNAIRE_DIR
    >>> from surveys.report_2014 import report_2014
    >>> staff = load_file(QUESTIONNAIRE_DIR / "staff.v1.toml")
    >>> answers = demo_answers(staff, report_2014(), load_texts(), random.Random(1))
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
    30.0
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
                moved[question][group]["yes"] = max(5.0, moved[question][group]["yes"] - 45)
                moved[question][group]["no"] = moved[question][group].get("no", 0) + 40
    return moved


def demo_client_id(rng: random.Random) -> uuid.UUID:
    """Seeded, so running the demo again replays instead of duplicating."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def demo_date(rng: random.Random, today: date, days: int = 180) -> date:
    # Skewed towards recent weeks, as a live survey fills up.
    return today - timedelta(days=int(days * rng.random() ** 1.6))
