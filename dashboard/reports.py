"""The read path in one place: access -> queries -> stats.

The page, data.json, the aggregated CSV and the printable report all call
`dashboard_data`, so they always show the same (suppressed) numbers.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from surveys.selectors import latest_loaded

from .access import Access
from .filters import Selection
from .queries import selection_counts
from .stats import GROUPS, QuestionMeta, build_data, comparative_questions, suppressed

REPORT_2014 = Path(__file__).resolve().parent / "report_2014.toml"


@lru_cache(maxsize=1)
def report_2014() -> dict:
    """The 2014 report's published percentages: {question: {group: {option: pct}}}."""
    with REPORT_2014.open("rb") as handle:
        data = tomllib.load(handle)
    return {item["code"]: {group: item.get(group, {}) for group in GROUPS} for item in data["questions"]}


def current_definitions() -> dict:
    definitions = {}
    for group in GROUPS:
        loaded = latest_loaded(group)
        if loaded is not None:
            definitions[group] = loaded.definition
    return definitions


def questions() -> list[QuestionMeta]:
    return comparative_questions(current_definitions())


def about_options() -> dict[str, list[tuple[str, str]]]:
    """Choices for the about-you filters, from the questionnaires themselves."""
    options: dict[str, list[tuple[str, str]]] = {}
    for question in questions():
        if question.section == "about_you":
            options[question.code] = list(question.options)
    return options


def dashboard_data(selection: Selection, access: Access) -> dict:
    min_cell = settings.PEERSURVEY_MIN_CELL
    counts, services = selection_counts(selection, access)
    data = build_data(
        counts, questions(), min_cell=min_cell, report_2014=report_2014(), selection=selection.as_dict()
    )
    for group in GROUPS:
        hidden = suppressed(counts.n.get(group, 0), min_cell)
        data["groups"][group]["services"] = None if hidden else services.get(group, 0)
    return data
