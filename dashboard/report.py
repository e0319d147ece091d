"""The report: a selection's released figures told in the 2014 report's order.

Introduction, how we asked (written from the data: rounds, dates, channels,
services, counts, response rates, the disclosure policy), its limitations, who
answered, one finding per question (chart, table, the 2014 series and the
change, the quotes chosen for it), then the conclusions and recommendations a
lead has written. The HTML page, the PDF and the PowerPoint deck are all made
from `report_data`, which reads figures only through `dashboard_data`, so the
report releases nothing the dashboard would not. The words are pure functions
of those figures, tested without a database.

The report is written in the reader's language (English or Welsh): each
sentence is one translatable message with named placeholders, never glued from
translated fragments, since Welsh orders words and mutates them its own way.
Questions and answers are worded as the questionnaire is in that language;
figures, quotes and what a lead wrote are the same in every language.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.utils import dateformat, timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from surveys.codes import ABOUT_GROUPS, GROUPS, Channel, Kind, Security, Specialism
from surveys.models import Wave
from surveys.selectors import every_version_loaded

from .access import Access
from .data import dashboard_data, report_quotes_data
from .models import ReportText
from .queries import channel_counts, selection_service_codes
from .queries.quotes import question_wording
from .release import complement_safe
from .report_charts import bar_chart, data_uri, whole
from .selection import Selection
from .stats import comparative_questions


def report_data(selection: Selection, access: Access) -> dict:
    """Everything the report shows, for the HTML page, the PDF and the deck."""
    data = dashboard_data(replace(selection, compare="2014", compare_wave_id=None), access)
    min_cell = data["min_cell"]
    wording = questionnaire_wording(get_language())
    questions = [worded(question, wording) for question in data["questions"]]
    waves = _waves(selection)
    # Within an about-you slice, not even how people answered: counted from the
    # rows, the channels would add up to the slice's exact size, which the
    # release rules (docs/disclosure.md, rule 4) keep back.
    channels = {} if selection.about else released_channels(channel_counts(selection), min_cell=min_cell)
    text = report_text_for(selection)
    sections = wording["sections"]
    quotes = worded_quotes(chosen_quotes(selection, access), wording)
    findings = []
    for question in questions:
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
    for question in questions:
        if question["section"] == "about_you":
            shown = shown_answers(question)
            chart = bar_chart(shown, with_2014=False)
            who.append({"question": shown, "chart": chart, "chart_src": data_uri(chart["svg"])})
    facts = {
        "scope": scope_words(selection, waves=waves, services=dict(access.services), wording=wording),
        "groups": data["groups"],
        "waves": waves,
        "channels": channels,
        "min_cell": min_cell,
        "max_noise": data["disclosure"].get("max_noise"),
        "released_through": data["disclosure"].get("released_through"),
        "about": bool(selection.about),
    }
    return {
        "title": _("Peer support in secure services"),
        "language": get_language(),
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


# --- the questionnaire's words, in the report's language ---------------------------


def questionnaire_wording(language: str) -> dict:
    """How the questionnaires word each question, answer and part in `language` (a
    text not translated yet stays English), chosen as data.json chooses its English
    (the newest version that has a text), so in English it changes nothing:
    {"titles": {code: title}, "labels": {(code, option): label}, "sections": {code: title},
    "boxes": {(group, English wording): wording}, "answers": {(code, English label): label}}.

    A quote comes worded as the version its writer answered, so "boxes" and "answers"
    read its English back through every version."""
    definitions = {}
    boxes: dict[tuple[str, str], str] = {}
    answers: dict[tuple[str, str], str] = {}
    for group in GROUPS:
        versions = every_version_loaded(group, language)
        if versions:
            definitions[group] = [loaded.definition for loaded in versions]
        for english, worded in zip(every_version_loaded(group, "en"), versions, strict=True):
            for question in english.definition.questions:
                translated = worded.definition.question(question.code)
                if question.kind == Kind.TEXT:
                    english_box = _box_wording(english.definition, question)
                    boxes.setdefault((group, english_box), _box_wording(worded.definition, translated))
                labels = {option.code: option.label for option in translated.options}
                for option in question.options:
                    answers.setdefault((question.code, option.label), labels[option.code])
    metas = comparative_questions(definitions)
    sections: dict[str, str] = {}
    for versions in definitions.values():
        for definition in versions:
            for section in definition.sections:
                sections.setdefault(section.code, section.title)
    return {
        "titles": {meta.code: meta.title for meta in metas},
        "labels": {(meta.code, code): label for meta in metas for code, label in meta.options},
        "sections": sections,
        "boxes": boxes,
        "answers": answers,
    }


def _box_wording(definition, question) -> str:
    """A free-text box as the quote list words it (`queries.quotes.text_boxes`)."""
    follows = definition.question(question.parent) if question.parent else None
    title = (follows.chart_title or follows.text) if follows else ""
    labels = {option.code: option.label for option in follows.options} if follows else {}
    detail = question.option_detail_of
    return question_wording(question.text, parent_title=title, option_labels=[labels[detail]] if detail in labels else [])


def worded(question: dict, wording: dict) -> dict:
    """A data.json question with its title and answers in the report's language; figures untouched.

    >>> wording = {"titles": {"useful": "Defnyddiol?"}, "labels": {("useful", "yes"): "Ydy"}}
    >>> worded({"code": "useful", "title": "Useful?", "options": [{"code": "yes", "label": "Yes", "patient": {"pct": 60.0}}]}, wording)
    {'code': 'useful', 'title': 'Defnyddiol?', 'options': [{'code': 'yes', 'label': 'Ydy', 'patient': {'pct': 60.0}}]}
    """
    code = question["code"]
    return {
        **question,
        "title": wording["titles"].get(code, question["title"]),
        "options": [
            {**option, "label": wording["labels"].get((code, option["code"]), option["label"])} for option in question["options"]
        ],
    }


def worded_quotes(quotes: dict[str, list[dict]], wording: dict) -> dict[str, list[dict]]:
    """The chosen quotes with their question and their writer's answer in the
    report's language. The quote itself stays in its writer's words.

    A writer's answer comes as the English labels of the version they answered
    ("Trust; Confidentiality"): each is read back through that version's own words.

    >>> quotes = {"useful": [{"text": "We talk", "group": "patient", "wording": "Why?", "answer": "Yes"}]}
    >>> wording = {"answers": {("useful", "Yes"): "Ydy"}, "boxes": {("patient", "Why?"): "Pam?"}}
    >>> worded_quotes(quotes, wording)["useful"][0]
    {'text': 'We talk', 'group': 'patient', 'wording': 'Pam?', 'answer': 'Ydy'}
    """
    result = {}
    for code, chosen in quotes.items():
        result[code] = []
        for quote in chosen:
            quote = {**quote, "wording": wording["boxes"].get((quote.get("group"), quote.get("wording")), quote.get("wording"))}
            labels = quote["answer"].split("; ") if quote.get("answer") else []
            if labels and all((code, label) in wording["answers"] for label in labels):
                quote["answer"] = "; ".join(wording["answers"][(code, label)] for label in labels)
            result[code].append(quote)
    return result


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


def scope_words(selection: Selection, *, waves: list[dict], services: dict[str, str], wording: dict | None = None) -> str:
    """What the report covers, in words: which services, which dates, which people.

    >>> scope_words(Selection(services=("CL",), wave="2026"), waves=[{"name": "2026 round"}], services={"CL": "Chadwick Lodge"})
    'Chadwick Lodge (CL), 2026 round'
    >>> scope_words(Selection(), waves=[{"name": "a"}, {"name": "b"}], services={})
    'Every service, every round'
    >>> scope_words(Selection(security="low", date_to=date(2026, 11, 30)), waves=[], services={})
    'low secure services, the start to 30 November 2026'
    """
    parts = []
    if selection.services:
        parts.append(", ".join(f"{services.get(code, code)} ({code})" for code in selection.services))
    elif selection.security or selection.specialism:
        kind = " ".join(
            _lower_first(str(label))
            for label in (
                _label(Security, selection.security) if selection.security else "",
                _label(Specialism, selection.specialism) if selection.specialism else "",
            )
            if label
        )
        parts.append(_("%(kind)s services") % {"kind": kind})
    else:
        parts.append(_("Every service"))
    if selection.wave:
        parts.append(waves[0]["name"] if waves else selection.wave)
    elif selection.date_from and selection.date_to:
        parts.append(
            pgettext("dates", "%(start)s to %(end)s") % {"start": _day(selection.date_from), "end": _day(selection.date_to)}
        )
    elif selection.date_to:
        parts.append(_("the start to %(end)s") % {"end": _day(selection.date_to)})
    elif selection.date_from:
        parts.append(_("%(start)s to today") % {"start": _day(selection.date_from)})
    else:
        parts.append(_("every round"))
    if selection.about:
        said = ", ".join(_about_words(key, value, wording or {}) for key, value in selection.about.items())
        parts.append(_("people who said %(answers)s") % {"answers": said})
    return ", ".join(parts)


def _label(choices, code: str) -> str:
    """A security level's or specialism's name (its code if it is not one of ours)."""
    return choices(code).label if code in choices.values else code.replace("_", " ")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _about_words(question: str, value: str, wording: dict) -> str:
    """An about-you filter as the questionnaire words it, lower case first: 'gender: female'.

    >>> _about_words("gender", "female", {"titles": {"gender": "Gender"}, "labels": {("gender", "female"): "Female"}})
    'gender: female'
    >>> _about_words("age_band", "25_34", {})
    'age band: 25 34'
    """
    title = (wording.get("titles") or {}).get(question) or question.replace("_", " ")
    grouped = ABOUT_GROUPS.get(question, {}).get(value)
    label = str(grouped[0]) if grouped else (wording.get("labels") or {}).get((question, value)) or value.replace("_", " ")
    return pgettext("an about-you filter: question and answer", "%(question)s: %(answer)s") % {
        "question": _lower_first(title),
        "answer": _lower_first(label),
    }


def _day(day: date | str | None) -> str:
    """A date as the report writes it, month in the reader's language (data.json gives dates as ISO strings).

    >>> _day(date(2026, 11, 3)), _day("2026-11-30"), _day(None)
    ('3 November 2026', '30 November 2026', '')
    """
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return dateformat.format(day, "j F Y") if day else ""


# --- the words -----------------------------------------------------------------------
#
# Counts of people are noun phrases ("43 patients") made whole by ngettext, so
# that a sentence with two counts in it still has one plural per message.

# How a group chose its most chosen answer: (group, with a 2014 figure, a significant change) -> words.
MOST_OFTEN = {
    ("patient", False, False): gettext_lazy("by patients, “%(answer)s” (%(pct)s%%)"),
    ("patient", False, True): gettext_lazy("by patients, “%(answer)s” (%(pct)s%%, a significant change)"),
    ("patient", True, False): gettext_lazy("by patients, “%(answer)s” (%(pct)s%%; %(pct_2014)s%% in 2014)"),
    ("patient", True, True): gettext_lazy("by patients, “%(answer)s” (%(pct)s%%; %(pct_2014)s%% in 2014, a significant change)"),
    ("staff", False, False): gettext_lazy("by staff, “%(answer)s” (%(pct)s%%)"),
    ("staff", False, True): gettext_lazy("by staff, “%(answer)s” (%(pct)s%%, a significant change)"),
    ("staff", True, False): gettext_lazy("by staff, “%(answer)s” (%(pct)s%%; %(pct_2014)s%% in 2014)"),
    ("staff", True, True): gettext_lazy("by staff, “%(answer)s” (%(pct)s%%; %(pct_2014)s%% in 2014, a significant change)"),
}
# How many answered one way: (all of them, some (the count may not be shown), a number).
CHANNEL_PHRASES = {
    Channel.TABLET: (
        gettext_lazy("all on a ward tablet"),
        gettext_lazy("some on a ward tablet"),
        gettext_lazy("%(count)s on a ward tablet"),
    ),
    Channel.WEB: (
        gettext_lazy("all through a web link"),
        gettext_lazy("some through a web link"),
        gettext_lazy("%(count)s through a web link"),
    ),
    Channel.PAPER: (gettext_lazy("all on paper"), gettext_lazy("some on paper"), gettext_lazy("%(count)s on paper")),
}


def people(group: str, n: int) -> str:
    """A number of patients or staff.

    >>> people("patient", 1), people("patient", 43), people("staff", 1), people("staff", 12)
    ('1 patient', '43 patients', '1 staff', '12 staff')
    """
    if group == "patient":
        return ngettext("%(count)s patient", "%(count)s patients", n) % {"count": n}
    return ngettext("%(count)s staff", "%(count)s staff", n) % {"count": n}


def fewer_than(group: str, min_cell: int) -> str:
    """Too few of a group to show, as a noun phrase.

    >>> fewer_than("patient", 5), fewer_than("staff", 5)
    ('fewer than 5 patients', 'fewer than 5 staff')
    """
    if group == "patient":
        return ngettext("fewer than %(count)s patient", "fewer than %(count)s patients", min_cell) % {"count": min_cell}
    return ngettext("fewer than %(count)s staff", "fewer than %(count)s staff", min_cell) % {"count": min_cell}


def service_count(n: int) -> str:
    """
    >>> service_count(1), service_count(3)
    ('1 service', '3 services')
    """
    return ngettext("%(count)s service", "%(count)s services", n) % {"count": n}


def _group_n(groups: dict, group: str, min_cell: int) -> str:
    info = groups.get(group) or {}
    if info.get("suppressed") or info.get("n") is None:
        return fewer_than(group, min_cell)
    return people(group, info["n"])


def introduction_paragraphs(facts: dict) -> list[str]:
    scope = facts["scope"][0].lower() + facts["scope"][1:]
    return [
        _(
            "In 2014 a consultation asked 213 patients in 29 secure services and 54 staff in 24 services what they thought "
            "about peer support: the support people who share an experience of secure care give each other. Its report "
            "compared what patients and staff said, question by question."
        ),
        _(
            "This report asks the same questions again and compares the answers with 2014. It covers %(scope)s. "
            "Patients answered an easy-read questionnaire, most of them on a shared ward tablet; staff answered the staff "
            "questionnaire through a link for their service. Nobody gave their name, and nothing that could identify them "
            "was kept."
        )
        % {"scope": scope},
    ]


def _period(wave: dict) -> str:
    return _("%(round)s, %(opens)s to %(closes)s") % {
        "round": wave["name"],
        "opens": _day(wave["opens"]),
        "closes": _day(wave["closes"]),
    }


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
        paragraphs.append(_("Answers were collected in one round: %(period)s.") % {"period": _period(waves[0])})
    elif waves:
        paragraphs.append(
            ngettext(
                "Answers come from %(count)s round: %(periods)s.", "Answers come from %(count)s rounds: %(periods)s.", len(waves)
            )
            % {"count": len(waves), "periods": "; ".join(_period(wave) for wave in waves)}
        )
    min_cell = facts["min_cell"]
    counts = []
    for group in GROUPS:
        info = facts["groups"].get(group) or {}
        if info.get("suppressed") or info.get("n") is None:
            counts.append(
                ngettext(
                    "Fewer than %(count)s patient answered, too few to show.",
                    "Fewer than %(count)s patients answered, too few to show.",
                    min_cell,
                )
                % {"count": min_cell}
                if group == "patient"
                else ngettext(
                    "Fewer than %(count)s staff answered, too few to show.",
                    "Fewer than %(count)s staff answered, too few to show.",
                    min_cell,
                )
                % {"count": min_cell}
            )
            continue
        counts.append(_answered_sentence(group, info, facts))
    paragraphs.append(" ".join(counts))
    rates = {group: info["rate"] for group in GROUPS if (info := facts["groups"].get(group) or {}).get("rate") is not None}
    if rates:
        if len(rates) == 2:
            answered = _(
                "%(patient_rate)s%% of the patients in those services and %(staff_rate)s%% of the staff in those services answered."
            ) % {"patient_rate": rates["patient"], "staff_rate": rates["staff"]}
        elif "patient" in rates:
            answered = _("%(rate)s%% of the patients in those services answered.") % {"rate": rates["patient"]}
        else:
            answered = _("%(rate)s%% of the staff in those services answered.") % {"rate": rates["staff"]}
        paragraphs.append(
            answered
            + " "
            + _("Response rates are shown where services told us how many patients and staff they had during the round.")
        )
    elif facts["waves"] and len(facts["waves"]) == 1 and not facts["about"]:
        paragraphs.append(
            _("No response rate is given: not every service told us how many patients and staff it had during the round.")
        )
    through = facts.get("released_through")
    disclosure = [_("Figures include answers released up to %(date)s.") % {"date": _day(through)}] if through else []
    disclosure.append(
        ngettext(
            "To keep every answer anonymous, answers are released in batches of at least %(min_cell)s from one service, "
            "and a group of fewer than %(min_cell)s person is never shown.",
            "To keep every answer anonymous, answers are released in batches of at least %(min_cell)s from one service, "
            "and a group of fewer than %(min_cell)s people is never shown.",
            min_cell,
        )
        % {"min_cell": min_cell}
    )
    disclosure.append(_("Answers from services with too few people to release on their own count only in the national figures."))
    if facts.get("max_noise"):
        disclosure.append(
            ngettext(
                "Counts of people choosing an answer may be moved by up to %(max_noise)s (the cell-key method), so that no "
                "small number is exact; percentages are of the moved counts.",
                "Counts of people choosing an answer may be moved by up to %(max_noise)s (the cell-key method), so that no "
                "small number is exact; percentages are of the moved counts.",
                facts["max_noise"],
            )
            % {"max_noise": facts["max_noise"]}
        )
    paragraphs.append(" ".join(disclosure))
    paragraphs.append(
        _(
            "Percentages are of everyone in a group who saw the question, skips included, as in the 2014 report. Differences "
            "between patients and staff, and changes since 2014, are marked significant where Fisher's exact test (or "
            "Pearson's chi-squared above 1,000 people) gives p < 0.05 after Holm's correction over the answers of a question."
        )
    )
    return [paragraph.strip() for paragraph in paragraphs]


def _answered_sentence(group: str, info: dict, facts: dict) -> str:
    """'43 patients from 3 services answered: 40 on a ward tablet and 3 on paper.'

    Within a slice, not even from how many services (rule 4); services too small
    to show alone count only in the national figures (pooled)."""
    services = info.get("services")
    how = _channel_words(facts["channels"].get(group))
    values = {"people": _group_n(facts["groups"], group, facts["min_cell"]), "services": "", "how": how}
    if facts["about"]:
        sentence = _("%(people)s answered: %(how)s.") if how else _("%(people)s answered.")
    elif services:
        values["services"] = service_count(services)
        sentence = _("%(people)s from %(services)s answered: %(how)s.") if how else _("%(people)s from %(services)s answered.")
    elif how:
        sentence = _("%(people)s from services too small to show alone (pooled) answered: %(how)s.")
    else:
        sentence = _("%(people)s from services too small to show alone (pooled) answered.")
    return sentence % values


def _channel_words(channels: dict | None) -> str:
    """'40 on a ward tablet and 6 on paper', or the channels alone where counts may not be shown.

    >>> _channel_words({"channels": [("tablet", 40)]})
    'all on a ward tablet'
    >>> _channel_words({"channels": [("web", 20), ("paper", 6)]})
    '20 through a web link and 6 on paper'
    >>> _channel_words({"channels": [("web", None), ("tablet", None), ("paper", None)]})
    'some through a web link, some on a ward tablet and some on paper'
    """
    if not channels or not channels["channels"]:
        return ""
    items = channels["channels"]
    if len(items) == 1:
        return _channel_phrase(items[0][0], "all")
    words = [_channel_phrase(channel, n) for channel, n in items]
    return pgettext("a list", "%(items)s and %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}


def _channel_phrase(channel: str, n: int | str | None) -> str:
    """How many answered one way: "all", a number, or None where the count may not be shown."""
    if channel not in CHANNEL_PHRASES:
        return channel
    every, some, counted = CHANNEL_PHRASES[channel]
    if n == "all":
        return str(every)
    return str(some) if n is None else counted % {"count": n}


def limitation_paragraphs(facts: dict) -> list[str]:
    paragraphs = [
        _(
            "The people who answered chose to: they may not speak for everyone in their service, and a service where few "
            "answered may read very differently next round."
        ),
        _(
            "The 2014 figures come from a paper survey of different people in a different year, some of them asked in "
            "workshops; a change since 2014 is a difference between two groups of people, not a measure of one group changing."
        ),
    ]
    rates = [info.get("rate") for info in facts["groups"].values() if info and info.get("rate") is not None]
    if rates and min(rates) < 50:
        paragraphs.append(
            _("Fewer than half the people in some groups answered, so the figures may be far from what everyone would have said.")
        )
    paragraphs.append(
        _(
            "To keep everyone anonymous some small numbers are not shown and counts may be moved by a little; the totals of "
            "a chart may therefore not add up exactly."
        )
    )
    return paragraphs


def who_paragraphs(facts: dict) -> list[str]:
    groups, min_cell = facts["groups"], facts["min_cell"]
    answered = _("%(patients)s and %(staff)s answered.") % {
        "patients": _group_n(groups, "patient", min_cell),
        "staff": _group_n(groups, "staff", min_cell),
    }
    return [
        capfirst(answered)
        + " "
        + _(
            "The charts below show how long they had been in the service and in secure care, their gender, age "
            "and ethnicity, as they told us. An answer given by too few people to show safely is not shown."
        )
    ]


def _most_often(group: str, option: dict, pct: float, earlier: float | None, significant: bool) -> str:
    """One group's most chosen answer: 'by patients, “Yes” (61%; 65% in 2014)'."""
    values = {"answer": option["label"], "pct": whole(pct), "pct_2014": whole(earlier) if earlier is not None else ""}
    return MOST_OFTEN[(group, earlier is not None, significant)] % values


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
        change = (option.get("change") or {}).get(group) or {}
        parts.append(_most_often(group, option, cell["pct"], earlier, bool(change.get("significant"))))
    if not parts:
        return _("Too few people answered to show this question.")
    if question["kind"] == "one":
        sentences = [_("The answer chosen most often: %(answers)s.") % {"answers": "; ".join(parts)}]
    else:
        sentences = [_("Chosen most often: %(answers)s.") % {"answers": "; ".join(parts)}]
    differing = [
        option
        for option in question["options"]
        if option.get("significant")
        and (option.get("patient") or {}).get("pct") is not None
        and (option.get("staff") or {}).get("pct") is not None
    ]
    for option in differing[:2]:
        if option["staff"]["pct"] > option["patient"]["pct"]:
            sentence = _("Staff chose “%(answer)s” more often than patients (a significant difference).")
        else:
            sentence = _("Patients chose “%(answer)s” more often than staff (a significant difference).")
        sentences.append(sentence % {"answer": option["label"]})
    return " ".join(sentences)
