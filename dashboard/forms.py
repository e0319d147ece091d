"""The dashboard's forms: the filters (one form for the page, data.json and the
exports), the quote filter and review decision, and paper entry.

An unknown filter value is a 400 with the field named; a service the user may
not see is a 403 (decided in `selection.selection_for`, after the form has
checked the syntax).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.codes import ABOUT_FILTERS, Group, Security, Specialism
from surveys.definitions import QuestionnaireDef
from surveys.forms import ResponseForm, response_form_class
from surveys.models import Questionnaire, Service, Theme, Wave
from surveys.quotes import QUOTE_CHOICES, THEME_NAME_MAX, theme_name
from surveys.validation import EARLIEST_PAPER_DATE

from .access import Access
from .models import ActionStatus, ReportText
from .services import ACTION_TEXT_MAX

# Dates a survey can have: from before the 2014 round to well ahead. Outside
# them a date is a typo (or a probe: 9999-12-31 has no next month to end at).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_RANGE = [MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


class FilterForm(forms.Form):
    service = forms.MultipleChoiceField(required=False, label=_("Service"), widget=forms.SelectMultiple(attrs={"size": 4}))
    security = forms.ChoiceField(required=False, label=_("Security level"))
    specialism = forms.ChoiceField(required=False, label=_("Specialism"))
    date_from = forms.DateField(
        required=False,
        validators=DATE_RANGE,
        label=pgettext_lazy("start date", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Whole months of release: from the start of this date's month."),
    )
    date_to = forms.DateField(
        required=False,
        validators=DATE_RANGE,
        label=pgettext_lazy("end date", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("To the end of this date's month."),
    )
    gender = forms.ChoiceField(required=False, label=_("Gender"))
    age_band = forms.ChoiceField(required=False, label=_("Age"))
    ethnicity = forms.ChoiceField(required=False, label=_("Ethnicity"))
    time_in_service = forms.ChoiceField(required=False, label=_("Time in this service (patients)"))
    time_in_secure = forms.ChoiceField(required=False, label=_("Time in secure services (patients)"))
    wave = forms.ChoiceField(required=False, label=_("Wave"), help_text=_("A collection round; or choose dates."))
    compare = forms.ChoiceField(required=False, label=_("Compare with"))

    # The query string uses the public names `from` and `to` (docs/contract.md, "data.json").
    renamed = {"from": "date_from", "to": "date_to"}

    def __init__(self, query, *, access: Access, about_options: dict[str, list[tuple[str, str]]]):
        data = query.copy()
        for public, internal in self.renamed.items():
            if public in data:
                data.setlist(internal, data.getlist(public))
                del data[public]
        super().__init__(data)
        self.access = access
        anything = [("", _("Any"))]
        if access.every_service:
            self.fields["service"].choices = [(code, f"{code} – {name}") for code, name in access.services]
        else:
            # Any code parses, so that another service's code is a 403, not a 400.
            self.fields["service"].choices = [(code, code) for code, _name in access.services]
        self.fields["security"].choices = anything + list(Security.choices)
        self.fields["specialism"].choices = anything + list(Specialism.choices)
        for code in ABOUT_FILTERS:
            self.fields[code].choices = anything + about_options.get(code, [])
        waves = list(Wave.objects.order_by("-opens", "code").values_list("code", "name", "pk"))
        # Read once: the selection takes the ids from here (selection_for's `waves`).
        self.wave_ids = {code: pk for code, _name, pk in waves}
        self.fields["wave"].choices = [("", _("All waves"))] + [(code, f"{name} ({code})") for code, name, _pk in waves]
        self.fields["compare"].choices = [
            ("", _("Nothing")),
            ("national", _("The national picture")),
            ("2014", _("The 2014 report")),
            *((f"wave:{code}", _("Wave %(name)s (%(code)s)") % {"name": name, "code": code}) for code, name, _pk in waves),
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "filters"
        self.helper.layout = Layout(
            Row(
                Column("service", css_class="col-md-4"),
                Column("security", "specialism", css_class="col-md-4"),
                Column("wave", "compare", css_class="col-md-4"),
            ),
            Row(Column("date_from", css_class="col-md-3"), Column("date_to", css_class="col-md-3")),
            Row(*(Column(code, css_class="col-sm-6 col-lg") for code in ABOUT_FILTERS)),
            Submit("apply", _("Apply filters"), css_class="btn-primary"),
        )
        self.helper.form_tag = True
        if not access.every_service:
            self.fields["service"].choices = [(code, code) for code in sorted(access.own_codes)] + [
                choice for choice in self.fields["service"].choices if choice[0] not in access.own_codes
            ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        about = [code for code in ABOUT_FILTERS if cleaned.get(code)]
        wave, compare = cleaned.get("wave"), cleaned.get("compare") or ""
        if wave and (start or end):
            self.add_error("wave", _("Choose a wave or dates, not both."))
        if compare.startswith("wave:") and (start or end):
            self.add_error("compare", _("A wave is compared over its whole round: clear the From and To dates."))
        if about and (start or end):
            # A slice in one window beside everyone in another would subtract to a
            # few people: slices are shown for all dates (docs/disclosure.md).
            self.add_error(about[0], _("An about-you answer is shown for all dates: clear the From and To dates."))
        if about and (wave or compare.startswith("wave:")):
            # A wave is a window too: slices for all waves together (docs/disclosure.md).
            self.add_error(about[0], _("An about-you answer is shown for all waves together: choose All waves."))
        if len(about) > 1:
            # Two at once would cross slices that are released separately
            # (docs/disclosure.md): one about-you answer at a time.
            self.add_error(about[-1], _("Choose one about-you answer at a time."))
        return cleaned

    def errors_by_public_name(self) -> dict[str, list[str]]:
        back = {internal: public for public, internal in self.renamed.items()}
        return {back.get(name, name): [str(e) for e in errors] for name, errors in self.errors.items()}


class TrendForm(forms.Form):
    """trends.json's own parameters (the dashboard's filters come in a FilterForm)."""

    question = forms.ChoiceField(label=_("Question"))
    option = forms.CharField(required=False, label=_("Answer"), max_length=64)
    by = forms.ChoiceField(
        required=False,
        label=_("By"),
        choices=[
            (_("Over time"), [("month", _("Month")), ("quarter", _("Quarter")), ("wave", _("Wave"))]),
            (
                _("Split by (all dates and waves)"),
                [
                    ("time_in_secure", _("Time in secure services")),
                    ("time_in_service", _("Time in this service")),
                    ("ethnicity", _("Ethnicity (white British or not)")),
                    ("gender", _("Gender")),
                    ("age_band", _("Age")),
                ],
            ),
        ],
        initial="month",
    )

    def __init__(self, data, *, questions):
        super().__init__(data)
        self.questions = {question.code: question for question in questions}
        self.fields["question"].choices = [(question.code, question.title) for question in questions]

    def clean(self):
        cleaned = super().clean()
        question = self.questions.get(cleaned.get("question") or "")
        if question is None:
            return cleaned
        codes = [code for code, _label in question.options]
        option = cleaned.get("option") or codes[0]
        if option not in codes:
            self.add_error(
                "option",
                _("%(option)s is not an answer to %(question)s: one of %(codes)s.")
                % {"option": repr(option), "question": question.code, "codes": ", ".join(codes)},
            )
        cleaned["option"] = option
        cleaned["question"] = question
        cleaned["by"] = cleaned.get("by") or "month"
        return cleaned


class QuoteFilter(forms.Form):
    """The quote list's filters. Questions are named in words; their codes stay
    the values, so a link to a question's quotes reads `?question=useful_why`."""

    question = forms.ChoiceField(required=False, label=_("Question"))
    service = forms.ChoiceField(required=False, label=_("Service"))
    theme = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Theme"))

    def __init__(self, data, *, access: Access, questions: list[tuple[str, str]], themes: list[tuple[int, str]] = ()):
        super().__init__(data)
        self.fields["question"].choices = [("", _("Any question"))] + list(questions)
        self.fields["service"].choices = [("", _("All services you can see"))] + [
            (code, f"{code} – {name}") for code, name in access.services if access.may_see_service(code)
        ]
        self.fields["theme"].choices = [("", _("Any theme"))] + [(str(pk), name) for pk, name in themes]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Do not show"))])
    text = forms.CharField(required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    attribution = forms.CharField(max_length=120)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "approve" and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("An approved quote needs its text (redacted if need be)."))
        return cleaned


