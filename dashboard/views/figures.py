"""The figure views: the page, data.json, charts.json, the printable report and
the CSV exports. Access first, then the filters, then one read call, then render.

No counting, percentages or chart building here. Every view that shows survey
data is `@audited`, refusals included.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.log import audit_safe, audited
from audit.models import AuditAction
from surveys.models import Wave
from surveys.selectors import wave_open_on

from .. import charts, exports
from ..access import Access, access_for
from ..data import (
    about_options,
    dashboard_data,
    glance_data,
    page_wording,
    questions,
    services_data,
    split_data,
    trends_data,
    worded,
    worded_answer,
    worded_choices,
    worded_options,
)
from ..forms import FilterForm, TrendForm
from ..selection import Selection, selection_for


def filters_asked(request: HttpRequest, **kwargs) -> dict:
    """What the audit log records: the checked selection once it parses; until
    then the query string, in the same shape."""
    checked = getattr(request, "audit_selection", None)
    if checked is not None:
        return checked
    return {
        key: [audit_safe(value) for value in request.GET.getlist(key)]
        if isinstance(empty, list)
        else audit_safe(request.GET.get(key))
        for key, empty in Selection().as_dict().items()
    }


class BadFilter(Exception):
    def __init__(self, form: FilterForm):
        self.form = form


def _selection(request: HttpRequest, access: Access) -> tuple[FilterForm, Selection]:
    form = FilterForm(request.GET, access=access, about_options=about_options())
    if not form.is_valid():
        raise BadFilter(form)
    selection = selection_for(form.cleaned_data, access, waves=form.wave_ids)
    request.audit_selection = selection.as_dict()
    return form, selection


def _json_error(status: int, errors: dict) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


def _page_with_errors(request: HttpRequest, form: FilterForm, access: Access) -> HttpResponse:
    return render(request, "dashboard/index.html", {"form": form, "access": access}, status=400)


def _json_errors(request: HttpRequest, form: FilterForm, access: Access) -> JsonResponse:
    with translation.override("en"):
        return _json_error(400, form.errors_by_public_name())


def in_english(view):
    """The JSON and CSV contracts (docs/contract.md) are the same whatever the page's
    language: their labels and error messages too."""

    @wraps(view)
    def english(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with translation.override("en"):
            return view(request, *args, **kwargs)

    return english


def figure_view(action: AuditAction, *, bad_filter=_page_with_errors, json_refusals: bool = False):
    """What every figure view shares: no caching, a login, the audit log, GET only,
    and the checked filters. The view is called as view(request, access, form,
    selection). A bad filter answers 400 through `bad_filter`; a service the user
    may not see is a 403, in JSON when `json_refusals`."""

    def decorate(view):
        @wraps(view)
        def checked(request: HttpRequest) -> HttpResponse:
            try:
                access = access_for(request.user)
                form, selection = _selection(request, access)
            except PermissionDenied as denied:
                if json_refusals:
                    with translation.override("en"):
                        return _json_error(403, {"access": [str(denied)]})
                raise
            except BadFilter as bad:
                return bad_filter(request, bad.form, access)
            return view(request, access, form, selection)

        return never_cache(login_required(audited(action, selection=filters_asked)(require_GET(checked))))

    return decorate


def default_view(access: Access) -> str | None:
    """A service lead's first view: their services in the current wave, beside the nation."""
    if access.every_service or not access.own_codes:
        return None
    current = (
        wave_open_on(timezone.localdate()) or Wave.objects.filter(opens__lte=timezone.localdate()).order_by("-opens").first()
    )
    query = {"service": sorted(access.own_codes), "compare": "national"}
    if current is not None:
        query["wave"] = current.code
    return "?" + urlencode(query, doseq=True)


