"""The read side. Filled out by the dashboard issue; for now, counts per service."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.models import Service


@login_required
def index(request: HttpRequest) -> HttpResponse:
    services = Service.objects.annotate(
        patients=Count("responses", filter=Q(responses__questionnaire__code="patient")),
        staff=Count("responses", filter=Q(responses__questionnaire__code="staff")),
    ).order_by("code")
    return render(request, "dashboard/index.html", {"services": services})
