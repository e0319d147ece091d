"""'You said, we did': a service lead records, per wave, what their service did
about what people said; patients read it on the ward's results page
(dashboard/views/ward.py). Parse, check access, call one service, render.

A service lead writes for their own services, a partnership lead for every
service. Every POST is in the audit log (AuditAction.ACTIONS), refusals included.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import audit_safe, audited
from audit.models import AuditAction
from surveys.codes import Group
from surveys.models import CollectionLink, Service, Wave
from surveys.selectors import wave_open_on

from ..access import Access, access_for, visible_services
from ..forms import ActionForm
from ..models import Action
from ..services import ActionError, action_delete, action_save


def _asked(request: HttpRequest, action_id: int | None = None) -> dict:
    """What the audit log records of a POST: where, and which action (not the texts)."""
    return {
        "service": audit_safe(request.POST.get("service") or request.GET.get("service")),
        "wave": audit_safe(request.POST.get("wave") or request.GET.get("wave")),
        "action": action_id,
        "do": "delete" if request.path.endswith("/delete/") else ("edit" if action_id else "add"),
    }


def _audited_post(view):
    """Audit the writes (every POST), not the reading of the list."""
    logged = audited(AuditAction.ACTIONS, selection=_asked)(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return (logged if request.method == "POST" else view)(request, *args, **kwargs)

    return wrapper


def current_wave(waves: list[Wave]) -> Wave | None:
    """The wave a lead most likely means, of `waves` newest first: the one open
    today, else the latest opened, else the first to come."""
    today = timezone.localdate()
    return wave_open_on(today) or next((wave for wave in waves if wave.opens <= today), None) or (waves[-1] if waves else None)


def _wave(code: str | None, waves: list[Wave]) -> Wave | None:
    if not code:
        return current_wave(waves)
    wave = next((wave for wave in waves if wave.code == code), None)
    if wave is None:
        raise Http404("No such wave.")
    return wave


def _service(code: str | None, access: Access) -> Service | None:
    """The service asked for (403 if the user may not see it, 404 if there is none), or their first."""
    if not code:
        return visible_services(access).first()
    code = code.strip().upper()
    if not access.may_see_service(code):
        raise PermissionDenied(_("You may record actions for your own services only."))
    service = Service.objects.filter(code=code).first() if code.isalnum() else None
    if service is None:
        raise Http404("No such service.")
    return service


def _list_url(wave: Wave, service: Service) -> str:
    return f"{reverse('dashboard:actions')}?{urlencode({'wave': wave.code, 'service': service.code})}"


def _visible_action(access: Access, action_id: int) -> Action:
    action = Action.objects.select_related("service", "wave").filter(pk=action_id).first()
    if action is None:
        raise Http404("No such action.")
    if not access.may_see_service(action.service.code):
        raise PermissionDenied(_("You may change actions of your own services only."))
    return action


@never_cache
@login_required
@_audited_post
@require_http_methods(["GET", "POST"])
def action_list(request: HttpRequest) -> HttpResponse:
    """A service's actions in a wave, and a form to add one (POST here adds)."""
    access = access_for(request.user)
    asked = request.POST if request.method == "POST" else request.GET
    waves = list(Wave.objects.order_by("-opens", "code"))
    wave = _wave(asked.get("wave"), waves)
    service = _service(asked.get("service"), access)
    form = ActionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if wave is None or service is None:
            raise Http404("Choose a wave and a service first.")
        if form.is_valid():
            try:
                action_save(user=request.user, wave=wave, service=service, **form.cleaned_data)
            except ActionError as problem:
                form.add_error(None, str(problem))
            else:
                messages.success(
                    request, gettext("Added an action for %(service)s, %(wave)s.") % {"service": service.name, "wave": wave.name}
                )
                return redirect(_list_url(wave, service))
        status = 400
    actions = Action.objects.filter(wave=wave, service=service).order_by("id") if wave and service else []
    return render(
        request,
        "dashboard/actions.html",
        {
            "access": access,
            "waves": waves,
            "wave": wave,
            "services": list(visible_services(access)),
            "service": service,
            "actions": actions,
            "form": form,
            # Where patients read them: the results page of each of the service's patient links.
            "result_links": (
                CollectionLink.objects.filter(
                    service=service, questionnaire__code=Group.PATIENT, revoked_on__isnull=True
                ).order_by("-kiosk", "label", "pk")
                if service
                else []
            ),
        },
        status=status,
    )


@never_cache
@login_required
@_audited_post
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    access = access_for(request.user)
    action = _visible_action(access, action_id)
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                action_save(user=request.user, action=action, **form.cleaned_data)
            except ActionError as problem:
                form.add_error(None, str(problem))
            else:
                messages.success(request, gettext("Saved your changes."))
                return redirect(_list_url(action.wave, action.service))
        # Nothing saved: show what they typed, with what to change.
        return render(request, "dashboard/action_edit.html", {"access": access, "action": action, "form": form}, status=400)
    form = ActionForm(initial={"you_said": action.you_said, "we_did": action.we_did, "status": action.status})
    return render(request, "dashboard/action_edit.html", {"access": access, "action": action, "form": form})


@never_cache
@login_required
@_audited_post
@require_POST
def action_remove(request: HttpRequest, action_id: int) -> HttpResponse:
    access = access_for(request.user)
    action = _visible_action(access, action_id)
    wave, service = action.wave, action.service
    action_delete(action=action)
    messages.success(request, gettext("Deleted the action “%(action)s”.") % {"action": _short(action.you_said)})
    return redirect(_list_url(wave, service))


def _short(text: str, limit: int = 60) -> str:
    """
    >>> _short("We want more time outside"), _short("x" * 70, 10)
    ('We want more time outside', 'xxxxxxxxx…')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
