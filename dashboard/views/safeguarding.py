"""Safeguarding concerns: texts a reviewer flagged as disclosing harm, for the
named safeguarding reviewers only (Lead.safeguarding_reviewer; a superuser is
not one unless named), and what they did about each. Every request is audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.log import audited
from audit.models import AuditAction
from surveys.quotes import concern_record

from ..access import Access, access_for
from ..forms import ConcernActionForm
from ..queries.quotes import safeguarding_concerns, visible_concern


def _named_reviewer(request: HttpRequest) -> Access:
    """Flagged texts are for the people named to act on them: not every lead, and
    not an administrator who happens to be a superuser."""
    access = access_for(request.user)
    if not access.safeguarding_reviewer:
        raise PermissionDenied(_("Only the named safeguarding reviewers see flagged texts."))
    return access


def _page(request: HttpRequest, access: Access, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    concerns = safeguarding_concerns(access)
    return render(
        request,
        "dashboard/safeguarding.html",
        {
            "access": access,
            "open": [concern for concern in concerns if concern["closed_on"] is None],
            "closed": [concern for concern in concerns if concern["closed_on"] is not None],
            "errors": errors or {},
        },
        status=status,
    )


@never_cache
@login_required
@audited(AuditAction.SAFEGUARDING, selection=lambda request: {"page": "concerns"})
def concerns(request: HttpRequest) -> HttpResponse:
    return _page(request, _named_reviewer(request))


def _record_asked(request: HttpRequest, concern_id: int) -> dict:
    # Never what was done: it may repeat what the text discloses.
    return {"concern": concern_id, "close": bool(request.POST.get("close"))}


@never_cache
@login_required
@audited(AuditAction.SAFEGUARDING, selection=_record_asked)
@require_http_methods(["POST"])
def record(request: HttpRequest, concern_id: int) -> HttpResponse:
    access = _named_reviewer(request)
    concern = visible_concern(access, concern_id)
    if concern is None:
        raise Http404("No such concern.")
    form = ConcernActionForm(request.POST)
    if not form.is_valid():
        return _page(request, access, errors={concern.pk: [e for errors in form.errors.values() for e in errors]}, status=400)
    concern_record(concern, action=form.cleaned_data["action"], close=form.cleaned_data["close"], user=request.user)
    return redirect("dashboard:safeguarding")
