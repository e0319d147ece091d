"""Dashboard views: access first, then parse the filters, then one read call.

No counting, percentages or chart building here (STYLE.md, habit 1).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import charts, exports
from .access import Access, access_for
from .filters import FilterForm, Selection, selection_for
from .reports import about_options, dashboard_data


class BadFilter(Exception):
    def __init__(self, form: FilterForm):
        self.form = form


def _selection(request: HttpRequest, access: Access) -> tuple[FilterForm, Selection]:
    form = FilterForm(request.GET, access=access, about_options=about_options())
    if not form.is_valid():
        raise BadFilter(form)
    return form, selection_for(form, access)


def _json_error(status: int, errors: dict) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


@never_cache
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    try:
        form, selection = _selection(request, access)
    except BadFilter as bad:
        return render(request, "dashboard/index.html", {"form": bad.form, "access": access}, status=400)
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
        },
    )


@never_cache
@login_required
@require_GET
def data_json(request: HttpRequest) -> JsonResponse:
    try:
        access = access_for(request.user)
        _, selection = _selection(request, access)
    except PermissionDenied as denied:
        return _json_error(403, {"access": [str(denied)]})
    except BadFilter as bad:
        return _json_error(400, bad.form.errors_by_public_name())
    return JsonResponse(dashboard_data(selection, access))


@never_cache
@login_required
@require_GET
def charts_json(request: HttpRequest) -> JsonResponse:
    """What the open page fetches to redraw itself: the figures and the header numbers."""
    try:
        access = access_for(request.user)
        _, selection = _selection(request, access)
    except PermissionDenied as denied:
        return _json_error(403, {"access": [str(denied)]})
    except BadFilter as bad:
        return _json_error(400, bad.form.errors_by_public_name())
    data = dashboard_data(selection, access)
    return JsonResponse(
        {
            "min_cell": data["min_cell"],
            "groups": data["groups"],
            "figures": [{"id": item["id"], "figure": item["figure"]} for item in charts.all_figures(data)],
            "generated": timezone.localtime().isoformat(),
        }
    )


@never_cache
@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The printable report: every chart in the report's order, with a print stylesheet."""
    access = access_for(request.user)
    try:
        form, selection = _selection(request, access)
    except BadFilter as bad:
        return render(request, "dashboard/index.html", {"form": bad.form, "access": access}, status=400)
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


@never_cache
@login_required
@require_GET
def export_aggregate(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    try:
        _, selection = _selection(request, access)
    except BadFilter as bad:
        return _json_error(400, bad.form.errors_by_public_name())
    return exports.csv_response(exports.aggregate_rows(dashboard_data(selection, access)), "peer-support-aggregate.csv")


@never_cache
@login_required
@require_GET
def export_responses(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    try:
        _, selection = _selection(request, access)
    except BadFilter as bad:
        return _json_error(400, bad.form.errors_by_public_name())
    return exports.csv_response(exports.response_rows(selection, access), "peer-support-responses.csv")
