"""The release layer: every figure, row and quote passes through here on its way out.

Pure functions over plain data, so the rules are tested without a database.
docs/disclosure.md gives the policy; in short:

- the write side releases answers in batches of at least `min_cell` per
  service, questionnaire and about-you slice (surveys/releases.py), so two
  outputs of the same kind differ by at least `min_cell` respondents or by
  none (P2, P4);
- date windows are whole months of release (P2);
- a group under `min_cell` is suppressed, and a service's about-you slice
  counts only where its complement there is safe too (P1, P5);
- every count of people choosing something is perturbed by the cell-key
  method, consistently (the same respondents always get the same noise) and by
  at most 2, so no small cell is ever known exactly (P1, P5).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from itertools import accumulate

from surveys.models import RECORD_KEYS

from .stats import Counts

MAX_NOISE = 2
# Record keys are drawn from 0 .. KEY_SPACE - 1 when a response is stored; a
# cell's key is the sum of its respondents' keys modulo KEY_SPACE.
KEY_SPACE = RECORD_KEYS
METHOD = "batches_cell_key"

# Noise by cell key, for a true count of 1 and of 2 or more: symmetric, so
# figures are unbiased; an empty cell stays empty (nobody has a key to give it).
_NOISE = {
    1: ((-1, 0.3), (0, 0.4), (1, 0.3)),
    2: ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1)),
}
_CUMULATIVE = {n: (tuple(d for d, _ in table), tuple(accumulate(p for _, p in table))) for n, table in _NOISE.items()}


def noise(count: int, cell_key: int) -> int:
    """The perturbation of a count, chosen by its cell key.

    >>> noise(0, 12345)
    0
    >>> [noise(7, key) for key in (0, 6553, 6554, 19660, 19661, 45875, 45876, 58982, 58983, 65535)]
    [-2, -2, -1, -1, 0, 0, 1, 1, 2, 2]
    >>> sorted({noise(1, key) for key in range(0, KEY_SPACE, 97)})
    [-1, 0, 1]
    """
    if count <= 0:
        return 0
    values, cumulative = _CUMULATIVE[min(count, 2)]
    u = (cell_key % KEY_SPACE) / KEY_SPACE
    return values[min(bisect_right(cumulative, u), len(values) - 1)]


def perturbed(count: int, key_sum: int, *, base: int) -> int:
    """A count as released: its noise added, kept within 0 .. base.

    >>> perturbed(3, 0, base=10), perturbed(10, 65535, base=10), perturbed(0, 999, base=10)
    (1, 10, 0)
    """
    return max(0, min(base, count + noise(count, key_sum)))


def complement_safe(shown: dict[str, int], total: int, min_cell: int) -> set[str]:
    """Which slices of one about-you question may be shown beside their total.

    A slice under `min_cell` is hidden; and if the people left over (the total
    less the slices shown) number from 1 to min_cell - 1, they could be
    recovered by subtraction, so the smallest shown slice is hidden too, until
    the remainder is none or at least `min_cell`.

    >>> sorted(complement_safe({"female": 6, "male": 40, "non_binary": 1}, 52, 5))
    ['female', 'male']
    >>> sorted(complement_safe({"female": 6, "male": 40}, 48, 5))  # 2 left over
    ['male']
    >>> sorted(complement_safe({"female": 6, "male": 42}, 48, 5))  # none left over
    ['female', 'male']
    """
    safe = {slice_: n for slice_, n in shown.items() if n >= min_cell}
    while safe:
        rest = total - sum(safe.values())
        if rest <= 0 or rest >= min_cell:
            break
        del safe[min(safe, key=lambda slice_: (safe[slice_], slice_))]
    return set(safe)


def release_counts(
    counts: Counts,
    *,
    min_cell: int,
    about: tuple[str, str] | None,
    partitions: dict[str, tuple[str, ...]] | None = None,
    perturb: bool = True,
) -> Counts:
    """The counts as they may leave the server.

    Every count of people who chose an option or answered a question is
    perturbed by its cell key (never by more than 2, never below 0 or above its
    group). A group filtered to an about-you slice counts only the units where
    the slice is safe on its own (`safe_units`). In the about-you questions (`partitions`: question -> option
    codes), a category is hidden when its true count is under `min_cell`, or
    when the people left beside the shown ones would be (`complement_safe`).
    Group sizes, and responses per service and month, are sums of whole release
    batches and are shown as they are; within a slice, there are no responses
    per service or month at all.

    >>> counts = Counts(n={"patient": 20, "staff": 6}, options={("patient", "useful", "yes"): 3},
    ...                 answered={("patient", "useful"): 3}, option_keys={("patient", "useful", "yes"): 65535},
    ...                 answered_keys={("patient", "useful"): 65535})
    >>> released = release_counts(counts, min_cell=5, about=None)
    >>> released.options[("patient", "useful", "yes")], released.n
    (5, {'patient': 20, 'staff': 6})
    """
    if about is not None:
        # Each unit's complement is safe, so the selection's is too (a sum of
        # remainders each none or at least min_cell).
        counts = safe_units(counts, option=about[1], min_cell=min_cell)
    n: dict[str, int | None] = dict(counts.n)
    withheld = {group for group, size in n.items() if size is None}
    hidden = set()
    for group, size in n.items():
        for question, codes in (partitions or {}).items():
            true = {code: counts.options.get((group, question, code), 0) for code in codes}
            safe = complement_safe({code: c for code, c in true.items() if c}, size or 0, min_cell)
            # An empty category is hidden too: "0" beside "fewer than 5" would tell them apart.
            hidden |= {(group, question, code) for code in true if code not in safe}

    def base(group: str) -> int:
        return n.get(group) or 0

    def noisy(count: int, keys: int, group: str) -> int:
        return perturbed(count, keys, base=base(group)) if perturb else count

    return Counts(
        n=n,
        options={
            key: noisy(count, counts.option_keys.get(key, 0), key[0])
            for key, count in counts.options.items()
            if key[0] not in withheld
        },
        answered={
            key: noisy(count, counts.answered_keys.get(key, 0), key[0])
            for key, count in counts.answered.items()
            if key[0] not in withheld
        },
        # Within a slice, responses per service or month would stand beside the
        # same rows for everyone, and the difference could be a person or two:
        # a slice is shown for the whole selection only.
        by_service=[row for row in counts.by_service if row[1] not in withheld and about is None],
        by_day=[row for row in counts.by_day if row[1] not in withheld and about is None],
        hidden=frozenset(hidden),
        # Sums of whole release batches of one questionnaire version, as group sizes
        # are; within a slice, of units whose slice is safe within each version.
        unasked={key: size for key, size in counts.unasked.items() if key[0] not in withheld},
    )


def safe_units(counts: Counts, *, option: str | tuple[str, ...], min_cell: int) -> Counts:
    """A slice's counts from the units (services, the national pool) where the
    slice is safe on its own: a service's slice beside that service's whole
    could otherwise be had by subtracting service sets ("CL and CC, women"
    less "CC, women"), and leave the few people outside it.

    >>> unit = lambda women, everyone: Counts(n={"patient": women}, options={}, answered={},
    ...                                      slices={"patient": {"": everyone, "female": women}})
    >>> both = Counts(n={}, options={}, answered={}, units={"CL": unit(13, 15), "CC": unit(8, 20)})
    >>> safe_units(both, option="female", min_cell=5).n  # CL's 2 others would show: CL left out
    {'patient': 8}
    """
    kept: dict[str, list[Counts]] = {}
    for part in counts.units.values():
        for group, sizes in part.slices.items():
            if _slice_safe(sizes, option, min_cell) and all(
                _slice_safe(version_sizes, option, min_cell, may_be_empty=True)
                for (version_group, _), version_sizes in part.version_slices.items()
                if version_group == group
            ):
                kept.setdefault(group, []).append(part)
    n: dict[str, int] = {}
    options: dict = {}
    answered: dict = {}
    option_keys: dict = {}
    answered_keys: dict = {}
    unasked: dict = {}
    slices: dict[str, dict[str, int]] = {}
    for group, parts in kept.items():
        for part in parts:
            n[group] = n.get(group, 0) + part.n.get(group, 0)
            for source, target in (
                (part.options, options),
                (part.answered, answered),
                (part.option_keys, option_keys),
                (part.answered_keys, answered_keys),
                (part.unasked, unasked),
            ):
                for key, value in source.items():
                    if key[0] == group:
                        target[key] = target.get(key, 0) + value
            for code, size in part.slices.get(group, {}).items():
                slices.setdefault(group, {})[code] = slices.get(group, {}).get(code, 0) + size
    return replace(
        counts,
        n=n,
        options=options,
        answered=answered,
        option_keys=option_keys,
        answered_keys=answered_keys,
        unasked=unasked,
        slices=slices,
        units={},
    )


def _slice_safe(sizes: dict[str, int], option: str | tuple[str, ...], min_cell: int, *, may_be_empty: bool = False) -> bool:
    """Whether one slice may count beside its whole (`sizes`: slice -> people, "" the whole).

    Checked for all the unit's respondents, and again within each questionnaire
    version: an option only version 2 asks is answered by version 2 people
    only, so its slice and the people beside it must be none or at least
    `min_cell` among them too. A version with nobody in the slice adds nobody.

    >>> _slice_safe({"": 10, "under_16": 7}, "under_16", 5)  # 3 beside them
    False
    >>> _slice_safe({"": 5, "female": 0}, "female", 5, may_be_empty=True)
    True

    A group of answers (white British: English, Welsh, Scottish) is one slice:

    >>> _slice_safe({"": 20, "white_english": 9, "white_welsh": 2, "black_african": 9}, ("white_english", "white_welsh"), 5)
    True
    """
    chosen = (option,) if isinstance(option, str) else tuple(option)
    shown = {code: size for code, size in sizes.items() if code and code not in chosen}
    shown[CHOSEN] = sum(sizes.get(code, 0) for code in chosen)
    if may_be_empty and not shown[CHOSEN]:
        return True
    return CHOSEN in complement_safe(shown, sizes.get("", 0), min_cell)


CHOSEN = "\0chosen"  # the filtered answers, merged: no option code is like it


def disclosure(*, min_cell: int, perturb: bool, released_through) -> dict:
    """data.json's `disclosure` block: how the figures were released."""
    return {
        "min_cell": min_cell,
        "method": METHOD,
        "perturbed": perturb,
        "max_noise": MAX_NOISE if perturb else 0,
        "released_through": released_through.isoformat() if released_through else None,
    }
