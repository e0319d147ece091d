"""Quotes: free-text answers, hidden until a lead with review rights approves
them, attributed as the report does (patients: service code + number, "CL8";
staff: job title + number, "Staff nurse 19")."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from surveys.models import Question, Response, Service, TextAnswer

from .access import Access, access_for
from .models import AuditAction, QuoteStatus
from .services import attribution, quote_review
from .stats import suppressed
from .views import asked, audited

# Not quotes: a job title is about-you data, used only inside an attribution.
NOT_QUOTES = ("job_title",)


def _visible_answers(access: Access):
    answers = TextAnswer.objects.exclude(question__code__in=NOT_QUOTES)
    if not access.every_service:
        answers = answers.filter(response__service__code__in=access.own_codes)
    return answers


def _parent_title():
    """A follow-up ("Please tell us why") reads best under its question's chart title."""
    return Subquery(
        Question.objects.filter(questionnaire=OuterRef("question__questionnaire"), code=OuterRef("question__parent_code"))
        .values("chart_title")[:1]
    )


def _job_title():
    return Subquery(
        TextAnswer.objects.filter(response=OuterRef("response"), question__code="job_title").values("text")[:1]
    )


class QuoteFilter(forms.Form):
    question = forms.ChoiceField(required=False)
    service = forms.ChoiceField(required=False)

    def __init__(self, data, *, access: Access):
        super().__init__(data)
        codes = sorted(set(TextAnswer.objects.exclude(question__code__in=NOT_QUOTES).values_list("question__code", flat=True)))
        self.fields["question"].choices = [("", "Any question")] + [(code, code) for code in codes]
        services = Service.objects.order_by("code").values_list("code", "name")
        self.fields["service"].choices = [("", "All services you can see")] + [
            (code, f"{code} – {name}") for code, name in services if access.may_see_service(code)
        ]


def _quote_filters_asked(request: HttpRequest) -> dict:
    return {"service": asked(request.GET.get("service")), "question": asked(request.GET.get("question"))}


@never_cache
@login_required
@audited(AuditAction.QUOTES_VIEW, selection=_quote_filters_asked)
def quote_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if request.GET.get("service") and not access.may_see_service(request.GET["service"]):
        raise PermissionDenied("You may not see quotes from that service.")
    form = QuoteFilter(request.GET, access=access)
    if not form.is_valid():
        return render(request, "dashboard/quotes.html", {"form": form, "access": access}, status=400)
    answers = _visible_answers(access).filter(review__status=QuoteStatus.APPROVED)
    scope = Response.objects.all() if access.every_service else Response.objects.filter(service__code__in=access.own_codes)
    if form.cleaned_data["service"]:
        answers = answers.filter(response__service__code=form.cleaned_data["service"])
        scope = scope.filter(service__code=form.cleaned_data["service"])
    if form.cleaned_data["question"]:
        answers = answers.filter(question__code=form.cleaned_data["question"])
    # Suppressed selections show no quotes: a group under the threshold shows none.
    sizes = dict(scope.values_list("questionnaire__code").annotate(n=Count("id")))
    shown = [group for group, n in sizes.items() if not suppressed(n, settings.PEERSURVEY_MIN_CELL)]
    answers = answers.filter(response__questionnaire__code__in=shown).annotate(
        quote=F("review__text"), credit=F("review__attribution"), question_code=F("question__code"),
        question_text=F("question__text"), group=F("response__questionnaire__code"), about=_parent_title(),
    ).order_by("question__position", "response__service__code", "response__number")
    page = Paginator(answers, 50).get_page(request.GET.get("page"))
    hidden_groups = [group for group in sizes if group not in shown]
    return render(
        request,
        "dashboard/quotes.html",
        {"form": form, "access": access, "page": page, "hidden_groups": hidden_groups,
         "min_cell": settings.PEERSURVEY_MIN_CELL},
    )


def _queue_page_asked(request: HttpRequest) -> dict:
    return {"page": asked(request.GET.get("page"))}


# The queue shows unreviewed free text, the most sensitive page of all.
@never_cache
@login_required
@audited(AuditAction.REVIEW_QUEUE, selection=_queue_page_asked)
def review_queue(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_review_quotes:
        raise PermissionDenied("Only leads with review rights can review quotes.")
    pending = (
        _visible_answers(access)
        .filter(review__isnull=True)
        .annotate(
            service_code=F("response__service__code"), number=F("response__number"),
            group=F("response__questionnaire__code"), question_text=F("question__text"), job_title=_job_title(),
        )
        .order_by("response__service__code", "response__number", "question__position")
    )
    page = Paginator(pending, 25).get_page(request.GET.get("page"))
    for answer in page:
        answer.suggested = attribution(
            group=answer.group, service_code=answer.service_code, number=answer.number, job_title=answer.job_title
        )
    return render(request, "dashboard/quote_review.html", {"page": page, "access": access})


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Do not show")])
    text = forms.CharField(required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    attribution = forms.CharField(max_length=120)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "approve" and not (cleaned.get("text") or "").strip():
            self.add_error("text", "An approved quote needs its text (redacted if need be).")
        return cleaned


def _decision_asked(request: HttpRequest, answer_id: int) -> dict:
    return {"answer": answer_id, "decision": asked(request.POST.get("decision"))}


@never_cache
@login_required
@audited(AuditAction.QUOTE_REVIEW, selection=_decision_asked)
@require_http_methods(["POST"])
def review_answer(request: HttpRequest, answer_id: int) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_review_quotes:
        raise PermissionDenied("Only leads with review rights can review quotes.")
    answer = _visible_answers(access).filter(pk=answer_id).first()
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
