"""The read path's hub: access -> selection -> queries -> stats, for every output.

The page, data.json, charts.json, the aggregated CSV and the printable report
all call `dashboard_data`, and the quote list `quotes_data`, so every output
shows the same (suppressed) numbers.
"""

from __future__ import annotations

import math
from dataclasses import replace

from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from surveys.codes import ABOUT_GROUPS, GROUPS, slice_codes
from surveys.models import Wave
from surveys.quotes import attribution, quote_label
from surveys.report_2014 import report_2014, report_2014_sizes
from surveys.selectors import every_version_loaded, previous_wave

from .access import Access
from .models import Action, ActionStatus, Role
from .queries import period_counts, released_through, selection_counts, selection_service_codes, service_counts, wave_denominators
from .queries.quotes import (
    approved_quotes,
    group_sizes,
    patient_quotes,
    report_quotes,
    theme_counts,
    with_author_answers,
    with_themes,
    with_wording,
)
from .release import disclosure, release_counts
from .selection import Selection
from .stats import (
    Counts,
    QuestionMeta,
    comparative_questions,
    figures_2014,
    figures_from_counts,
    funnel_limits,
    funnel_position,
    response_rate,
    suppressed,
    trend_cell,
    with_comparison,
)


def all_definitions(language: str | None = "en") -> dict[str, list]:
    """Every version of each questionnaire, newest first: answers to all of them count.

    In English unless asked (None: the active language): data.json and the exports
    are a language-neutral contract, and the report quotes the questionnaires as written.
    """
    definitions = {}
    for group in GROUPS:
        versions = [loaded.definition for loaded in every_version_loaded(group, language)]
        if versions:
            definitions[group] = versions
    return definitions


def questions() -> list[QuestionMeta]:
    return comparative_questions(all_definitions())


def page_wording() -> dict[str, tuple[str, dict[str, str]]]:
    """Each question's title and its options' labels, by code, in the active language:
    what a page shows in place of the English that data.json and the exports keep."""
    return {meta.code: (meta.title, dict(meta.options)) for meta in comparative_questions(all_definitions(None))}


def _catalogued(text: str) -> str:
    """`text` in the active language where the catalogue has it (never gettext(""): that is the catalogue's header)."""
    return gettext(text) if text else text


def worded(figures: dict, wording: dict[str, tuple[str, dict[str, str]]]) -> dict:
    """A copy of `dashboard_data`'s figures with the questions' titles and option labels
    from `wording` (page_wording), for a page; the numbers and codes stay as they are.

    >>> figures = {"min_cell": 5, "questions": [{"code": "useful", "title": "Useful?",
    ...     "options": [{"code": "yes", "label": "Yes", "patient": None}]}]}
    >>> shown = worded(figures, {"useful": ("Defnyddiol?", {"yes": "Ydy"})})
    >>> shown["questions"][0]["title"], shown["questions"][0]["options"][0]["label"], figures["questions"][0]["title"]
    ('Defnyddiol?', 'Ydy', 'Useful?')
    """
    questions = []
    for question in figures["questions"]:
        title, labels = wording.get(question["code"], (question["title"], {}))
        options = [{**option, "label": labels.get(option["code"], option["label"])} for option in question["options"]]
        questions.append({**question, "title": title, "options": options})
    return {**figures, "questions": questions}


def worded_choices(choices, wording: dict[str, tuple[str, dict[str, str]]]) -> list[tuple[str, str]]:
    """(code, title) question choices with the titles from `wording`; the codes stay."""
    return [(code, wording.get(code, (title, {}))[0]) for code, title in choices]


def worded_options(question: QuestionMeta, wording: dict[str, tuple[str, dict[str, str]]]) -> list[tuple[str, str]]:
    """A question's (code, label) options with the labels from `wording`."""
    labels = wording.get(question.code, ("", {}))[1]
    return [(code, labels.get(code, label)) for code, label in question.options]


def worded_answer(header: dict, wording: dict[str, tuple[str, dict[str, str]]]) -> dict:
    """A copy of trends.json or services.json with the question's title and the answer's
    label from `wording` (page_wording); a split's points named in it too."""
    title, labels = wording.get(header["question"], (header["title"], {}))
    shown = {**header, "title": title, "label": labels.get(header["option"], header["label"])}
    if header.get("split"):
        # An answer is named as the questionnaire names it; a group of answers
        # (surveys.codes.ABOUT_GROUPS) by the catalogue.
        split_labels = wording.get(header["by"], ("", {}))[1]
        shown["series"] = [
            {**point, "label": split_labels.get(point["period"]) or _catalogued(point["label"])} for point in header["series"]
        ]
    return shown


