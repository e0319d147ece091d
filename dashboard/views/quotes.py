"""Quote views: the approved quotes a lead may see, the review queue, and a
reviewer's decision, themes, choices and safeguarding flag. Parse, call one
query or service, render or redirect."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.log import audit_safe, audited
from audit.models import AuditAction
from surveys.models import Theme
from surveys.quotes import concern_raise, quote_choose, quote_review, quote_tag, theme_for

from ..access import Access, access_for
from ..data import explain_quotes, quote_list_data, suggest_attributions
from ..forms import ConcernForm, QuoteChoiceForm, QuoteFilter, ReviewForm, ThemeForm
from ..queries.quotes import (
    flaggable_answer,
    job_title_counts,
    pending_review,
    quote_questions,
    reviewed_quote,
    visible_answers,
    with_wording,
)


def _quote_filters_asked(request: HttpRequest) -> dict:
    asked = {"service": audit_safe(request.GET.get("service")), "question": audit_safe(request.GET.get("question"))}
    if request.GET.get("theme"):
        asked["theme"] = audit_safe(request.GET["theme"])
    return asked


@never_cache
@login_required
@audited(AuditAction.QUOTES_VIEW, selection=_quote_filters_asked)
def quote_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if request.GET.get("service") and not access.may_see_service(request.GET["service"]):
        raise PermissionDenied(_("You may not see quotes from that service."))
    themes = list(Theme.objects.values_list("pk", "name"))
    form = QuoteFilter(request.GET, access=access, questions=quote_questions(), themes=themes)
    if not form.is_valid():
        return render(request, "dashboard/quotes.html", {"form": form, "access": access}, status=400)
    listed = quote_list_data(
        access, service=form.cleaned_data["service"], question=form.cleaned_data["question"], theme=form.cleaned_data["theme"]
    )
    page = Paginator(listed["quotes"], 50).get_page(request.GET.get("page"))
    explain_quotes(page)
    return render(
        request,
        "dashboard/quotes.html",
        {
            "form": form,
            "access": access,
            "page": page,
            "hidden_groups": listed["hidden"],
            "theme_counts": listed["themes"],
            "themes": themes,
            # Where a reviewer's action on this page comes back to (`_back_to`).
            "back": request.GET.urlencode(),
            "min_cell": settings.PEERSURVEY_MIN_CELL,
        },
    )


def _queue_page_asked(request: HttpRequest) -> dict:
    return {"page": audit_safe(request.GET.get("page"))}


# The queue shows unreviewed free text, the most sensitive page of all.
@never_cache
@login_required
@audited(AuditAction.REVIEW_QUEUE, selection=_queue_page_asked)
def review_queue(request: HttpRequest) -> HttpResponse:
    access = _reviewer(request)
    page = Paginator(pending_review(access), 25).get_page(request.GET.get("page"))
    suggest_attributions(page, job_titles=job_title_counts(access), min_cell=settings.PEERSURVEY_MIN_CELL)
    with_wording(page)
    return render(request, "dashboard/quote_review.html", {"page": page, "access": access})


def _decision_asked(request: HttpRequest, answer_id: int) -> dict:
    return {"answer": answer_id, "decision": audit_safe(request.POST.get("decision"))}


@never_cache
@login_required
@audited(AuditAction.QUOTE_REVIEW, selection=_decision_asked)
@require_http_methods(["POST"])
def review_answer(request: HttpRequest, answer_id: int) -> HttpResponse:
    access = _reviewer(request)
    answer = visible_answers(access).filter(pk=answer_id).first()
    if answer is None:
        raise Http404("No such answer.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return render(request, "dashboard/quote_review.html", {"form_errors": form.errors, "access": access}, status=400)
    quote_review(
        answer=answer,
        approve=form.cleaned_data["decision"] == "approve",
        text=form.cleaned_data["text"],
        attribution=form.cleaned_data["attribution"],
        reviewer=request.user,
    )
    page = request.POST.get("page", "1")
    return redirect(f"{reverse('dashboard:quote-review')}?page={_page_number(page)}")


# --- a reviewer's actions on the quote list and in the queue ------------------------------------

# The quote list's parameters a reviewer's action goes back to.
LIST_PARAMETERS = ("service", "question", "theme", "page")


def _reviewer(request: HttpRequest) -> Access:
    access = access_for(request.user)
    if not access.can_review_quotes:
        raise PermissionDenied(_("Only leads with review rights can review quotes."))
    return access


def _page_number(page: str) -> str:
    return page if page.isascii() and page.isdigit() else "1"


def _back_to(request: HttpRequest) -> str:
    """Where an action returns: the queue's page, or the quote list with its filters
    (`back`, the list's query string). Only the list's own parameters go back,
    re-encoded, so the way back is always one of our pages; the list checks them again."""
    asked = QueryDict(request.POST.get("back", "")[:1000])
    if request.POST.get("to") == "review":
        return f"{reverse('dashboard:quote-review')}?page={_page_number(asked.get('page', '1'))}"
    kept = {key: asked[key][:100] for key in LIST_PARAMETERS if asked.get(key)}
    return reverse("dashboard:quotes") + (f"?{urlencode(kept)}" if kept else "")


def _refused(request: HttpRequest, access: Access, form, status: int = 400) -> HttpResponse:
    return render(
        request,
        "dashboard/quote_action_error.html",
        {"access": access, "errors": [error for errors in form.errors.values() for error in errors], "back": _back_to(request)},
        status=status,
    )


def _approved_quote(access: Access, answer_id: int):
    review = reviewed_quote(access, answer_id)
    if review is None:
        raise Http404("No such approved quote.")
    return review


def _themes_asked(request: HttpRequest, answer_id: int) -> dict:
    return {"answer": answer_id, **{key: audit_safe(request.POST.get(key)) for key in ("theme", "name", "remove")}}


@never_cache
@login_required
@audited(AuditAction.QUOTE_CHOICE, selection=_themes_asked)
@require_http_methods(["POST"])
def quote_themes(request: HttpRequest, answer_id: int) -> HttpResponse:
    access = _reviewer(request)
    review = _approved_quote(access, answer_id)
    form = ThemeForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, form)
    with transaction.atomic():
        if form.cleaned_data["remove"]:
            quote_tag(review, form.cleaned_data["remove"], tagged=False)
        else:
            quote_tag(review, form.cleaned_data["theme"] or theme_for(form.cleaned_data["name"]))
    return redirect(_back_to(request))


def _choice_asked(request: HttpRequest, answer_id: int) -> dict:
    return {
        "answer": answer_id,
        "choice": audit_safe(request.POST.get("choice")),
        "chosen": audit_safe(request.POST.get("chosen")),
    }


@never_cache
@login_required
@audited(AuditAction.QUOTE_CHOICE, selection=_choice_asked)
@require_http_methods(["POST"])
def quote_choice(request: HttpRequest, answer_id: int) -> HttpResponse:
    access = _reviewer(request)
    review = _approved_quote(access, answer_id)
    form = QuoteChoiceForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, form)
    quote_choose(review, choice=form.cleaned_data["choice"], chosen=form.cleaned_data["chosen"])
    return redirect(_back_to(request))


def _concern_asked(request: HttpRequest, answer_id: int) -> dict:
    # Never the note: it may repeat what the text discloses.
    return {"answer": answer_id, "flag": True}


@never_cache
@login_required
@audited(AuditAction.SAFEGUARDING, selection=_concern_asked)
@require_http_methods(["POST"])
def quote_concern(request: HttpRequest, answer_id: int) -> HttpResponse:
    """Flag a text as disclosing harm: it leaves the queue, the list, the report
    and the ward's page at once, for everyone, the flagger too."""
    access = _reviewer(request)
    answer = flaggable_answer(access, answer_id)
    if answer is None:
        raise Http404("No such answer.")
    form = ConcernForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, form)
    concern_raise(answer=answer, raised_by=request.user, note=form.cleaned_data["note"])
    return redirect(_back_to(request))