class ThemeForm(forms.Form):
    """Tag an approved quote: with a theme from the list (`theme`) or a new one
    typed (`name`), or take one off (`remove`); exactly one of the three."""

    theme = forms.ModelChoiceField(queryset=Theme.objects.all(), required=False, label=_("Theme"))
    name = forms.CharField(required=False, max_length=THEME_NAME_MAX, label=_("Or a new theme"))
    remove = forms.ModelChoiceField(queryset=Theme.objects.all(), required=False, widget=forms.HiddenInput)

    def clean_name(self):
        return theme_name(self.cleaned_data.get("name") or "")

    def clean(self):
        cleaned = super().clean()
        given = [key for key in ("theme", "name", "remove") if cleaned.get(key)]
        if not self.errors and len(given) != 1:
            raise ValidationError(_("Choose a theme from the list or type a new one."))
        return cleaned


class QuoteChoiceForm(forms.Form):
    """Choose an approved quote for the report or for patients, or unchoose it."""

    choice = forms.ChoiceField(choices=[(choice, choice) for choice in QUOTE_CHOICES])
    chosen = forms.TypedChoiceField(choices=[("1", "Chosen"), ("0", "Not chosen")], coerce=lambda value: value == "1")


class ConcernForm(forms.Form):
    """Flag a text as a safeguarding concern, saying why if the reviewer wishes."""

    note = forms.CharField(required=False, max_length=2000, label=_("Why (optional)"), widget=forms.Textarea(attrs={"rows": 2}))


