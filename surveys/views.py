"""Collection pages: the easy-read patient form and the staff form at /c/<token>/."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import response_form_class, staff_form_helper
from .selectors import active_link, loaded_questionnaire
from .services import SubmissionConflict, link_submit


def _link_or_404(token: str):
    link = active_link(token)
    if link is None:
        raise Http404("This survey link is not in use. Ask staff for a new one.")
    return link


# The page holds a person's answers until Finish: never let a cache keep it.
@never_cache
@require_http_methods(["GET", "POST"])
def collect(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    definition = loaded_questionnaire(link.questionnaire_id).definition
    easy = definition.code == "patient"
    form_class = response_form_class(definition, easy=easy)
    conflict = False
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                link_submit(link=link, submission=form.submission)
            except SubmissionConflict:
                conflict = True
            else:
                return redirect("surveys:thanks", token=link.token)
    else:
        form = form_class()
    context = {"link": link, "definition": definition, "form": form, "conflict": conflict}
    if easy:
        context["screens"] = _patient_screens(definition, form)
        return render(request, "surveys/patient_form.html", context, status=409 if conflict else 200)
    context["helper"] = staff_form_helper(definition)
    return render(request, "surveys/staff_form.html", context, status=409 if conflict else 200)


@never_cache
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    definition = loaded_questionnaire(link.questionnaire_id).definition
    return render(request, "surveys/thanks.html", {"link": link, "definition": definition})


def _patient_screens(definition, form) -> list[dict]:
    """What the patient template loops over: one screen per top-level question."""
    data = form.data if form.is_bound else {}
    chosen = {}
    for question in definition.questions:
        if question.kind == "many":
            chosen[question.code] = set(data.getlist(question.code)) if data else set()
        else:
            chosen[question.code] = data.get(question.code, "") if data else ""
    sections = {section.code: section for section in definition.sections}
    screens = []
    main = [(q, f) for q, f in definition.screens() if q.section != "about_you"]
    about = [(q, f) for q, f in definition.screens() if q.section == "about_you"]
    for number, (question, follow_ups) in enumerate(main, start=1):
        screens.append(
            {
                "number": number,
                "total": len(main),
                "question": question,
                "follow_ups": [(f, chosen[f.code], form.errors.get(f.code)) for f in follow_ups],
                "chosen": chosen[question.code],
                "errors": form.errors.get(question.code),
                "about_you": False,
            }
        )
    if about:
        screens.append(
            {
                "about_you": True,
                "title": sections["about_you"].easy_title or sections["about_you"].title,
                "questions": [(q, chosen[q.code], form.errors.get(q.code)) for q, _ in about],
            }
        )
    return screens
