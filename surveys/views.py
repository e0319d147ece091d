"""Collection pages: the easy-read patient form and the staff form at /c/<token>/."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .codes import Kind
from .definitions import ABOUT_YOU
from .forms import form_sections, response_form_class
from .ratelimit import rate_limit_take
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
        allowed, _ = rate_limit_take(link)
        if not allowed:
            return render(request, "surveys/busy.html", {"link": link}, status=429)
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
        # "Are you still there?" counts down for half the idle time, at most 30 s.
        context["countdown"] = max(2, min(30, link.idle_seconds // 2))
        context["support_lines"] = support_lines(link.service)
        return render(request, "surveys/patient_form.html", context, status=409 if conflict else 200)
    context["sections"] = form_sections(form)
    context["support_lines"] = support_lines(link.service)
    return render(request, "surveys/staff_form.html", context, status=409 if conflict else 200)


@never_cache
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    definition = loaded_questionnaire(link.questionnaire_id).definition
    context = {"link": link, "definition": definition, "support_lines": support_lines(link.service)}
    return render(request, "surveys/thanks.html", context)


# Shown at the end when a service has not written its own: someone on the ward,
# an advocate, and a free line that answers day and night.
GENERAL_SUPPORT = (
    "Talk to a member of staff you trust.",
    "Talk to your advocate.",
    "Call Samaritans free, day or night: 116 123.",
)


def support_lines(service) -> list[str]:
    """Where to get support if the questions upset someone: the service's own
    lines (set by an administrator), else the general advice."""
    own = [line.strip() for line in (service.support or "").splitlines() if line.strip()]
    return own or list(GENERAL_SUPPORT)


def _patient_screens(definition, form) -> list[dict]:
    """What the patient template loops over: one screen per top-level question,
    in the file's order, numbered once from first to last (no restart at "About
    you"). A screen carries its branching (`show_if_*`), the follow-ups that
    explain the whole question and, per option, the follow-ups shown when it is
    ticked; the tablet script hides what does not apply."""
    data = form.data if form.is_bound else None
    sections = {section.code: section for section in definition.sections}

    def chosen(question):
        if data is None:
            return set() if question.kind == Kind.MANY else ""
        return set(data.getlist(question.code)) if question.kind == Kind.MANY else data.get(question.code, "")

    def entry(question):
        return (question, chosen(question), form.errors.get(question.code))

    pairs = definition.screens()
    screens = []
    for number, (question, follow_ups) in enumerate(pairs, start=1):
        section = sections.get(question.section)
        condition = definition.question(question.show_if_question) if question.show_if_question else None
        screens.append(
            {
                "number": number,
                "total": len(pairs),
                "about_you": question.section == ABOUT_YOU,
                "section_title": (section.easy_title or section.title) if section else "",
                "question": question,
                "chosen": chosen(question),
                "errors": form.errors.get(question.code),
                "follow_ups": [entry(f) for f in follow_ups],
                "option_rows": option_rows(definition, question, entry),
                "condition_labels": [
                    option.easy_label or option.label for option in condition.options if option.code in question.show_if_options
                ]
                if condition
                else [],
            }
        )
    return screens


def option_rows(definition, question, entry) -> list[tuple]:
    """Each option with the follow-ups shown beside it when ticked, as `entry` makes them."""
    beside = definition.option_follow_ups(question.code)
    return [(option, [entry(f) for f in beside.get(option.code, ())]) for option in question.options]


SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "js" / "service-worker.js"


def service_worker(request: HttpRequest) -> HttpResponse:
    """The ward tablets' service worker, served from the root so it may control /c/ pages."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