def about_options() -> dict[str, list]:
    """Choices for the about-you filters, from the questionnaires themselves (in the
    active language), and the grouped answers (surveys.codes.ABOUT_GROUPS) after them."""
    options: dict[str, list] = {}
    for question in comparative_questions(all_definitions(None)):
        if question.section == "about_you":
            options[question.code] = list(question.options)
            groups = ABOUT_GROUPS.get(question.code, {})
            if groups:
                options[question.code] = [
                    (gettext("Answers"), list(question.options)),
                    (gettext("Grouped"), [(name, _catalogued(label)) for name, (label, _codes, _but) in groups.items()]),
                ]
    return options


def dashboard_data(selection: Selection, access: Access) -> dict:
    """Every figure of a selection, released: the only way figures reach a page,
    data.json, charts.json, the report or the aggregate CSV. With a comparison,
    the figures it is compared with are the same function's output for the
    comparison selection (or the 2014 report's), so a comparison shows nothing
    the user could not open on its own."""
    data = _released(selection, access)
    if selection.compare == "2014":
        with_comparison(data, figures_2014(report_2014(), report_2014_sizes()), subset=False)
        data["compare"] = {"with": "2014", "label": "The 2014 report", "groups": figures_2014({}, report_2014_sizes())["groups"]}
    elif selection.compare:
        compared = selection.compared()
        other = _released(compared, access)
        # A part beside a whole that contains it (a service beside the nation) is
        # tested against the rest; another wave is another set of people.
        subset = selection.compare == "national" and not selection.national
        with_comparison(data, other, subset=subset)
        label = "The national picture" if selection.compare == "national" else f"Wave {compared.wave}"
        data["compare"] = {
            "with": selection.compare,
            "label": label,
            "groups": {group: {key: other["groups"][group][key] for key in ("n", "suppressed", "rate")} for group in GROUPS},
            "disclosure": other["disclosure"],
        }
    return data


def _released(selection: Selection, access: Access) -> dict:
    min_cell, perturb = settings.PEERSURVEY_MIN_CELL, settings.PEERSURVEY_PERTURB
    counts, services = selection_counts(selection, access)
    about = selection.slice
    metas = questions()
    partitions = {meta.code: tuple(code for code, _ in meta.options) for meta in metas if meta.section == "about_you"}
    released = release_counts(counts, min_cell=min_cell, about=about, partitions=partitions, perturb=perturb)
    data = figures_from_counts(released, metas, min_cell=min_cell, report_2014=report_2014(), selection=selection.as_dict())
    denominators = wave_denominators(selection) if selection.wave else None
    for group in GROUPS:
        hidden = suppressed(released.n.get(group, 0), min_cell)
        # Within a slice, not even how many services: a count of services with one such
        # person each would say where they are.
        data["groups"][group]["services"] = None if hidden or about else len(services.get(group, ()))
        data["groups"][group]["rate"] = (
            None
            if hidden or about or denominators is None
            else _rate(data["groups"][group]["n"], services.get(group, set()), denominators, group)
        )
    if denominators is not None and not about:
        for row in data["by_service"]:
            own = denominators.get(row["service"], {})
            row["rate"] = {group: response_rate(row[group], own.get(group)) for group in GROUPS}
    data["disclosure"] = disclosure(min_cell=min_cell, perturb=perturb, released_through=released_through(selection))
    return data


TREND_PERIODS = ("month", "quarter", "wave")

# The answers "At a glance" follows: "Yes" to the one-choice questions about
# peer support itself.
HEADLINES = (
    ("useful", "yes", _("Peer support can be useful")),
    ("user_led", "yes", _("User-led peer support happens here")),
    ("restrictions", "yes", _("Restrictions on support between patients")),
    ("more_user_led", "yes", _("User-led peer support could happen more")),
)


