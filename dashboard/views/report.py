"""The report views: the page, its PDF and PowerPoint, and the conclusions a
lead writes for it. Access and filters as every figure view (figure_view),
then one call to `report_data`, then render."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.log import audit_safe, audited
from audit.models import AuditAction

from ..access import Access, access_for
from ..forms import ReportTextForm
from ..report import report_data, text_target
from ..report_pdf import PDF_UNAVAILABLE, pdf_bytes
from ..report_pptx import pptx_bytes
from ..selection import Selection
from ..services import report_text_save
from .figures import FilterForm, _json_errors, figure_view

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _file_name(report: dict, extension: str) -> str:
    """A download's name from the report's scope, in the report's language: ASCII only
    (a header carries it), so a Welsh "ŵ" becomes "w"."""
    # Translators: a file name; lower case, words joined by hyphens.
    words = _("peer-support-report-%(scope)s") % {"scope": report["scope"]}
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    name = "".join(c if c.isalnum() else "-" for c in ascii_words.lower()).strip("-")
    while "--" in name:
        name = name.replace("--", "-")
    return f"{name[:80]}.{extension}"


def may_write(access: Access, target: dict | None) -> bool:
    """The national report's conclusions are the partnership's; a service's, its
    own leads' (and the partnership's)."""
    if target is None:
        return False
    if target["service"] is None:
        return access.every_service
    return access.may_see_service(target["service"])


@figure_view(AuditAction.REPORT_VIEW)
def report(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    data = report_data(selection, access)
    target = text_target(selection)
    return render(
        request,
        "dashboard/report.html",
        {
            "report": data,
            "query": request.GET.urlencode(),
            "may_write": may_write(access, target),
            "text_query": urlencode({key: value for key, value in (target or {}).items() if value}),
        },
    )


@figure_view(AuditAction.REPORT_PDF, bad_filter=_json_errors, json_refusals=True)
def report_pdf(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    if PDF_UNAVAILABLE:
        return HttpResponse(PDF_UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
    data = report_data(selection, access)
    html = render_to_string("dashboard/report/pdf.html", {"report": data}, request=request)
    response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(data, "pdf")}"'
    return response


@figure_view(AuditAction.REPORT_PPTX, bad_filter=_json_errors, json_refusals=True)
def report_pptx(request: HttpRequest, access: Access, form: FilterForm, selection: Selection) -> HttpResponse:
    data = report_data(selection, access)
    response = HttpResponse(pptx_bytes(data, translations=translation), content_type=PPTX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(data, "pptx")}"'
    return response


def _text_asked(request: HttpRequest) -> dict:
    source = request.POST if request.method == "POST" else request.GET
    return {"wave": audit_safe(source.get("wave")), "service": audit_safe(source.get("service"))}


@never_cache
@login_required
@audited(AuditAction.REPORT_TEXT, selection=_text_asked)
@require_http_methods(["GET", "POST"])
def report_text(request: HttpRequest) -> HttpResponse:
    """Write or change the conclusions and recommendations of the national
    report or of one service, for a wave or for every date."""
    access = access_for(request.user)
    source = request.POST if request.method == "POST" else request.GET
    form = ReportTextForm(source if request.method == "POST" else None, initial_target=source, access=access)
    target = form.target()
    if target is None:
        return render(request, "dashboard/report_text.html", {"form": form, "access": access}, status=400)
    if not may_write(access, {"service": target["service"].code if target["service"] else None}):
        raise PermissionDenied("You may write conclusions only for your own services' reports.")
    if request.method == "POST":
        if form.is_valid():
            report_text_save(
                wave=target["wave"],
                service=target["service"],
                conclusions=form.cleaned_data["conclusions"],
                recommendations=form.cleaned_data["recommendations"],
                user=request.user,
            )
            return redirect(reverse("dashboard:report") + "?" + form.report_query())
        return render(request, "dashboard/report_text.html", {"form": form, "access": access, "target": target}, status=400)
    return render(request, "dashboard/report_text.html", {"form": form, "access": access, "target": target})
