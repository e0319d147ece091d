"""Dashboard views: access first, then parse the filters, then one read call.

No counting, percentages or chart building here (STYLE.md, habit 1). Every view
that shows or changes survey data is `@audited`, refusals included.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import charts, exports
from .access import Access, access_for
from .filters import FilterForm, Selection, selection_for
from .models import AuditAction
from .reports import about_options, dashboard_data
from .services import audit_record


def asked(value: str | None) -> str | None:
    """A value from the request as the audit log keeps it: typed by anyone, so bounded,
    and without control characters (PostgreSQL's jsonb refuses a NUL)."""
    if not value:
        return None
    return "".join(char if char.isprintable() else "\N{REPLACEMENT CHARACTER}" for char in value[:100])


def _filters_asked(request: HttpRequest, **kwargs) -> dict:
    """The checked selection once it parses; until then the query string, in the same shape."""
    checked = getattr(request, "audit_selection", None)
    if checked is not None:
        return checked
    return {
        key: [asked(value) for value in request.GET.getlist(key)] if isinstance(empty, list) else asked(request.GET.get(key))
        for key, empty in Selection().as_dict().items()
    }


def audited(action: AuditAction, selection=_filters_asked):
    """Record one AuditEvent per request of a logged-in user, whatever the outcome.

    `selection(request, **url_kwargs)` says what was asked for. A refusal raised
    as PermissionDenied or Http404 is recorded as 403 or 404, then re-raised.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            status = 500
            try:
                response = view(request, *args, **kwargs)
                status = response.status_code
                return response
            except PermissionDenied:
                status = 403
                raise
            except Http404:
                status = 404
                raise
            finally:
                if request.user.is_authenticated:
                    audit_record(user=request.user, action=action, selection=selection(request, **kwargs), status=status)

        return wrapper

    return decorate


class BadFilter(Exception):
    def __init__(self, form: FilterForm):
        self.form = form


def _selection(request: HttpRequest, access: Access) -> tuple[FilterForm, Selection]:
    form = FilterForm(request.GET, access=access, about_options=about_options())
    if not form.is_valid():
        raise BadFilter(form)
    selection = selection_for(form, access)
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
@audited(AuditAction.DASHBOARD_VIEW)
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
@audited(AuditAction.DATA_JSON)
@require_GET
def data_json(request: HttpRequest) -> JsonResponse:
    try:
        access, selection = _json_selection(request)
    except JsonRefusal as refusal:
        return refusal.response
    return JsonResponse(dashboard_data(selection, access))


@never_cache
@login_required
@audited(AuditAction.CHARTS_JSON)
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
@audited(AuditAction.REPORT_VIEW)
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
@audited(AuditAction.EXPORT_AGGREGATE)
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
@audited(AuditAction.EXPORT_RESPONSES)
@require_GET
def export_responses(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    try:
        _, selection = _selection(request, access)
    except BadFilter as bad:
        return _json_error(400, bad.form.errors_by_public_name())
    return exports.csv_response(exports.response_rows(selection, access), "peer-support-responses.csv")