def glance_data(selection: Selection, access: Access, wording: dict | None = None) -> dict | None:
    """The headline answers of the selection beside the nation, the previous
    wave and 2014: each column is dashboard_data with that comparison, so it
    holds only released figures the user may open on their own. Questions and
    answers are named from `wording` (page_wording) where given."""
    comparisons = []
    if not selection.national:
        comparisons.append(("national", None, gettext("Beside the nation")))
    if selection.wave:
        previous = previous_wave(Wave.objects.get(pk=selection.wave_id))
        if previous is not None:
            comparisons.append((f"wave:{previous.code}", previous.pk, gettext("Since %(wave)s") % {"wave": previous.name}))
    comparisons.append(("2014", None, gettext("Since 2014")))
    columns = []
    base = None
    for compare, wave_id, label in comparisons:
        data = dashboard_data(replace(selection, compare=compare, compare_wave_id=wave_id), access)
        base = data
        columns.append((label, {(q["code"], o["code"]): o for q in data["questions"] for o in q["options"]}))
    titles = {q["code"]: q["title"] for q in base["questions"]}
    rows = []
    for question, option, short in HEADLINES:
        if question not in titles:
            continue
        first = columns[0][1].get((question, option))
        if first is None:
            continue
        title, labels = (wording or {}).get(question, (titles[question], {}))
        rows.append(
            {
                "title": title,
                "short": short,
                "label": labels.get(option, first["label"]),
                "groups": {
                    group: {
                        "cell": first[group],
                        "changes": [(col.get((question, option)) or {}).get("change", {}).get(group) for _, col in columns],
                    }
                    for group in GROUPS
                },
            }
        )
    return {"columns": [label for label, _ in columns], "rows": rows, "min_cell": base["min_cell"]}


def _option_row(data: dict, question: str, option: str) -> dict:
    """One option's row of a data.json-shaped dict ({} when the question is not there)."""
    return next((row for q in data["questions"] if q["code"] == question for row in q["options"] if row["code"] == option), {})


def _answer_cells(counts: Counts, question: QuestionMeta, option: str) -> dict:
    """One unit's counts (a period, a service) released for one answer: {group: trend cell}."""
    min_cell, perturb = settings.PEERSURVEY_MIN_CELL, settings.PEERSURVEY_PERTURB
    partitions = {question.code: tuple(code for code, _ in question.options)} if question.section == "about_you" else {}
    released = release_counts(counts, min_cell=min_cell, about=None, partitions=partitions, perturb=perturb)
    figures = figures_from_counts(released, [question], min_cell=min_cell)
    row = _option_row(figures, question.code, option)
    return {group: trend_cell(row[group], figures["groups"][group]) for group in GROUPS}


def _answer_header(selection: Selection, question: QuestionMeta, option: str) -> dict:
    """What trends.json and services.json say first: the answer they follow, and the selection."""
    return {
        "question": question.code,
        "option": option,
        "title": question.title,
        "label": dict(question.options)[option],
        "min_cell": settings.PEERSURVEY_MIN_CELL,
        "selection": selection.as_dict(),
    }


def _disclosure(selection: Selection) -> dict:
    return disclosure(
        min_cell=settings.PEERSURVEY_MIN_CELL,
        perturb=settings.PEERSURVEY_PERTURB,
        released_through=released_through(selection),
    )


def trends_data(selection: Selection, *, question: QuestionMeta, option: str, by: str) -> dict:
    """trends.json: one option of one question per period, each period's figures
    released as any selection's are (whole batches, perturbed, suppressed)."""
    per_period, waves = period_counts(selection, question.code, by)
    order = [code for code in waves.values() if code in per_period] if by == "wave" else sorted(per_period)
    series = [{"period": period, **_answer_cells(per_period[period], question, option)} for period in order]
    return {**_answer_header(selection, question, option), "by": by, "series": series, "disclosure": _disclosure(selection)}


# In English in trends.json (a contract); the pages translate them where they show them.
SPLIT_TITLES = {
    "time_in_secure": gettext_noop("Time in secure services"),
    "time_in_service": gettext_noop("Time in this service"),
    "ethnicity": gettext_noop("Ethnicity"),
    "gender": gettext_noop("Gender"),
    "age_band": gettext_noop("Age"),
}


def split_data(selection: Selection, access: Access, *, question: QuestionMeta, option: str, by: str) -> dict:
    """trends.json split by an about-you question instead of time: one point per
    answer of it (or per group of answers, where it has groups: under and over
    five years, white British or not). Each point is exactly what data.json
    shows with that about-you filter, so a split releases nothing a filter does
    not: slices are for all dates and waves, and counted only where safe."""
    about = next(meta for meta in questions() if meta.code == by)
    groups = ABOUT_GROUPS.get(by, {})
    options = tuple(code for code, _ in about.options)
    parts = [(name, label, slice_codes(by, name, options)) for name, (label, _, _) in groups.items()] or [
        (code, label, (code,)) for code, label in about.options if code != "prefer_not"
    ]
    series = []
    for value, label, codes in parts:
        sliced = replace(selection, about={by: value}, slice_codes=codes, compare="", compare_wave_id=None)
        data = _released(sliced, access)
        row = _option_row(data, question.code, option)
        series.append(
            {
                "period": value,
                "label": label,
                # A group never asked the question it is split by (staff, for time in secure services) is not in it.
                **{group: trend_cell(row[group], data["groups"][group]) if about.asked.get(group) else None for group in GROUPS},
            }
        )
    return {
        **_answer_header(selection, question, option),
        "by": by,
        "split": SPLIT_TITLES[by],
        "series": series,
        "disclosure": _disclosure(selection),
    }