class ConcernActionForm(forms.Form):
    """What was done about a safeguarding concern, and whether it is closed."""

    action = forms.CharField(required=False, max_length=5000, label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    close = forms.BooleanField(required=False, label=_("Closed: nothing more to do"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("close") and not (cleaned.get("action") or "").strip():
            self.add_error("action", _("Say what was done before closing the concern."))
        return cleaned


class ChooseForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"))
    questionnaire = forms.ChoiceField(label=_("Questionnaire"), choices=Group.choices, widget=forms.RadioSelect)
    version = forms.TypedChoiceField(
        label=_("Version"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Papers printed before a new version came in carry the older questions: choose their version."),
    )

    def __init__(self, data=None, *, access: Access):
        super().__init__(data)
        self.fields["service"].choices = [
            (code, f"{code} – {name}") for code, name in access.services if access.may_see_service(code)
        ]
        versions = sorted(set(Questionnaire.objects.values_list("version", flat=True)), reverse=True)
        self.fields["version"].choices = [("", _("The newest"))] + [
            (str(v), _("Version %(number)s") % {"number": v}) for v in versions
        ]


def paper_form_class(definition: QuestionnaireDef) -> type[ResponseForm]:
    class PaperForm(response_form_class(definition)):
        paper_date = forms.DateField(
            label=_("Date on the paper form"),
            initial=timezone.localdate,
            widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST_PAPER_DATE.isoformat()}, format="%Y-%m-%d"),
            help_text=_("The day the person filled it in, if the paper says; otherwise the day it arrived."),
        )

        def clean_paper_date(self):
            day = self.cleaned_data["paper_date"]
            if day < EARLIEST_PAPER_DATE:
                raise ValidationError(_("The date on the paper form is before 2014, when this survey began: check the year."))
            if day > timezone.localdate():
                raise ValidationError(_("The date on the paper form cannot be in the future."))
            return day

    return PaperForm


class _PlainText(forms.CharField):
    """Text from a textarea with its line ends as one character each (the browser
    counts them so for `maxlength`, then sends two)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


def _action_text(label: str, *, help_text: str, required: str, too_long: str) -> _PlainText:
    return _PlainText(
        label=label,
        max_length=ACTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={"required": required, "max_length": too_long},
    )


class ActionForm(forms.Form):
    """One "you said, we did" action of a service in a wave (its service and wave
    come from the page, checked against the user's access by the view)."""

    you_said = _action_text(
        _("You said"),
        help_text=_(
            "What people said, in short, plain sentences: patients read it on the ward’s results page. "
            "For example: “There is not enough to do in the evenings.”"
        ),
        required=_("Write what people said."),
        too_long=_("Keep what people said to %(limit_value)d characters or fewer: it has %(show_value)d."),
    )
    we_did = _action_text(
        _("We did"),
        help_text=_(
            "What the service did, in short, plain sentences: patients read it on the ward’s results page. "
            "For example: “Patients now run a games night on Thursdays.”"
        ),
        required=_("Write what the service did."),
        too_long=_("Keep what the service did to %(limit_value)d characters or fewer: it has %(show_value)d."),
    )
    status = forms.ChoiceField(
        label=_("How far it has got"),
        choices=ActionStatus.choices,
        initial=ActionStatus.PLANNED,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how far it has got."), "invalid_choice": _("Choose one of the three answers.")},
    )


TARGET_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}\Z")


class ReportTextForm(forms.Form):
    """The conclusions and recommendations of one report: which report comes
    from `wave` and `service` (codes; none for the national report or every date)."""

    conclusions = forms.CharField(
        required=False,
        max_length=20000,
        label=_("Conclusions"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paragraphs separated by a blank line."),
    )
    recommendations = forms.CharField(
        required=False,
        max_length=10000,
        label=_("Recommendations"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One recommendation per line; the report numbers them."),
    )

    def __init__(self, data=None, *, initial_target, access: Access):
        self.wave_code = str(initial_target.get("wave") or "").strip()[:40]
        self.service_code = str(initial_target.get("service") or "").strip()[:40]
        self.target_errors: list[str] = []
        # A code is looked up only if it could be one: PostgreSQL refuses a NUL in a query.
        wave = Wave.objects.filter(code=self.wave_code).first() if TARGET_CODE.match(self.wave_code) else None
        if self.wave_code and wave is None:
            self.target_errors.append(_("There is no round %(code)s.") % {"code": repr(self.wave_code)})
        service = Service.objects.filter(code=self.service_code).first() if TARGET_CODE.match(self.service_code) else None
        if self.service_code and service is None:
            self.target_errors.append(_("There is no service %(code)s.") % {"code": repr(self.service_code)})
        self._target = None if self.target_errors else {"wave": wave, "service": service}
        initial = {}
        if self._target is not None:
            existing = ReportText.objects.filter(wave=wave, service=service).first()
            if existing is not None:
                initial = {"conclusions": existing.conclusions, "recommendations": existing.recommendations}
        super().__init__(data, initial=initial)

    def target(self) -> dict | None:
        return self._target

    def report_query(self) -> str:
        query = {key: value for key, value in (("service", self.service_code), ("wave", self.wave_code)) if value}
        return urlencode(query)
