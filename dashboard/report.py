"""The report: a selection's released figures told in the 2014 report's order.

Introduction, how we asked (written from the data: rounds, dates, channels,
services, counts, response rates, the disclosure policy), its limitations, who
answered, one finding per question (chart, table, the 2014 series and the
change, the quotes chosen for it), then the conclusions and recommendations a
lead has written. The HTML page, the PDF and the PowerPoint deck are all made
from `report_data`, which reads figures only through `dashboard_data`, so the
report releases nothing the dashboard would not. The words are pure functions
of those figures, tested without a database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.utils import timezone

from surveys.codes import GROUPS, Channel
from surveys.models import Wave

from .access import Access
from .data import all_definitions, dashboard_data, report_quotes_data
from .models import ReportText
from .queries import channel_counts, selection_service_codes
from .release import complement_safe
from .report_charts import bar_chart, data_uri, whole
from .selection import Selection

TITLE = "Peer support in secure services"
GROUP_PLURAL = {"patient": "patients", "staff": "staff"}
CHANNEL_WORDS = {Channel.TABLET: "on a ward tablet", Channel.WEB: "through a web link", Channel.PAPER: "on paper"}


def report_data(selection: Selection, access: Access) -> dict:
    """Everything the report shows, for the HTML page, the PDF and the deck."""
    data = dashboard_data(replace(selection, compare="2014", compare_wave_id=None), access)
    min_cell = data["min_cell"]
    waves = _waves(selection)
    # Within an about-you slice, not even how people answered: counted from the
    # rows, the channels would add up to the slice's exact size, which the
    # release rules (docs/disclosure.md, rule 4) keep back.
    channels = {} if selection.about else released_channels(channel_counts(selection), min_cell=min_cell)
    text = report_text_for(selection)
    sections = section_titles()
    quotes = chosen_quotes(selection, access)
    findings = []
    for question in data["questions"]:
        if question["section"] == "about_you":
            continue
        chart = bar_chart(question)
        findings.append(
            {
                "number": len(findings) + 1,
                "code": question["code"],
                "title": question["title"],
                "section": question["section"],
                "section_title": sections.get(question["section"], ""),
                "summary": finding_summary(question, data["groups"], min_cell=min_cell),
                "question": question,
                "chart": chart,
                "chart_src": data_uri(chart["svg"]),
                "quotes": quotes.get(question["code"], []),
            }
        )
    shown_codes = {finding["code"] for finding in findings}
    # Quotes from boxes that explain no chart ("Any final comments?") close the findings.
    other_quotes = [quote for code, chosen in quotes.items() if code not in shown_codes for quote in chosen]
    who = []
    for question in data["questions"]:
        if question["section"] == "about_you":
            shown = shown_answers(question)
            chart = bar_chart(shown, with_2014=False)
            who.append({"question": shown, "chart": chart, "chart_src": data_uri(chart["svg"])})
    facts = {
        "scope": scope_words(selection, waves=waves, services=dict(access.services)),
        "groups": data["groups"],
        "waves": waves,
        "channels": channels,
        "min_cell": min_cell,
        "max_noise": data["disclosure"].get("max_noise"),
        "released_through": data["disclosure"].get("released_through"),
        "about": bool(selection.about),
    }
    return {
        "title": TITLE,
        "scope": facts["scope"],
        "generated": timezone.localdate(),
        "min_cell": min_cell,
        "groups": data["groups"],
        "selection": selection.as_dict(),
        "introduction": introduction_paragraphs(facts),
        "method": method_paragraphs(facts),
        "limitations": limitation_paragraphs(facts),
        "who": {"summary": who_paragraphs(facts), "charts": [item["question"] for item in who], "items": who},
        "findings": findings,
        "other_quotes": other_quotes,
        "conclusions": _paragraphs(text.conclusions) if text else [],
        "recommendations": text.recommendation_list if text else [],
        "text": text,
        "text_target": text_target(selection),
        "disclosure": data["disclosure"],
        "data": data,
    }


def shown_answers(question: dict) -> dict:
    """An about-you question with only the answers shown for some group: the
    ethnicity question has 19, most of them given by too few to show.

    >>> q = {"options": [{"code": "a", "patient": {"pct": 50.0}, "staff": None}, {"code": "b", "patient": None, "staff": None},
    ...                  {"code": "c", "patient": {"count": None, "pct": None}, "staff": None}]}
    >>> [option["code"] for option in shown_answers(q)["options"]], shown_answers(q)["hidden"]
    (['a'], 2)
    """
    options = [
        option for option in question["options"] if any((option.get(group) or {}).get("pct") is not None for group in GROUPS)
    ]
    return {**question, "options": options, "hidden": len(question["options"]) - len(options)}


def chosen_quotes(selection: Selection, access: Access) -> dict[str, list[dict]]:
    """The quotes chosen for the report, by the question they explain: those of
    the selection's services (and wave), released as the quote list shows them.
    None within an about-you slice: a quote under "women" would say its writer
    is a woman, and its credit (CL8) would then say who answered what."""
    if selection.about:
        return {}
    codes = None if selection.national else selection_service_codes(selection)
    if codes == []:
        return {}
    return report_quotes_data(access, codes, selection.wave_id)


# --- what a lead writes ------------------------------------------------------------


def text_target(selection: Selection) -> dict | None:
    """Which conclusions a selection's report carries: the national report's
    (no service chosen) or one service's, for its wave or for every date. A
    report of several services or of a slice has none of its own."""
    if selection.about or selection.security or selection.specialism or len(selection.services) > 1:
        return None
    return {"wave": selection.wave or None, "service": selection.services[0] if selection.services else None}


def report_text_for(selection: Selection) -> ReportText | None:
    target = text_target(selection)
    if target is None:
        return None
    texts = ReportText.objects.filter(wave_id=selection.wave_id)  # None: the text for every date
    if target["service"]:
        return texts.filter(service__code=target["service"]).first()
    return texts.filter(service__isnull=True).first()


def _paragraphs(text: str) -> list[str]:
    """A lead's text split at blank lines.

    >>> _paragraphs("One.\\n\\nTwo,\\nstill two.\\n\\n\\n")
    ['One.', 'Two,\\nstill two.']
    """
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


# --- the facts the method is written from ------------------------------------------


def _waves(selection: Selection) -> list[dict]:
    waves = Wave.objects.order_by("opens")
    if selection.wave_id:
        waves = waves.filter(pk=selection.wave_id)
    return [{"id": wave.pk, "code": wave.code, "name": wave.name, "opens": wave.opens, "closes": wave.closes} for wave in waves]


def released_channels(rows: list[tuple[str, tuple, str, int]], *, min_cell: int) -> dict[str, dict]:
    """How each group answered, as counts safe to print.

    Rows are counted per unit of release (a service's questionnaire version in a
    wave and month: what every window of the figures adds up whole). Another
    report (a wave, a month, a service less or more) adds or takes whole units,
    so a channel is counted only where, in every unit, it is none, or is at least
    `min_cell` and leaves the unit's other channels none or at least `min_cell`
    (rule 4's complement). Where any channel fails that, the group's channels are
    named without counts (None): the total would give away the one left.

    >>> rows = [("patient", ("CL", 1), "tablet", 9), ("patient", ("CL", 1), "paper", 6), ("staff", ("CL", 2), "web", 20)]
    >>> released_channels(rows, min_cell=5)["patient"]
    {'total': 15, 'channels': [('tablet', 9), ('paper', 6)]}
    >>> rows += [("patient", ("CL", 3), "tablet", 4), ("patient", ("CL", 3), "paper", 1)]
    >>> released_channels(rows, min_cell=5)["patient"]
    {'total': 20, 'channels': [('tablet', None), ('paper', None)]}
    >>> released_channels(rows, min_cell=5)["staff"]
    {'total': 20, 'channels': [('web', 20)]}
    """
    result: dict[str, dict] = {}
    for group in GROUPS:
        units: dict[tuple, dict[str, int]] = {}
        for row_group, unit, channel, n in rows:
            if row_group == group and n:
                units.setdefault(unit, {})
                units[unit][channel] = units[unit].get(channel, 0) + n
        if not units:
            continue
        totals: dict[str, int] = {}
        countable = True
        for per_channel in units.values():
            safe = complement_safe(per_channel, sum(per_channel.values()), min_cell)
            countable = countable and set(per_channel) == safe
            for channel, n in per_channel.items():
                totals[channel] = totals.get(channel, 0) + n
        ordered = sorted(totals, key=lambda channel: (-totals[channel], channel))
        result[group] = {
            "total": sum(totals.values()),
            "channels": [(channel, totals[channel] if countable else None) for channel in ordered],
        }
    return result


def section_titles() -> dict[str, str]:
    titles: dict[str, str] = {}
    for versions in all_definitions().values():
        for definition in versions:
            for section in definition.sections:
                titles.setdefault(section.code, section.title)
    return titles


def scope_words(selection: Selection, *, waves: list[dict], services: dict[str, str]) -> str:
    """What the report covers, in words.

    >>> scope_words(Selection(services=("CL",), wave="2026"), waves=[{"name": "2026 round"}], services={"CL": "Chadwick Lodge"})
    'Chadwick Lodge (CL), 2026 round'
    >>> scope_words(Selection(), waves=[{"name": "a"}, {"name": "b"}], services={})
    'Every service, every round'
    """
    parts = []
    if selection.services:
        parts.append(", ".join(f"{services.get(code, code)} ({code})" for code in selection.services))
    elif selection.security or selection.specialism:
        parts.append(
            " ".join(filter(None, [f"{selection.security} secure" if selection.security else "", selection.specialism]))
            + " services"
        )
    else:
        parts.append("Every service")
    if selection.wave:
        parts.append(waves[0]["name"] if waves else selection.wave)
    elif selection.date_from or selection.date_to:
        parts.append(f"{_day(selection.date_from) or 'the start'} to {_day(selection.date_to) or 'today'}")
    else:
        parts.append("every round")
    if selection.about:
        parts.append(
            "people who said "
            + ", ".join(f"{key.replace('_', ' ')}: {value.replace('_', ' ')}" for key, value in selection.about.items())
        )
    return ", ".join(parts)


def _day(day: date | str | None) -> str:
    """A date as the report writes it (data.json gives them as ISO strings).

    >>> _day(date(2026, 11, 3)), _day("2026-11-30"), _day(None)
    ('3 November 2026', '30 November 2026', '')
    """
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day} {day:%B %Y}" if day else ""


# --- the words -----------------------------------------------------------------------


def _group_n(groups: dict, group: str, min_cell: int) -> str:
    info = groups.get(group) or {}
    if info.get("suppressed") or info.get("n") is None:
        return f"fewer than {min_cell} {GROUP_PLURAL[group]}"
    return (
        f"{info['n']} {GROUP_PLURAL[group]}" if group == "staff" else f"{info['n']} {'patient' if info['n'] == 1 else 'patients'}"
    )


def introduction_paragraphs(facts: dict) -> list[str]:
    return [
        "In 2014 a consultation asked 213 patients in 29 secure services and 54 staff in 24 services what they thought "
        "about peer support: the support people who share an experience of secure care give each other. Its report "
        "compared what patients and staff said, question by question.",
        f"This report asks the same questions again and compares the answers with 2014. It covers {facts['scope'][0].lower() + facts['scope'][1:]}. "
        "Patients answered an easy-read questionnaire, most of them on a shared ward tablet; staff answered the staff "
        "questionnaire through a link for their service. Nobody gave their name, and nothing that could identify them "
        "was kept.",
    ]


def method_paragraphs(facts: dict) -> list[str]:
    """How we asked, written from the data.

    >>> facts = {"scope": "Every service, every round", "min_cell": 5, "max_noise": 2, "released_through": date(2026, 11, 30),
    ...     "about": False,
    ...     "waves": [{"id": 1, "name": "2026 round", "opens": date(2026, 10, 1), "closes": date(2026, 11, 30)}],
    ...     "groups": {"patient": {"n": 43, "suppressed": False, "services": 3, "rate": 38.9},
    ...                "staff": {"n": None, "suppressed": True, "services": None, "rate": None}},
    ...     "channels": {"patient": {"total": 43, "channels": [("tablet", None), ("paper", None)], "waves": [1]}}}
    >>> for paragraph in method_paragraphs(facts): print(paragraph)
    Answers were collected in one round: 2026 round, 1 October 2026 to 30 November 2026.
    43 patients from 3 services answered: some on a ward tablet and some on paper. Fewer than 5 staff answered, too few to show.
    38.9% of the patients in those services answered. Response rates are shown where services told us how many patients and staff they had during the round.
    Figures include answers released up to 30 November 2026. ...
    """
    paragraphs = []
    waves = facts["waves"]
    if len(waves) == 1:
        wave = waves[0]
        paragraphs.append(
            f"Answers were collected in one round: {wave['name']}, {_day(wave['opens'])} to {_day(wave['closes'])}."
        )
    elif waves:
        listed = "; ".join(f"{wave['name']}, {_day(wave['opens'])} to {_day(wave['closes'])}" for wave in waves)
        paragraphs.append(f"Answers come from {len(waves)} rounds: {listed}.")
    counts = []
    for group in GROUPS:
        info = facts["groups"].get(group) or {}
        if info.get("suppressed") or info.get("n") is None:
            counts.append(f"Fewer than {facts['min_cell']} {GROUP_PLURAL[group]} answered, too few to show.")
            continue
        services = info.get("services")
        if facts["about"]:
            where = ""  # within a slice, not even how many services (rule 4)
        elif services:
            where = f" from {services} service{'s' if services != 1 else ''}"
        else:
            where = " from services too small to show alone (pooled)"
        how = _channel_words(facts["channels"].get(group))
        counts.append(f"{_group_n(facts['groups'], group, facts['min_cell'])}{where} answered{': ' + how if how else ''}.")
    paragraphs.append(" ".join(counts))
    rates = [
        f"{info['rate']}% of the {GROUP_PLURAL[group]} in those services"
        for group in GROUPS
        if (info := facts["groups"].get(group) or {}).get("rate") is not None
    ]
    if rates:
        paragraphs.append(
            " and ".join(rates).capitalize()
            + " answered. Response rates are shown where services told us how many patients and staff they had during the round."
        )
    elif facts["waves"] and len(facts["waves"]) == 1 and not facts["about"]:
        paragraphs.append(
            "No response rate is given: not every service told us how many patients and staff it had during the round."
        )
    through = facts.get("released_through")
    paragraphs.append(
        (f"Figures include answers released up to {_day(through)}. " if through else "")
        + f"To keep every answer anonymous, answers are released in batches of at least {facts['min_cell']} from one "
        f"service, and a group of fewer than {facts['min_cell']} people is never shown. Answers from services with too "
        "few people to release on their own count only in the national figures. "
        + (
            f"Counts of people choosing an answer may be moved by up to {facts['max_noise']} (the cell-key method), so "
            "that no small number is exact; percentages are of the moved counts."
            if facts.get("max_noise")
            else ""
        )
    )
    paragraphs.append(
        "Percentages are of everyone in a group who saw the question, skips included, as in the 2014 report. Differences "
        "between patients and staff, and changes since 2014, are marked significant where Fisher's exact test (or "
        "Pearson's chi-squared above 1,000 people) gives p < 0.05 after Holm's correction over the answers of a question."
    )
    return [paragraph.strip() for paragraph in paragraphs]


def _channel_words(channels: dict | None) -> str:
    """'40 on a ward tablet and 6 on paper', or the channels alone where counts may not be shown.

    >>> _channel_words({"channels": [("tablet", 40)]})
    'all on a ward tablet'
    >>> _channel_words({"channels": [("web", 20), ("paper", 6)]})
    '20 through a web link and 6 on paper'
    """
    if not channels or not channels["channels"]:
        return ""
    items = channels["channels"]
    if len(items) == 1:
        return f"all {CHANNEL_WORDS.get(items[0][0], items[0][0])}"
    words = [f"{n if n is not None else 'some'} {CHANNEL_WORDS.get(channel, channel)}" for channel, n in items]
    return ", ".join(words[:-1]) + " and " + words[-1]


def limitation_paragraphs(facts: dict) -> list[str]:
    paragraphs = [
        "The people who answered chose to: they may not speak for everyone in their service, and a service where few "
        "answered may read very differently next round.",
        "The 2014 figures come from a paper survey of different people in a different year, some of them asked in "
        "workshops; a change since 2014 is a difference between two groups of people, not a measure of one group changing.",
    ]
    rates = [info.get("rate") for info in facts["groups"].values() if info and info.get("rate") is not None]
    if rates and min(rates) < 50:
        paragraphs.append(
            "Fewer than half the people in some groups answered, so the figures may be far from what everyone would have said."
        )
    paragraphs.append(
        "To keep everyone anonymous some small numbers are not shown and counts may be moved by a little; the totals of "
        "a chart may therefore not add up exactly."
    )
    return paragraphs


def who_paragraphs(facts: dict) -> list[str]:
    groups = facts["groups"]
    return [
        f"{_group_n(groups, 'patient', facts['min_cell']).capitalize()} and {_group_n(groups, 'staff', facts['min_cell'])} "
        "answered. The charts below show how long they had been in the service and in secure care, their gender, age "
        "and ethnicity, as they told us. An answer given by too few people to show safely is not shown."
    ]


def finding_summary(question: dict, groups: dict, *, min_cell: int) -> str:
    """One sentence a reader takes away from a question's chart.

    >>> q = {"kind": "one", "options": [
    ...   {"label": "Yes", "patient": {"pct": 60.9}, "staff": {"pct": 71.3}, "report_2014": {"patient": 65.0, "staff": 80.0},
    ...    "significant": False, "change": {"patient": {"points": -4.1, "significant": False}}},
    ...   {"label": "No", "patient": {"pct": 20.0}, "staff": {"pct": 10.0}, "report_2014": {}}]}
    >>> finding_summary(q, {"patient": {"n": 110}, "staff": {"n": 115}}, min_cell=5)
    'The answer chosen most often: by patients, “Yes” (61%; 65% in 2014); by staff, “Yes” (71%; 80% in 2014).'
    >>> q["options"][0]["significant"] = True
    >>> finding_summary(q, {"patient": {"n": 110}, "staff": {"n": 115}}, min_cell=5).split(". ")[1]
    'Staff chose “Yes” more often than patients (a significant difference).'
    >>> finding_summary(q, {"patient": {"n": None, "suppressed": True}, "staff": {"n": None, "suppressed": True}}, min_cell=5)
    'Too few people answered to show this question.'
    """
    parts = []
    for group in GROUPS:
        if (groups.get(group) or {}).get("suppressed"):
            continue
        cells = [
            (option, option.get(group)) for option in question["options"] if (option.get(group) or {}).get("pct") is not None
        ]
        if not cells:
            continue
        option, cell = max(cells, key=lambda item: item[1]["pct"])
        earlier = (option.get("report_2014") or {}).get(group)
        since = f"; {whole(earlier)}% in 2014" if earlier is not None else ""
        change = (option.get("change") or {}).get(group) or {}
        if change.get("significant"):
            since += ", a significant change"
        parts.append(f"by {GROUP_PLURAL[group]}, “{option['label']}” ({whole(cell['pct'])}%{since})")
    if not parts:
        return "Too few people answered to show this question."
    lead = "The answer chosen most often" if question["kind"] == "one" else "Chosen most often"
    sentences = [f"{lead}: " + "; ".join(parts) + "."]
    differing = [
        option
        for option in question["options"]
        if option.get("significant")
        and (option.get("patient") or {}).get("pct") is not None
        and (option.get("staff") or {}).get("pct") is not None
    ]
    for option in differing[:2]:
        more, less = ("Staff", "patients") if option["staff"]["pct"] > option["patient"]["pct"] else ("Patients", "staff")
        sentences.append(f"{more} chose “{option['label']}” more often than {less} (a significant difference).")
    return " ".join(sentences)