def services_data(selection: Selection, access: Access, *, question: QuestionMeta, option: str) -> dict:
    """Every service of the selection against the national figure (same dates
    and wave) for one answer: each service's figures are what data.json shows
    for that service alone, the national one what it shows nationally."""
    national = _released(replace(selection, services=(), security="", specialism="", compare=""), access)
    national_row = _option_row(national, question.code, option)
    national_cells = {group: trend_cell(national_row.get(group), national["groups"][group]) for group in GROUPS}
    per_service = service_counts(selection, question.code)
    names = dict(access.services)
    too_few = {"n": None, "count": None, "pct": None, "ci": None}
    rows = []
    for code in selection_service_codes(selection):
        if not access.may_see_service(code):
            continue
        if code in per_service:
            cells = _answer_cells(per_service[code], question, option)
        else:  # no released answers: too few, where the group is asked at all
            cells = {group: dict(too_few) if option in question.asked.get(group, ()) else None for group in GROUPS}
        for group, cell in cells.items():
            mine, nation = cell, national_cells[group]
            if mine is not None:
                placed = mine["pct"] is not None and nation and nation["pct"] is not None
                mine["z"], mine["outside"] = funnel_position(mine["count"], mine["n"], nation["pct"]) if placed else (None, None)
        rows.append({"service": code, "name": names.get(code, code), **cells})
    return {
        **_answer_header(selection, question, option),
        "national": national_cells,
        "services": rows,
        "limits": {
            group: funnel_limits(
                national_cells[group]["pct"],
                max((row[group]["n"] or 0 for row in rows if row[group]), default=0),
                settings.PEERSURVEY_MIN_CELL,
            )
            if national_cells[group] and national_cells[group]["pct"] is not None
            else []
            for group in GROUPS
        },
        "disclosure": national["disclosure"],
    }


def _rate(n: int | None, answered_in: set[str], denominators: dict[str, dict[str, int | None]], group: str) -> float | None:
    """A group's response rate over the selection's services, only where every
    service it heard from has a denominator (else the rate would be inflated)."""
    known = {code: sizes.get(group) for code, sizes in denominators.items() if sizes.get(group) is not None}
    if not known or not answered_in <= known.keys():
        return None
    return response_rate(n, sum(known.values()))


def quotes_data(access: Access, *, service: str = "", question: str = ""):
    """Approved quotes the user may see, and the groups left out: a group with
    fewer than `min_cell` respondents among the services shown shows none."""
    sizes = group_sizes(access, service=service)
    shown = [group for group, n in sizes.items() if not suppressed(n, settings.PEERSURVEY_MIN_CELL)]
    hidden = [group for group in sizes if group not in shown]
    quotes = approved_quotes(access, groups=shown, service=service, question=question, min_cell=settings.PEERSURVEY_MIN_CELL)
    return quotes, hidden


def suggest_attributions(answers, *, job_titles: dict[tuple[str, str], int], min_cell: int) -> None:
    """Give each text awaiting review the attribution a reviewer starts from:
    a job title only where at least `min_cell` released staff of the service share it."""
    for answer in answers:
        title = (answer.job_title or "").strip()
        common = job_titles.get((answer.service_code, title.lower()), 0) >= min_cell
        answer.suggested = attribution(
            group=answer.group,
            service_code=answer.service_code,
            label=quote_label(answer.response_id, answer.question_code),
            job_title=title if title and common else None,
        )


# --- The ward's results page (GET /c/<token>/results/): what patients see -----------
#
# Less than the service's own lead sees, never more: a few headline answers of the
# service's patients as "N in 10", from `dashboard_data` for that service alone as its
# service lead would ask for it; no counts, no group sizes, no staff figures, no other
# service. Quotes are those a reviewer chose for patients; actions are the service's own.

