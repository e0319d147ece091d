"""Every count the dashboard shows, from the tallies: one statement per selection.

The tallies hold released answers only (surveys/releases.py), by service and
month of release; a pooled remainder counts in the national figures for all
time only. The cost depends on services x months x options, never on how many
responses there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from django.db.models import Case, DateField, F, IntegerField, Q, QuerySet, Subquery, Sum, Value, When

from surveys.codes import Kind
from surveys.models import Denominator, Option, Period, Service, Tally, TallyKind, Wave
from surveys.selectors import catalogue
from surveys.tallies import EVERYONE, next_month

from ..access import Access
from ..selection import Selection
from ..stats import Counts

# The unit of the national pool's rows beside the services' codes.
POOL = "~pool"


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


def month_filter(selection: Selection, field: str = "start") -> Q:
    """Whole months of release: the selection's dates are whole months already."""
    condition = Q()
    if selection.date_from:
        condition &= Q(**{f"{field}__gte": selection.date_from})
    if selection.date_to:
        condition &= Q(**{f"{field}__lt": next_month(selection.date_to)})
    return condition


def periods(selection: Selection) -> list[str]:
    """Pooled remainders count only nationally, for all time: never in a window,
    a service, a security level or a specialism (docs/disclosure.md)."""
    if selection.all_time_national:
        return [Period.MONTH, Period.POOLED]
    return [Period.MONTH]


def wave_filter(selection: Selection, field: str = "wave") -> Q:
    """One wave's answers (tallies hold its id, releases and responses a foreign key)."""
    return Q(**{field: selection.wave_id}) if selection.wave else Q()


def wave_denominators(selection: Selection) -> dict[str, dict[str, int | None]]:
    """The wave's denominators of the selection's services: {service: {group: people}}."""
    rows = Denominator.objects.filter(service_filter(selection), wave_id=selection.wave_id)
    return {
        code: {"patient": patients, "staff": staff}
        for code, patients, staff in rows.order_by().values_list("service__code", "patients", "staff")
    }


def selected_tallies(selection: Selection) -> QuerySet[Tally]:
    return Tally.objects.filter(
        service_filter(selection), month_filter(selection), wave_filter(selection), period__in=periods(selection)
    )


def selection_counts(selection: Selection, access: Access) -> tuple[Counts, dict[str, set[str]]]:
    """One statement: totals and key sums per tallied thing, responses per service
    and month, and (with an about-you filter) the size of every slice of its question."""
    tallies = selected_tallies(selection)
    about = selection.slice
    if about is None:
        mine = tallies.filter(among=EVERYONE)
    else:
        question, codes = about
        chosen = Option.objects.filter(question__code=question, code__in=codes).values("pk")
        mine = tallies.filter(among__in=Subquery(chosen))
    not_a_size = Value(-1, output_field=IntegerField())
    blank_day = Value(None, output_field=DateField())
    no_period = Value("")
    # With an about-you filter every figure is kept per unit (a service, or the
    # national pool): the release layer counts a unit's slice only where that
    # unit's own complement is safe, since service sets can single a unit out.
    unit = Value("") if about is None else Case(When(period=Period.POOLED, then=Value(POOL)), default=F("service__code"))
    totals = mine.values("kind", "ref").annotate(
        code=Value(""), day=blank_day, slice=not_a_size, per=no_period, unit=unit, total=Sum("n"), keys=Sum("k")
    )
    by_service_and_month = (
        mine.filter(kind=TallyKind.RESPONSES)
        .values("kind", "ref")
        .annotate(
            code=F("service__code"),
            day=F("start"),
            slice=not_a_size,
            per=F("period"),
            unit=Value(""),
            total=Sum("n"),
            keys=Value(0),
        )
    )
    query = totals.union(by_service_and_month, all=True)
    if about is not None:
        # Every slice of the question, and everyone: the release layer hides a
        # slice whose complement could be recovered by subtraction.
        options = Option.objects.filter(question__code=about[0]).values("pk")
        # Two lookups in the index, not one OR that scans the table.
        sizes = [
            tallies.filter(among_filter, kind=TallyKind.RESPONSES)
            .values("kind", "ref")
            .annotate(code=Value(""), day=blank_day, slice=F("among"), per=no_period, unit=unit, total=Sum("n"), keys=Value(0))
            for among_filter in (Q(among=EVERYONE), Q(among__in=Subquery(options)))
        ]
        query = query.union(*sizes, all=True)
    rows = list(query)
    names = catalogue()
    if not names.knows(*_ids(rows)):  # a questionnaire version loaded since this process began
        names = catalogue(refresh=True)
    return _counts_from_tallies(rows, names, access, per_unit=about is not None)


