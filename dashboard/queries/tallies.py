"""The fast path: sums of the tallies, one statement per selection."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import DateField, F, Q, QuerySet, Subquery, Sum, Value

from surveys.codes import Kind
from surveys.models import Option, Period, Tally, TallyKind
from surveys.selectors import catalogue
from surveys.tallies import EVERYONE, month_start, next_month

from ..access import Access
from ..selection import Selection
from ..stats import Counts


def tallied(selection: Selection) -> bool:
    """Whether the tallies hold this selection: about-you slices are tallied by month
    alone, so not two of them at once, nor one with a date range that cuts a month."""
    if not selection.about:
        return True
    whole_months = all(period == Period.MONTH for period, _, _ in date_windows(selection.date_from, selection.date_to))
    return len(selection.about) == 1 and whole_months


Window = tuple[str, date | None, date | None]  # period, first start, end (exclusive)


def date_windows(date_from: date | None, date_to: date | None) -> list[Window]:
    """Which tally rows cover a date range: whole months, plus days at the ragged ends.

    >>> date_windows(None, None)
    [('m', None, None)]
    >>> date_windows(date(2026, 1, 15), date(2026, 3, 31))  # doctest: +NORMALIZE_WHITESPACE
    [('m', datetime.date(2026, 2, 1), datetime.date(2026, 4, 1)),
     ('d', datetime.date(2026, 1, 15), datetime.date(2026, 2, 1))]
    >>> date_windows(date(2026, 1, 2), date(2026, 1, 20))
    [('d', datetime.date(2026, 1, 2), datetime.date(2026, 1, 21))]
    """
    if date_from is None and date_to is None:
        return [(Period.MONTH.value, None, None)]
    day_after = None if date_to is None else date_to + timedelta(days=1)
    months_from = None if date_from is None else date_from if date_from.day == 1 else next_month(date_from)
    months_end = None if day_after is None else day_after if day_after.day == 1 else month_start(day_after)
    if months_from is not None and months_end is not None and months_from >= months_end:
        return [(Period.DAY.value, date_from, day_after)]
    windows: list[Window] = [(Period.MONTH.value, months_from, months_end)]
    if date_from is not None and date_from != months_from:
        windows.append((Period.DAY.value, date_from, months_from))
    if day_after is not None and day_after != months_end:
        windows.append((Period.DAY.value, months_end, day_after))
    return windows


def _window_filter(windows: list[Window]) -> Q:
    condition = Q()
    for period, first, end in windows:
        window = Q(period=period)
        if first is not None:
            window &= Q(start__gte=first)
        if end is not None:
            window &= Q(start__lt=end)
        condition |= window
    return condition


def service_filter(selection: Selection) -> Q:
    """The selection's services, for tallies and responses alike (both have `service`)."""
    condition = Q()
    if selection.services:
        condition &= Q(service__code__in=selection.services)
    if selection.security:
        condition &= Q(service__security=selection.security)
    if selection.specialism:
        condition &= Q(service__specialisms__specialism=selection.specialism)
    return condition


def selected_tallies(selection: Selection) -> QuerySet[Tally]:
    tallies = Tally.objects.filter(
        _window_filter(date_windows(selection.date_from, selection.date_to)), service_filter(selection)
    )
    if selection.about:
        ((question, option),) = selection.about.items()
        among = Option.objects.filter(question__code=question, code=option).values("pk")
        return tallies.filter(among__in=Subquery(among))
    return tallies.filter(among=EVERYONE)


def tally_counts(selection: Selection, access: Access) -> tuple[Counts, dict[str, int]]:
    """One statement: totals per tallied thing, and responses per service and date."""
    tallies = selected_tallies(selection)
    totals = tallies.values("kind", "ref").annotate(code=Value(""), day=Value(None, output_field=DateField()), total=Sum("n"))
    by_service_and_day = (
        tallies.filter(kind=TallyKind.RESPONSES)
        .values("kind", "ref")
        .annotate(code=F("service__code"), day=F("start"), total=Sum("n"))
    )
    rows = list(totals.union(by_service_and_day, all=True))
    names = catalogue()
    if not names.knows(*_ids(rows)):  # a questionnaire version loaded since this process began
        names = catalogue(refresh=True)
    return _counts_from_tallies(rows, names, access)


def _ids(rows: list[dict]) -> tuple[set[int], set[int], set[int]]:
    ids: dict[str, set[int]] = {kind: set() for kind in TallyKind.values}
    for row in rows:
        ids[row["kind"]].add(row["ref"])
    return ids[TallyKind.RESPONSES], ids[TallyKind.ANSWERED], ids[TallyKind.CHOSE]


def _counts_from_tallies(rows: list[dict], names, access: Access) -> tuple[Counts, dict[str, int]]:
    n: Counter[str] = Counter()
    options: Counter[tuple[str, str, str]] = Counter()
    answered: Counter[tuple[str, str]] = Counter()
    by_service: Counter[tuple[str, str]] = Counter()
    by_day: Counter[tuple[date, str]] = Counter()
    services: dict[str, set[str]] = {}
    for row in rows:
        kind, ref, total = row["kind"], row["ref"], row["total"]
        if row["code"]:  # responses per service and date
            group = names.groups[ref]
            services.setdefault(group, set()).add(row["code"])
            by_day[(row["day"], group)] += total
            if access.every_service or row["code"] in access.own_codes:
                by_service[(row["code"], group)] += total
        elif kind == TallyKind.RESPONSES:
            n[names.groups[ref]] += total
        elif kind == TallyKind.ANSWERED:
            group, question, _ = names.questions[ref]
            answered[(group, question)] += total
        else:
            options[names.options[ref]] += total
    # One-choice questions are not tallied as answered: each respondent who
    # answered chose exactly one option, so its options add up to it.
    for (group, question, _), total in options.items():
        if names.kinds[(group, question)] == Kind.ONE:
            answered[(group, question)] += total
    counts = Counts(
        n=dict(n),
        options=dict(options),
        answered=dict(answered),
        by_service=[(code, group, total) for (code, group), total in by_service.items()],
        by_day=[(day, group, total) for (day, group), total in by_day.items()],
    )
    return counts, {group: len(codes) for group, codes in services.items()}