# Easy-read words and a picture for each of HEADLINES' questions. The words end both
# "patients here said ..." and "We asked if ...": a translation must fit both.
WARD_HEADLINES = {
    # Translators: ends "N in 10 patients here said ..." and "We asked if ..." on the ward's results page.
    "useful": (_("peer support can be useful"), "icons/shared_experience.svg"),
    # Translators: ends "N in 10 patients here said ..." and "We asked if ..." on the ward's results page.
    "user_led": (_("patients decide for themselves how they help each other"), "icons/influence.svg"),
    "restrictions": (
        # Translators: ends "N in 10 patients here said ..." and "We asked if ..." on the ward's results page.
        _("there are rules about what patients can talk about, or how they help each other"),
        "icons/conversation_restrictions.svg",
    ),
    # Translators: ends "N in 10 patients here said ..." and "We asked if ..." on the ward's results page.
    "more_user_led": (_("patients could be more in charge of helping each other"), "icons/more_schemes.svg"),
}
# A picture for each action's status (its words are ActionStatus's labels), done first.
WARD_STATUS_ICONS = {
    ActionStatus.DONE: "icons/yes.svg",
    ActionStatus.DOING: "icons/sometimes.svg",
    ActionStatus.PLANNED: "icons/ui/arrow-right.svg",
}
WARD_QUOTES = 6


def in_ten(pct: float | None) -> int | None:
    """How many in ten, from a released percentage: to the nearest tenth, halves up.

    >>> in_ten(68.3), in_ten(65.0), in_ten(64.9), in_ten(4.9), in_ten(100.0), in_ten(None)
    (7, 7, 6, 0, 10, None)
    """
    if pct is None:
        return None
    return min(10, max(0, math.floor(pct / 10 + 0.5)))


def in_ten_words(pct: float | None) -> str | None:
    """A percentage as easy-read words: "N in 10", never a count.

    A few, or nearly everyone, is not rounded to none or to all.

    >>> in_ten_words(68.3), in_ten_words(0.0), in_ten_words(3.0), in_ten_words(97.5), in_ten_words(100.0)
    ('7 in 10', '0 in 10', 'Fewer than 1 in 10', 'Nearly 10 in 10', '10 in 10')
    >>> in_ten_words(None) is None
    True
    """
    tenths = in_ten(pct)
    if tenths is None:
        return None
    if tenths == 0 and pct > 0:
        return gettext("Fewer than 1 in 10")
    if tenths == 10 and pct < 100:
        return gettext("Nearly 10 in 10")
    return gettext("%(tenths)s in 10") % {"tenths": tenths}


def pictogram(tenths: int | None) -> list[bool]:
    """Ten people, the first `tenths` of them filled in.

    >>> pictogram(3)
    [True, True, True, False, False, False, False, False, False, False]
    >>> pictogram(None) == [False] * 10
    True
    """
    filled = max(0, min(10, tenths or 0))
    return [True] * filled + [False] * (10 - filled)


def ward_figure(pct: float | None, words: str, icon: str) -> dict:
    """One headline for patients: a sentence with "N in 10" and ten people, or, where the
    figure is not released, nothing but that it is not (`shown` false).

    >>> figure = ward_figure(68.3, "peer support can be useful", "icons/yes.svg")
    >>> figure["in_ten"], figure["sentence"], sum(figure["people"])
    ('7 in 10', 'patients here said peer support can be useful.', 7)
    >>> ward_figure(None, "peer support can be useful", "icons/yes.svg")["shown"]
    False
    """
    shown = pct is not None
    return {
        "shown": shown,
        "in_ten": in_ten_words(pct) if shown else None,
        "sentence": gettext("patients here said %(words)s.") % {"words": words},
        "about": words,
        "icon": icon,
        "people": pictogram(in_ten(pct)) if shown else [],
    }


def ward_access(service) -> Access:
    """What the service's own lead may see: the most the ward's page may draw on."""
    return Access(
        username=f"ward results {service.code}",
        role=Role.SERVICE_LEAD,
        every_service=False,
        own_codes=frozenset({service.code}),
        can_review_quotes=False,
        services=((service.code, service.name),),
    )


def _ward_wave(link) -> Wave | None:
    """The wave the ward's page is about: the link's, once its patients' figures are
    released; else the latest wave whose are; else None (all dates)."""
    first = next((meta for meta in questions() if meta.code == HEADLINES[0][0]), None)
    if first is None:
        return link.wave
    per_wave = trends_data(Selection(services=(link.service.code,)), question=first, option=HEADLINES[0][1], by="wave")
    released = [point["period"] for point in per_wave["series"] if (point.get("patient") or {}).get("n") is not None]
    if link.wave is not None and link.wave.code in released:
        return link.wave
    if released:
        return Wave.objects.get(code=released[-1])
    return None


