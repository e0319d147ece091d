"""The figure views: the page, data.json, charts.json, the printable report and
the CSV exports. Access first, then the filters, then one read call, then render.

No counting, percentages or chart building here. Every view that shows survey
data is `@audited`, refusals included.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.log import audit_safe, audited
from audit.models import AuditAction

from .. import charts, exports
from ..access import Access, access_for
from ..data import about_options, dashboard_data
from ..forms import FilterForm
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
    selection = selection_for(form.cleaned_data, access)
    request.audit_selection = selection.as_dict()
    return form, selection


def _json_error(status: int, errors: dict) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


def _page_with_errors(request: HttpRequest, form: FilterForm, access: Access) -> HttpResponse:
    return render(request, "dashboard/index.html", {"form": form, "access": access}, status=400)


def _json_errors(request: HttpRequest, form: FilterForm, access: Access) -> JsonResponse:
    return _json_error(400, form.errors_by_public_name())


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
                    return _json_error(403, {"access": [str(denied)]})
                raise
            except BadFilter as bad:
                return bad_filter(request, bad.form, access)
            return view(request, access, form, selection)

        return never_cache(login_required(audited(action, selection=filters_asked)(require_GET(checked))))

    return decorate


@figure_view(AuditAction.DASHBOARD_VIEW)
def index(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    data = dashboard_data(selection, access)
    return render(
        request,
        "dashboard/index.html",
        {
            "form": form,
            "access": access,
            "data": data,
            "figures": charts.all_figures(data),
            "plotly_config": charts.CONFIG,
            "refresh_seconds": settings.PEERSURVEY_REFRESH_SECONDS,
            "query": request.GET.urlencode(),
            "generated": timezone.localtime(),
            # Rows are for partnership leads, and never of one about-you slice.
            "row_export": access.may_export_responses and not selection.about,
        },
    )


@figure_view(AuditAction.DATA_JSON, bad_filter=_json_errors, json_refusals=True)
def data_json(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> JsonResponse:
    return JsonResponse(dashboard_data(selection, access))


@figure_view(AuditAction.CHARTS_JSON, bad_filter=_json_errors, json_refusals=True)
def charts_json(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> JsonResponse:
    """What the open page fetches to redraw itself: the figures and the header numbers."""
    data = dashboard_data(selection, access)
    return JsonResponse(
        {
            "min_cell": data["min_cell"],
            "groups": data["groups"],
            "disclosure": data["disclosure"],
            "figures": [{"id": item["id"], "figure": item["figure"]} for item in charts.all_figures(data)],
            "generated": timezone.localtime().isoformat(),
        }
    )


@figure_view(AuditAction.REPORT_VIEW)
def report(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    """The printable report: every chart in the report's order, with a print stylesheet."""
    data = dashboard_data(selection, access)
    return render(
        request,
        "dashboard/report.html",
        {
            "data": data,
            "figures": charts.all_figures(data),
            "plotly_config": {**charts.CONFIG, "staticPlot": True},
            "selection": selection.describe(),
            "generated": timezone.localtime(),
        },
    )


@figure_view(AuditAction.EXPORT_AGGREGATE, bad_filter=_json_errors)
def export_aggregate(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    return exports.csv_response(exports.aggregate_rows(dashboard_data(selection, access)), "peer-support-aggregate.csv")


@figure_view(AuditAction.EXPORT_RESPONSES, bad_filter=_json_errors)
def export_responses(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    if not access.may_export_responses:
        raise PermissionDenied("The response-level export is for partnership leads; the aggregate CSV has your figures.")
    if selection.about:
        # Rows of a slice beside the whole would tell which rows are in the slice.
        return _json_error(400, {code: ["The response export is not filtered by about-you answers."] for code in selection.about})
    rows = exports.response_rows(selection, min_cell=settings.PEERSURVEY_MIN_CELL)
    return exports.csv_response(rows, "peer-support-responses.csv")
