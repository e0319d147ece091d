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
        weights = DEMOGRAPHICS.get(group, {}).get(question.code) or {
            option.code: published.get(option.code, 100 / len(question.options)) for option in question.options
        }
        codes = [option.code for option in question.options if option.code in weights]
        answers[question.code] = rng.choices(codes, [weights[code] for code in codes])[0]
    return answers


def demo_client_id(rng: random.Random) -> uuid.UUID:
    """Seeded, so running the demo again replays instead of duplicating."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def demo_date(rng: random.Random, today: date, days: int = 180) -> date:
    # Skewed towards recent weeks, as a live survey fills up.
    return today - timedelta(days=int(days * rng.random() ** 1.6))
