"""The 2014 report's published percentages: the "2014" series of the dashboard's
charts and the shape of the demo's synthetic answers. Read in one place."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from .codes import GROUPS

REPORT_2014 = Path(__file__).resolve().parent / "report_2014.toml"

Figures = dict[str, dict[str, dict[str, float]]]


@lru_cache(maxsize=1)
def report_2014() -> Figures:
    """{question: {"patient": {option: pct}, "staff": {...}}}.

    >>> report_2014()["useful"]["patient"]["yes"]
    65.0
    """
    with REPORT_2014.open("rb") as handle:
        data = tomllib.load(handle)
    return {item["code"]: {group: item.get(group, {}) for group in GROUPS} for item in data.get("questions", [])}


@lru_cache(maxsize=1)
def report_2014_sizes() -> dict[str, int]:
    """How many of each group answered in 2014: the base of every published percentage.

    >>> report_2014_sizes()
    {'patient': 213, 'staff': 54}
    """
    with REPORT_2014.open("rb") as handle:
        meta = tomllib.load(handle)["meta"]
    return {group: int(meta[f"{group}_n"]) for group in GROUPS}
