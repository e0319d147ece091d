"""Paper entry: staff key in a paper questionnaire (SPEC: "Paper questionnaires
can be keyed in by staff (channel `paper`)").

The form is the staff form built from the questionnaire definition, on one
page, plus the date written on the paper. It validates through the same code
as the web form and the API, stores through `response_submit`, then starts
again empty: the next paper belongs to someone else.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from surveys.definitions import QuestionnaireDef
from surveys.forms import ResponseForm, response_form_class, staff_form_helper
from surveys.models import Channel, Instrument, Response, Service
from surveys.selectors import latest_questionnaire, loaded_questionnaire
from surveys.services import response_submit

from .access import Access, access_for, visible_services
from .models import AuditAction
from .views import asked, audited


class ChooseForm(forms.Form):
    service = forms.ChoiceField(label="Service")
    questionnaire = forms.ChoiceField(label="Questionnaire", choices=Instrument.choices, widget=forms.RadioSelect)

    def __init__(self, data=None, *, access: Access):
        super().__init__(data)
        self.fields["service"].choices = [
            (service.code, f"{service.code} – {service.name}") for service in visible_services(access)
        ]


def paper_form_class(definition: QuestionnaireDef) -> type[ResponseForm]:
    class PaperForm(response_form_class(definition)):
        paper_date = forms.DateField(
            label="Date on the paper form",
            initial=timezone.localdate,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            help_text="The day the person filled it in, if the paper says; otherwise the day it arrived.",
        )

        def clean_paper_date(self):
            day = self.cleaned_data["paper_date"]
            if day > timezone.localdate():
                raise ValidationError("The date on the paper form cannot be in the future.")
            return day

    return PaperForm


def paper_form_helper(definition: QuestionnaireDef) -> FormHelper:
    helper = staff_form_helper(definition)
    helper.disable_csrf = True  # the template's <form> carries the token
    helper.layout.insert(1, Fieldset("The paper form", "paper_date"))
    helper.layout[-1] = Submit("save", "Save paper questionnaire", css_class="btn-lg")
    return helper


@never_cache
@login_required
@require_GET
def choose(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if "service" not in request.GET:
        return render(request, "dashboard/paper_choose.html", {"form": ChooseForm(access=access), "access": access})
    if not access.may_see_service(request.GET["service"].strip().upper()):
        raise PermissionDenied("You may not enter paper questionnaires for that service.")
    form = ChooseForm(request.GET, access=access)
    if not form.is_valid():
        return render(request, "dashboard/paper_choose.html", {"form": form, "access": access}, status=400)
    return redirect("dashboard:paper-entry", service_code=form.cleaned_data["service"],
                    instrument=form.cleaned_data["questionnaire"])


def _paper_asked(request: HttpRequest, service_code: str, instrument: str) -> dict:
    return {"service": asked(service_code), "questionnaire": asked(instrument)}


# The page holds a person's answers until saved: never let a cache keep it.
@never_cache
@login_required
@audited(AuditAction.PAPER_ENTRY, selection=_paper_asked)
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, service_code: str, instrument: str) -> HttpResponse:
    access = access_for(request.user)
    if not access.may_see_service(service_code):
        raise PermissionDenied("You may enter paper questionnaires for your own services only.")
    # Codes are letters and digits; anything else (a NUL, say) is no service at all.
    service = Service.objects.filter(code=service_code).first() if service_code.isalnum() else None
    questionnaire = latest_questionnaire(instrument) if instrument in Instrument.values else None
    if service is None or questionnaire is None:
        raise Http404("No such service or questionnaire.")
    definition = loaded_questionnaire(questionnaire.pk).definition
    form = paper_form_class(definition)(request.POST if request.method == "POST" else None)
    if form.is_valid():
        # A double click sends the same form (and client_id) twice: store it once.
        response = Response.objects.filter(
            service=service, link__isnull=True, client_id=form.submission.client_id
        ).first() or response_submit(
            service=service,
            questionnaire=questionnaire,
            submission=form.submission,
            channel=Channel.PAPER,
            submitted_on=form.cleaned_data["paper_date"],
        ).response
        messages.success(request, f"Saved paper questionnaire {service.code}{response.number}")
        return redirect(request.path)
    return render(
        request,
        "dashboard/paper_form.html",
        {
            "access": access,
            "service": service,
            "definition": definition,
            "instrument": Instrument(instrument).label,
            "form": form,
            "helper": paper_form_helper(definition),
        },
    )
