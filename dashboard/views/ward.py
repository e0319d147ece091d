"""The ward's results page, GET /c/<token>/results/: what a collection link's
service heard and did, in easy read, for the patients who answered.

No login: whoever holds the link may see it, so it shows less than the service's
own lead sees (dashboard.data.ward_results_data). It lives on the read side and
is routed under the link's address by peersurvey/urls.py: surveys never imports
the dashboard.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from surveys.selectors import active_link

from ..data import ward_results_data


# Figures change as batches are released: always ask the server first (the ward
# tablets' service worker keeps a copy for when there is no network).
@never_cache
@require_safe
def results(request: HttpRequest, token: str) -> HttpResponse:
    link = active_link(token)
    if link is None:
        return render(request, "dashboard/ward_results_missing.html", status=404)
    return render(
        request,
        "dashboard/ward_results.html",
        {"link": link, "results": ward_results_data(link), "today": timezone.localdate()},
    )
