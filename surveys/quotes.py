"""Quote governance: free text stays hidden until a lead with review rights
approves it (redacted if need be), and is shown with an attribution."""

from __future__ import annotations

from django.utils import timezone

from .codes import Group
from .models import QuoteReview, QuoteStatus, TextAnswer


def attribution(*, group: str, service_code: str, number: int, job_title: str | None) -> str:
    """How the report attributes a quote.

    >>> attribution(group="patient", service_code="CL", number=8, job_title=None)
    'CL8'
    >>> attribution(group="staff", service_code="CL", number=19, job_title="Staff nurse")
    'Staff nurse 19'
    """
    if group == Group.PATIENT:
        return f"{service_code}{number}"
    return f"{job_title or 'Staff member'} {number}"


def quote_review(*, answer: TextAnswer, approve: bool, text: str, attribution: str, reviewer=None) -> QuoteReview:
    """Record a lead's decision on a free-text answer; approved text is what leads see."""
    review, _ = QuoteReview.objects.update_or_create(
        answer=answer,
        defaults={
            "status": QuoteStatus.APPROVED if approve else QuoteStatus.REJECTED,
            "text": (text or answer.text).strip(),
            "attribution": attribution.strip()[:120],
            "reviewed_by": reviewer,
            "reviewed_on": timezone.localdate(),
        },
    )
    return review
