"""The figure views: the page, data.json, charts.json, the printable report and
the CSV exports. Access first, then the filters, then one read call, then render.

No counting, percentages or chart building here. Every view that shows survey
data is `@audited`, refusals included.
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


class JsonRefusal(Exception):
    def __init__(self, response: JsonResponse):
        self.response = response


def _json_selection(request: HttpRequest) -> tuple[Access, Selection]:
    """Access and filters for a JSON endpoint; refusals answer in JSON (403, 400)."""
    try:
        access = access_for(request.user)
        return access, _selection(request, access)[1]
    except PermissionDenied as denied:
        raise JsonRefusal(_json_error(403, {"access": [str(denied)]})) from None
    except BadFilter as bad:
        raise JsonRefusal(_json_error(400, bad.form.errors_by_public_name())) from None


@never_cache
@login_required
@audited(AuditAction.DASHBOARD_VIEW, selection=filters_asked)
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
@audited(AuditAction.DATA_JSON, selection=filters_asked)
@require_GET
def data_json(request: HttpRequest) -> JsonResponse:
    try:
        access, selection = _json_selection(request)
    except JsonRefusal as refusal:
        return refusal.response
    return JsonResponse(dashboard_data(selection, access))


@never_cache
@login_required
@audited(AuditAction.CHARTS_JSON, selection=filters_asked)
@require_GET
def charts_json(request: HttpRequest) -> JsonResponse:
    """What the open page fetches to redraw itself: the figures and the header numbers."""
    try:
        access, selection = _json_selection(request)
    except JsonRefusal as refusal:
        return refusal.response
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
@audited(AuditAction.REPORT_VIEW, selection=filters_asked)
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
@audited(AuditAction.EXPORT_AGGREGATE, selection=filters_asked)
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
@audited(AuditAction.EXPORT_RESPONSES, selection=filters_asked)
@require_GET
def export_responses(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    try:
        _, selection = _selection(request, access)
    except BadFilter as bad:
        return _json_error(400, bad.form.errors_by_public_name())
    return exports.csv_response(exports.response_rows(selection, access), "peer-support-responses.csv")
