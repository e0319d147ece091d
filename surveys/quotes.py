"""Quote governance: free text stays hidden until a lead with review rights
approves it (redacted if need be), and is shown with an attribution."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from .codes import Group
from .models import QuoteReview, QuoteStatus, TextAnswer


def quote_label(response_id, question: str = "") -> int:
    """The number a quote is credited with: drawn from the response's random id
    and the question, so it says nothing of when the person answered (a
    running number would), and one person's quotes do not share it: each of
    their boxes says which option they ticked, and together those could single
    out their row of answers (docs/disclosure.md, rule 7).

    >>> import uuid
    >>> person = uuid.UUID("00000000-0000-4000-8000-000000000007")
    >>> quote_label(person, "useful_why"), quote_label(person, "comments"), quote_label(person, "useful_why")
    (89, 51, 89)
    """
    digest = hashlib.sha256(f"{getattr(response_id, 'hex', response_id)}:{question}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % LABELS + 1


LABELS = 999


def attribution(*, group: str, service_code: str, label: int, job_title: str | None) -> str:
    """How the report attributes a quote: patients by service and number, staff
    by job title and number. `job_title` is None unless enough staff of the
    service share it that it points at nobody (`queries.quotes.job_title_counts`).

    >>> attribution(group="patient", service_code="CL", label=8, job_title=None)
    'CL8'
    >>> attribution(group="staff", service_code="CL", label=19, job_title="Staff nurse")
    'Staff nurse 19'
    >>> attribution(group="staff", service_code="CL", label=19, job_title=None)
    'Staff member 19'
    """
    if group == Group.PATIENT:
        return f"{service_code}{label}"
    return f"{job_title or 'Staff member'} {label}"


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
