"""Quote views: the approved quotes a lead may see, the review queue, and a
reviewer's decision. Parse, call one query or service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.log import audit_safe, audited
from audit.models import AuditAction
from surveys.quotes import quote_review

from ..access import access_for
from ..data import quotes_data, suggest_attributions
from ..forms import QuoteFilter, ReviewForm
from ..queries.quotes import job_title_counts, pending_review, quote_question_codes, visible_answers


def _quote_filters_asked(request: HttpRequest) -> dict:
    return {"service": audit_safe(request.GET.get("service")), "question": audit_safe(request.GET.get("question"))}


@never_cache
@login_required
@audited(AuditAction.QUOTES_VIEW, selection=_quote_filters_asked)
def quote_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if request.GET.get("service") and not access.may_see_service(request.GET["service"]):
        raise PermissionDenied("You may not see quotes from that service.")
    form = QuoteFilter(request.GET, access=access, question_codes=quote_question_codes())
    if not form.is_valid():
        return render(request, "dashboard/quotes.html", {"form": form, "access": access}, status=400)
    quotes, hidden_groups = quotes_data(access, service=form.cleaned_data["service"], question=form.cleaned_data["question"])
    page = Paginator(quotes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/quotes.html",
        {"form": form, "access": access, "page": page, "hidden_groups": hidden_groups, "min_cell": settings.PEERSURVEY_MIN_CELL},
    )


def _queue_page_asked(request: HttpRequest) -> dict:
    return {"page": audit_safe(request.GET.get("page"))}


# The queue shows unreviewed free text, the most sensitive page of all.
@never_cache
@login_required
@audited(AuditAction.REVIEW_QUEUE, selection=_queue_page_asked)
def review_queue(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_review_quotes:
        raise PermissionDenied("Only leads with review rights can review quotes.")
    page = Paginator(pending_review(access), 25).get_page(request.GET.get("page"))
    suggest_attributions(page, job_titles=job_title_counts(access), min_cell=settings.PEERSURVEY_MIN_CELL)
    return render(request, "dashboard/quote_review.html", {"page": page, "access": access})


def _decision_asked(request: HttpRequest, answer_id: int) -> dict:
    return {"answer": answer_id, "decision": audit_safe(request.POST.get("decision"))}


@never_cache
@login_required
@audited(AuditAction.QUOTE_REVIEW, selection=_decision_asked)
@require_http_methods(["POST"])
def review_answer(request: HttpRequest, answer_id: int) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_review_quotes:
        raise PermissionDenied("Only leads with review rights can review quotes.")
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
    return redirect(f"{reverse('dashboard:quote-review')}?page={page if page.isdigit() else 1}")
