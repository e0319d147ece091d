"""Paper entry: staff key in a paper questionnaire, channel `paper` (docs/contract.md,
"Collection rules").

The form is the staff form built from the questionnaire definition, on one
page, plus the date written on the paper. It validates through the same code
as the web form and the API, stores through `response_submit`, then starts
again empty: the next paper belongs to someone else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import audit_safe, audited
from audit.models import AuditAction
from surveys.codes import Channel, Group
from surveys.forms import form_sections
from surveys.models import Service
from surveys.selectors import loaded_questionnaire, questionnaire_version
from surveys.services import SubmissionConflict, response_submit

from ..access import access_for
from ..forms import ChooseForm, paper_form_class


@never_cache
@login_required
@require_GET
def choose(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if "service" not in request.GET:
        return render(request, "dashboard/paper_choose.html", {"form": ChooseForm(access=access), "access": access})
    if not access.may_see_service(request.GET["service"].strip().upper()):
        raise PermissionDenied(_("You may not enter paper questionnaires for that service."))
    form = ChooseForm(request.GET, access=access)
    if not form.is_valid():
        return render(request, "dashboard/paper_choose.html", {"form": form, "access": access}, status=400)
    target = reverse("dashboard:paper-entry", args=[form.cleaned_data["service"], form.cleaned_data["questionnaire"]])
    version = form.cleaned_data["version"]
    return redirect(f"{target}?version={version}" if version else target)


# One whole sentence per questionnaire, so that each translates as a sentence.
SAVED = {
    Group.PATIENT: _(
        "Saved a paper patient survey for %(service)s. "
        "Its answers join the figures with the next batch of %(min_cell)s or more from this service."
    ),
    Group.STAFF: _(
        "Saved a paper staff survey for %(service)s. "
        "Its answers join the figures with the next batch of %(min_cell)s or more from this service."
    ),
}


def _paper_asked(request: HttpRequest, service_code: str, group: str) -> dict:
    return {"service": audit_safe(service_code), "questionnaire": audit_safe(group)}


# The page holds a person's answers until saved: never let a cache keep it.
@never_cache
@login_required
@audited(AuditAction.PAPER_ENTRY, selection=_paper_asked)
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, service_code: str, group: str) -> HttpResponse:
    access = access_for(request.user)
    if not access.may_see_service(service_code):
        raise PermissionDenied(_("You may enter paper questionnaires for your own services only."))
    # Codes are letters and digits; anything else (a NUL, say) is no service at all.
    service = Service.objects.filter(code=service_code).first() if service_code.isalnum() else None
    questionnaire = questionnaire_version(group, request.GET.get("version", ""))
    if service is None or questionnaire is None:
        raise Http404("No such service or questionnaire.")
    definition = loaded_questionnaire(questionnaire.pk).definition
    form = paper_form_class(definition)(request.POST if request.method == "POST" else None)
    if form.is_valid():
        # A double click sends the same form (and client_id) twice: stored once.
        try:
            response_submit(
                service=service,
                questionnaire=questionnaire,
                submission=form.submission,
                channel=Channel.PAPER,
                submitted_on=form.cleaned_data["paper_date"],
            )
        except SubmissionConflict:
            # Saved, then Back, an answer changed and saved again: the first is kept.
            messages.error(
                request,
                gettext(
                    "This paper was saved already, with other answers; those are kept and nothing new was stored. "
                    "To key in another paper, start a new form."
                ),
            )
            return redirect(request.get_full_path())
        # No running number or count: either would tell which answers in the
        # figures are this paper's (docs/disclosure.md).
        saved = SAVED[group] % {"service": service.code, "min_cell": settings.PEERSURVEY_MIN_CELL}
        messages.success(request, saved)
        return redirect(request.get_full_path())
    return render(
        request,
        "dashboard/paper_form.html",
        {
            "access": access,
            "service": service,
            "definition": definition,
            "group": Group(group).label,
            "form": form,
            "sections": form_sections(form),
        },
    )
