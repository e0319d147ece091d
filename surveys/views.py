"""Collection pages: the easy-read patient form and the staff form at /c/<token>/."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .definitions import ABOUT_YOU
from .forms import form_sections, question_block, response_form_class
from .ratelimit import rate_limit_take
from .selectors import active_link, loaded_questionnaire, revoked_link
from .services import SubmissionConflict, link_submit


def _link_or_404(token: str):
    link = active_link(token)
    if link is None:
        raise Http404("This survey link is not in use. Ask staff for a new one.")
    return link


def _withdrawn(request: HttpRequest, token: str) -> HttpResponse:
    """A ward tablet's revoked link: 404, said plainly, with the tablet's outbox on the
    page, which learns from the API that the link was withdrawn and deletes (and
    counts) what it held for it. Any other unknown or revoked link: the plain 404."""
    link = revoked_link(token)
    if link is None or not link.kiosk:
        raise Http404("This survey link is not in use. Ask staff for a new one.")
    return render(request, "surveys/withdrawn.html", {"link": link}, status=404)


def _closed(request: HttpRequest, link) -> HttpResponse:
    """Its wave is over (close plus grace): 410, said plainly; a tablet's outbox
    on this page learns the same from the API and tells staff what it deleted."""
    return render(request, "surveys/closed.html", {"link": link}, status=410)


# The page holds a person's answers until Finish: never let a cache keep it.
@never_cache
@require_http_methods(["GET", "POST"])
def collect(request: HttpRequest, token: str) -> HttpResponse:
    link = active_link(token)
    if link is None:
        return _withdrawn(request, token)
    if link.is_closed(timezone.localdate()):
        return _closed(request, link)
    # In the page's language; codes, and so the answers, are the same in every language.
    definition = loaded_questionnaire(link.questionnaire_id, translation.get_language()).definition
    easy = definition.code == "patient"
    form_class = response_form_class(definition, easy=easy)
    conflict = False
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            # Only a valid submission takes from the link's allowance (as in the API).
            allowed, retry_after = rate_limit_take(link)
            if not allowed:
                busy = render(request, "surveys/busy.html", {"link": link}, status=429)
                busy["Retry-After"] = str(retry_after)
                return busy
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
        context["outbox_max_days"] = settings.PEERSURVEY_OUTBOX_MAX_DAYS
        return render(request, "surveys/patient_form.html", context, status=409 if conflict else 200)
    context["sections"] = form_sections(form)
    return render(request, "surveys/staff_form.html", context, status=409 if conflict else 200)


@never_cache
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    if link.is_closed(timezone.localdate()):
        return _closed(request, link)
    definition = loaded_questionnaire(link.questionnaire_id, translation.get_language()).definition
    return render(request, "surveys/thanks.html", {"link": link, "definition": definition})


def _patient_screens(definition, form) -> list[dict]:
    """What the patient template loops over: one screen per top-level question,
    in the file's order, numbered once from first to last (no restart at "About
    you"), each the question as every form shows it (`question_block`): its
    options with the boxes beside them, its follow-ups, what it follows from."""
    sections = {section.code: section for section in definition.sections}
    pairs = definition.screens()
    screens = []
    for number, (question, _) in enumerate(pairs, start=1):
        section = sections.get(question.section)
        screens.append(
            {
                "number": number,
                "total": len(pairs),
                "about_you": question.section == ABOUT_YOU,
                "section_title": (section.easy_title or section.title) if section else "",
                "block": question_block(form, question, easy=True),
            }
        )
    return screens


SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "js" / "service-worker.js"


def service_worker(request: HttpRequest) -> HttpResponse:
    """The ward tablets' service worker, served from the root so it may control /c/ pages."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