def _question_rows(selection: Selection, question: str, *fields: str) -> tuple[list[dict], object]:
    """One question's tally sums (and every group's size) by `fields`, among
    everyone, months of release only: one statement however many responses."""
    names = catalogue()
    question_ids = [pk for pk, (_, code, _) in names.questions.items() if code == question]
    option_ids = [pk for pk, (_, code, _) in names.options.items() if code == question]
    rows = list(
        selected_tallies(selection)
        .filter(
            Q(kind=TallyKind.RESPONSES)
            | Q(kind=TallyKind.ANSWERED, ref__in=question_ids)
            | Q(kind=TallyKind.CHOSE, ref__in=option_ids),
            among=EVERYONE,
            period=Period.MONTH,
        )
        .values(*fields, "kind", "ref")
        .annotate(total=Sum("n"), keys=Sum("k"))
    )
    if not names.knows(*_ids(rows)):
        names = catalogue(refresh=True)
    return rows, names


def _grouped(rows: list[dict], names, key) -> dict[str, Counts]:
    """Counts per group of rows, `key(row)` naming the group (None: left out)."""
    grouped: dict[str, _Tally] = {}
    for row in rows:
        name = key(row)
        if name is None:
            continue
        grouped.setdefault(name, _Tally()).take(row, names)
    return {name: tally.counts(names) for name, tally in grouped.items()}


def period_counts(selection: Selection, question: str, by: str) -> tuple[dict[str, Counts], dict[int, str]]:
    """A question's counts per period of release: "2027-03" (month), "2027-Q1"
    (quarter) or a wave's code. Months of release only (pooled remainders have
    no month a service may show): a period is whole release batches, as every
    window is. Returns the counts by period, and the waves' codes by id, oldest first.
    """
    rows, names = _question_rows(selection, question, "start", "wave")
    waves = dict(Wave.objects.order_by("opens", "code").values_list("pk", "code")) if by == "wave" else {}

    def period(row: dict) -> str | None:
        if by == "wave":
            return waves.get(row["wave"])  # None: answers given outside any wave
        if by == "quarter":
            return f"{row['start'].year}-Q{(row['start'].month - 1) // 3 + 1}"
        return row["start"].strftime("%Y-%m")

    return _grouped(rows, names, period), waves


def own_service_filter(selection: Selection) -> Q:
    """The selection's services, as a condition on the Service table itself."""
    condition = Q()
    if selection.services:
        condition &= Q(code__in=selection.services)
    if selection.security:
        condition &= Q(security=selection.security)
    if selection.specialism:
        condition &= Q(specialisms__specialism=selection.specialism)
    return condition


def selection_service_codes(selection: Selection) -> list[str]:
    """The codes of the selection's services (by code, security level and specialism)."""
    services = Service.objects.filter(own_service_filter(selection))
    return list(services.order_by("code").values_list("code", flat=True).distinct())


def service_counts(selection: Selection, question: str) -> dict[str, Counts]:
    """A question's counts per service of the selection: the same tallies as
    data.json for that service alone, so the same released figures."""
    rows, names = _question_rows(selection, question, "service__code")
    return _grouped(rows, names, lambda row: row["service__code"])


def _ids(rows: list[dict]) -> tuple[set[int], set[int], set[int]]:
    ids: dict[str, set[int]] = {kind: set() for kind in TallyKind.values}
    for row in rows:
        ids[row["kind"]].add(row["ref"])
    return ids[TallyKind.RESPONSES], ids[TallyKind.ANSWERED], ids[TallyKind.CHOSE]