def _ward_actions(service, wave: Wave | None) -> tuple[Wave | None, list[dict]]:
    """The service's actions for the wave (with none: the latest wave that has some), done first."""
    actions = Action.objects.filter(service=service).select_related("wave")
    if wave is None:
        latest = actions.order_by("-wave__opens", "-wave__pk").first()
        wave = latest.wave if latest else None
    order = list(WARD_STATUS_ICONS)
    rows = sorted(actions.filter(wave=wave) if wave else [], key=lambda action: (order.index(action.status), action.pk))
    return wave, [
        {
            "you_said": action.you_said,
            "we_did": action.we_did,
            "status": action.status,
            "status_words": ActionStatus(action.status).label,
            "icon": WARD_STATUS_ICONS[action.status],
        }
        for action in rows
    ]


def ward_results_data(link) -> dict:
    """Everything the ward's results page shows for a collection link, and nothing else:
    the service's name, its patients' headline answers as "N in 10" (or that too few have
    answered), quotes chosen for patients, and the service's actions."""
    service = link.service
    wave = _ward_wave(link)
    selection = Selection(services=(service.code,), wave=wave.code if wave else "", wave_id=wave.pk if wave else None)
    data = dashboard_data(selection, ward_access(service))
    shown = not data["groups"]["patient"]["suppressed"]
    figures = []
    answered = {q["code"]: (q.get("answered") or {}).get("patient") for q in data["questions"]}
    for question, option, _short in HEADLINES if shown else ():
        cell = _option_row(data, question, option).get("patient")
        if cell is None or question not in WARD_HEADLINES:  # not asked of patients
            continue
        if answered.get(question) == 0:  # nobody has answered it: "0 in 10" would mislead
            continue
        words, icon = WARD_HEADLINES[question]
        figures.append(ward_figure(cell["pct"], words, icon))
    actions_wave, actions = _ward_actions(service, wave or link.wave)
    return {
        "service": {"code": service.code, "name": service.name},
        "wave": {"code": wave.code, "name": wave.name} if wave else None,
        "shown": shown,
        "figures": figures,
        "quotes": patient_quotes_data(service.code, wave.pk if wave else None, limit=WARD_QUOTES),
        "actions_wave": {"code": actions_wave.code, "name": actions_wave.name} if actions_wave else None,
        "actions": actions,
        "min_cell": settings.PEERSURVEY_MIN_CELL,
    }


# --- Quotes for the list page, the report and the ward --------------------------------


def quote_list_data(access: Access, *, service: str = "", question: str = "", theme: int | None = None) -> dict:
    """The quote list: the approved quotes the user may see (with one theme, where
    asked), the groups left out, and per theme how many of the quotes shown
    without a theme filter carry it, per group."""
    quotes, hidden = quotes_data(access, service=service, question=question)
    return {
        "quotes": quotes if theme is None else quotes.filter(review__themes__id=theme),
        "hidden": hidden,
        "themes": theme_counts(quotes),
    }


def explain_quotes(quotes) -> None:
    """Give each quote of a page its question in words (`wording`), its writer's
    answer to the question it explains where enough gave it (`author`), and its
    themes: a few queries for the page, whatever its length."""
    with_wording(quotes)
    with_author_answers(quotes, min_cell=settings.PEERSURVEY_MIN_CELL)
    with_themes(quotes)


def report_quotes_data(access: Access, selection_service_codes: list[str] | None, wave_id: int | None) -> dict[str, list[dict]]:
    """The quotes chosen for the report, under the code of the question each
    explains: {"text", "credit", "group", "question", "wording", "answer" (or
    None), "answer_withheld"} each (dashboard.queries.quotes.report_quotes)."""
    return report_quotes(access, selection_service_codes, wave_id, min_cell=settings.PEERSURVEY_MIN_CELL)


def patient_quotes_data(service_code: str, wave_id: int | None, limit: int = 6) -> list[dict]:
    """The quotes chosen for patients from one service, for the ward's results page:
    {"text", "credit" ("A patient" or "A member of staff"), "group"} each, no numbers."""
    return patient_quotes(service_code, wave_id, limit, min_cell=settings.PEERSURVEY_MIN_CELL)