@figure_view(AuditAction.DASHBOARD_VIEW)
def index(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    if not request.GET and (default := default_view(access)):
        return redirect(reverse("dashboard:index") + default)
    # Questions and answers in the page's language; data.json keeps them in English.
    wording = page_wording()
    data = worded(dashboard_data(selection, access), wording)
    glance = glance_data(selection, access, wording) if selection.wave or not selection.national else None
    return render(
        request,
        "dashboard/index.html",
        {
            "form": form,
            "access": access,
            "data": data,
            "figures": charts.all_figures(data),
            "glance": glance,
            # Trends run across waves and dates; services compared, within them.
            "trend_query": _without(request, "wave", "compare", "from", "to", *selection.about),
            "services_query": _without(request, "compare", "service", *selection.about),
            "plotly_config": charts.CONFIG,
            "refresh_seconds": settings.PEERSURVEY_REFRESH_SECONDS,
            "query": request.GET.urlencode(),
            "generated": timezone.localtime(),
            # Rows are for partnership leads, and never of one about-you slice.
            "row_export": access.may_export_responses and not selection.about,
        },
    )


@in_english
@figure_view(AuditAction.DATA_JSON, bad_filter=_json_errors, json_refusals=True)
def data_json(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> JsonResponse:
    return JsonResponse(dashboard_data(selection, access))


@figure_view(AuditAction.CHARTS_JSON, bad_filter=_json_errors, json_refusals=True)
def charts_json(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> JsonResponse:
    """What the open page fetches to redraw itself: the figures and the header numbers,
    worded like the page."""
    data = worded(dashboard_data(selection, access), page_wording())
    return JsonResponse(
        {
            "min_cell": data["min_cell"],
            "groups": data["groups"],
            "disclosure": data["disclosure"],
            "figures": [{"id": item["id"], "figure": item["figure"]} for item in charts.all_figures(data)],
            "generated": timezone.localtime().isoformat(),
        }
    )


@in_english
@figure_view(AuditAction.EXPORT_AGGREGATE, bad_filter=_json_errors)
def export_aggregate(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    return exports.csv_response(exports.aggregate_rows(dashboard_data(selection, access)), "peer-support-aggregate.csv")


@in_english
@figure_view(AuditAction.EXPORT_RESPONSES, bad_filter=_json_errors)
def export_responses(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    if not access.may_export_responses:
        raise PermissionDenied(_("The response-level export is for partnership leads; the aggregate CSV has your figures."))
    if selection.about:
        # Rows of a slice beside the whole would tell which rows are in the slice.
        return _json_error(400, {code: ["The response export is not filtered by about-you answers."] for code in selection.about})
    rows = exports.response_rows(selection, min_cell=settings.PEERSURVEY_MIN_CELL)
    return exports.csv_response(rows, "peer-support-responses.csv")


SLICED_TREND = _("Trends are shown for everyone: an about-you answer is shown for all dates and waves together.")


def _trend_request(query, selection: Selection, metas) -> tuple[TrendForm, dict[str, list[str]]]:
    """trends.json's own parameters, checked against the selection: a trend or a
    split is of everyone (no about-you filter), and a split is for all dates and waves."""
    form = TrendForm(query, questions=metas)
    errors = {} if form.is_valid() else {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    for code in selection.about:
        # A slice per month or wave would be a slice in a window (docs/disclosure.md).
        errors[code] = [str(SLICED_TREND)]
    windowed = selection.wave or selection.date_from or selection.date_to
    if not errors and form.cleaned_data["by"] not in TIME_PERIODS and windowed:
        errors["by"] = [str(SPLIT_IN_WINDOW)]
    return form, errors


def _trend(selection: Selection, access: Access, trend: TrendForm) -> dict:
    args = {key: trend.cleaned_data[key] for key in ("question", "option", "by")}
    if args["by"] in TIME_PERIODS:
        return trends_data(selection, **args)
    return split_data(selection, access, **args)


TIME_PERIODS = ("month", "quarter", "wave")
SPLIT_IN_WINDOW = _("A split by an about-you answer is shown for all dates and waves: clear the dates and choose All waves.")


@in_english
@figure_view(AuditAction.TRENDS, bad_filter=_json_errors, json_refusals=True)
def trends_json(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> JsonResponse:
    trend, errors = _trend_request(request.GET, selection, questions())
    if errors:
        return _json_error(400, errors)
    return JsonResponse(_trend(selection, access, trend))


@figure_view(AuditAction.TRENDS)
def trends(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    """A trend chart per question (or a split): the page a question's "Trend" link opens."""
    metas = [question for question in questions() if question.section != "about_you"]
    query = request.GET.copy()
    query.setdefault("question", metas[0].code if metas else "")
    trend, errors = _trend_request(query, selection, metas)
    own = _without(request, "question", "option", "by")
    wording = page_wording()
    context = {
        "form": form,
        "access": access,
        "trend_form": trend,
        "question_choices": worded_choices(trend.fields["question"].choices, wording),
        "query": own,
        "trend_query": own,
    }
    if errors:
        context["problem"] = " ".join(messages[0] for messages in errors.values())
        return render(request, "dashboard/trends.html", context, status=400)
    data = worded_answer(_trend(selection, access, trend), wording)
    question = trend.cleaned_data["question"]
    context.update(
        trends=data,
        figure=charts.trend_figure(data),
        plotly_config=charts.CONFIG,
        chosen=question,
        answers=worded_options(question, wording),
    )
    return render(request, "dashboard/trends.html", context)


def _without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


SLICED_SERVICES = _("Services are compared for everyone: clear the about-you answer.")


def _across(request: HttpRequest, access: Access, selection: Selection):
    """The question and answer asked for, checked; refuses service leads (403)."""
    if not access.every_service:
        raise PermissionDenied(_("Comparing every service is for partnership leads; you see your services beside the nation."))
    metas = [question for question in questions() if question.section != "about_you"]
    query = request.GET.copy()
    query.setdefault("question", "useful" if any(q.code == "useful" for q in metas) else (metas[0].code if metas else ""))
    form = TrendForm(query, questions=metas)
    errors = {} if form.is_valid() else {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    for code in selection.about:
        errors[code] = [str(SLICED_SERVICES)]
    return form, errors


@in_english
@figure_view(AuditAction.ACROSS_SERVICES, bad_filter=_json_errors, json_refusals=True)
def services_json(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> JsonResponse:
    try:
        chosen, errors = _across(request, access, selection)
    except PermissionDenied as denied:
        return _json_error(403, {"access": [str(denied)]})
    if errors:
        return _json_error(400, errors)
    return JsonResponse(
        services_data(selection, access, question=chosen.cleaned_data["question"], option=chosen.cleaned_data["option"])
    )


@figure_view(AuditAction.ACROSS_SERVICES)
def across_services(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    """Every service against the national figure: funnel plots and the services furthest from it."""
    chosen, errors = _across(request, access, selection)
    group = request.GET.get("group", "patient")
    wording = page_wording()
    context = {
        "form": form,
        "access": access,
        "trend_form": chosen,
        "question_choices": worded_choices(chosen.fields["question"].choices, wording),
        "query": _without(request, "question", "option", "by", "group"),
        "trend_query": _without(request, "question", "option", "by", "group", "wave", "compare"),
    }
    if errors or group not in ("patient", "staff"):
        context["problem"] = (
            SLICED_SERVICES if selection.about else gettext("Choose a question, an answer and a group from the lists.")
        )
        return render(request, "dashboard/services.html", context, status=400)
    question = chosen.cleaned_data["question"]
    across = worded_answer(services_data(selection, access, question=question, option=chosen.cleaned_data["option"]), wording)
    ranked = sorted(
        (row for row in across["services"] if row[group] and row[group]["z"] is not None),
        key=lambda row: (-abs(row[group]["z"]), row["service"]),
    )
    hidden = [row for row in across["services"] if row[group] is not None and row[group]["pct"] is None]
    context.update(
        across=across,
        group=group,
        chosen=question,
        answers=worded_options(question, wording),
        figure=charts.funnel_figure(across, group),
        plotly_config=charts.CONFIG,
        ranked=[{**row, "cell": row[group]} for row in ranked],
        hidden=hidden,
        national=across["national"][group],
    )
    return render(request, "dashboard/services.html", context)