def _counts_from_tallies(rows: list[dict], names, access: Access, *, per_unit: bool) -> tuple[Counts, dict[str, set[str]]]:
    units: dict[str, _Tally] = {}
    by_service: Counter[tuple[str, str]] = Counter()
    by_month: Counter[tuple[date, str]] = Counter()
    services: dict[str, set[str]] = {}
    for row in rows:
        ref, total = row["ref"], row["total"]
        if row["code"]:  # responses per service and month (a pooled remainder: no month, no service shown)
            group = names.groups[ref]
            if row["per"] == Period.POOLED:
                # Nor a count of services: one that appears only in the pool would be
                # named as having had 1 to min_cell - 1 people answer.
                continue
            services.setdefault(group, set()).add(row["code"])
            by_month[(row["day"], group)] += total
            if access.every_service or row["code"] in access.own_codes:
                by_service[(row["code"], group)] += total
            continue
        tally = units.setdefault(row["unit"], _Tally())
        if row["slice"] >= 0:  # the size of one slice (0: everyone) of the filtered question
            code = "" if row["slice"] == EVERYONE else names.options[row["slice"]][2]
            tally.slices.setdefault(names.groups[ref], Counter())[code] += total
            tally.version_slices.setdefault((names.groups[ref], ref), Counter())[code] += total
        else:
            tally.take(row, names)
    parts = {unit: tally.counts(names) for unit, tally in units.items()}
    whole = _Tally()
    for tally in units.values():
        whole.add(tally)
    counts = replace(
        whole.counts(names),
        by_service=[(code, group, total) for (code, group), total in by_service.items()],
        by_day=[(day, group, total) for (day, group), total in by_month.items()],
        units=parts if per_unit else {},
    )
    return counts, services


class _Tally:
    """Sums of one unit's rows (or of all of them)."""

    def __init__(self):
        self.n: Counter[str] = Counter()
        self.options: Counter[tuple[str, str, str]] = Counter()
        self.option_keys: Counter[tuple[str, str, str]] = Counter()
        self.answered: Counter[tuple[str, str]] = Counter()
        self.answered_keys: Counter[tuple[str, str]] = Counter()
        self.slices: dict[str, Counter[str]] = {}
        self.versions: Counter[int] = Counter()  # respondents per questionnaire version
        self.version_slices: dict[tuple[str, int], Counter[str]] = {}  # the slices again, per version

    def take(self, row: dict, names) -> None:
        """Add one summed tally row: a group's respondents, a question answered, or an option chosen."""
        kind, ref, total, keys = row["kind"], row["ref"], row["total"], row["keys"] or 0
        if kind == TallyKind.RESPONSES:
            self.n[names.groups[ref]] += total
            self.versions[ref] += total
        elif kind == TallyKind.ANSWERED:
            group, question, _ = names.questions[ref]
            self.answered[(group, question)] += total
            self.answered_keys[(group, question)] += keys
        else:
            self.options[names.options[ref]] += total
            self.option_keys[names.options[ref]] += keys

    def add(self, other: _Tally) -> None:
        for mine, theirs in (
            (self.n, other.n),
            (self.options, other.options),
            (self.option_keys, other.option_keys),
            (self.answered, other.answered),
            (self.answered_keys, other.answered_keys),
            (self.versions, other.versions),
        ):
            mine.update(theirs)
        for group, sizes in other.slices.items():
            self.slices.setdefault(group, Counter()).update(sizes)
        for key, sizes in other.version_slices.items():
            self.version_slices.setdefault(key, Counter()).update(sizes)

    def counts(self, names) -> Counts:
        answered, answered_keys = Counter(self.answered), Counter(self.answered_keys)
        # One-choice questions are not tallied as answered: each respondent who
        # answered chose exactly one option, so its options (and their keys) add up to it.
        for (group, question, option), total in self.options.items():
            if names.kinds[(group, question)] == Kind.ONE:
                answered[(group, question)] += total
                answered_keys[(group, question)] += self.option_keys[(group, question, option)]
        return Counts(
            n=dict(self.n),
            options=dict(self.options),
            answered=dict(answered),
            option_keys=dict(self.option_keys),
            answered_keys=dict(answered_keys),
            slices={group: dict(sizes) for group, sizes in self.slices.items()},
            version_slices={key: dict(sizes) for key, sizes in self.version_slices.items()},
            unasked=self._unasked(names),
        )

    def _unasked(self, names) -> dict[tuple[str, str, str], int]:
        """Respondents whose questionnaire version did not ask an option that
        another version of their group asks (a question or option new in v2)."""
        unasked: Counter[tuple[str, str, str]] = Counter()
        for questionnaire_id, size in self.versions.items():
            group = names.groups[questionnaire_id]
            for question, option in names.offered.get(group, frozenset()) - names.asks.get(questionnaire_id, frozenset()):
                unasked[(group, question, option)] += size
        return dict(unasked)
