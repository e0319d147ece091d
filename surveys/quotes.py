"""Quote governance: free text stays hidden until a lead with review rights
approves it (redacted if need be), and is shown with an attribution. Reviewers
tag approved quotes with themes and choose some for the report and for
patients; a text that discloses harm is flagged, which hides it from all but
the named safeguarding reviewers."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from .codes import Group
from .models import QuoteReview, QuoteStatus, SafeguardingConcern, TextAnswer, Theme


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


# How a choice is named in a form and where it is kept.
QUOTE_CHOICES = {"report": "for_report", "patients": "for_patients"}
THEME_NAME_MAX = Theme._meta.get_field("name").max_length


def theme_name(name: str) -> str:
    """A theme's name as kept: without the spaces around it or runs of them inside.

    >>> theme_name("  Trust   between  peers ")
    'Trust between peers'
    """
    return " ".join(name.split())


def theme_for(name: str) -> Theme:
    """The theme called `name`, made if new. Names match whatever their case, so
    "trust" typed by one reviewer and "Trust" by another count as one theme."""
    name = theme_name(name)
    if not name or len(name) > THEME_NAME_MAX:
        raise ValueError(f"A theme's name is 1 to {THEME_NAME_MAX} characters.")
    existing = Theme.objects.filter(name__iexact=name).first()
    return existing or Theme.objects.get_or_create(name=name)[0]


def quote_tag(review: QuoteReview, theme: Theme, *, tagged: bool = True) -> None:
    """Tag an approved quote with a theme, or (`tagged=False`) take the tag off."""
    if tagged:
        review.themes.add(theme)
    else:
        review.themes.remove(theme)


def quote_choose(review: QuoteReview, *, choice: str, chosen: bool) -> None:
    """Choose a quote for the report or for patients (QUOTE_CHOICES), or unchoose it."""
    setattr(review, QUOTE_CHOICES[choice], chosen)
    review.save(update_fields=[QUOTE_CHOICES[choice]])


def concern_raise(*, answer: TextAnswer, raised_by, note: str = "") -> SafeguardingConcern:
    """Flag a text as disclosing harm: from now on only the named safeguarding
    reviewers see it. Flagged twice (a double click), it is one concern."""
    concern, _ = SafeguardingConcern.objects.get_or_create(
        answer=answer, defaults={"raised_by": raised_by, "raised_on": timezone.localdate(), "note": note.strip()}
    )
    return concern


def concern_record(concern: SafeguardingConcern, *, action: str, close: bool, user) -> SafeguardingConcern:
    """Record what was done about a concern; closed, it says who closed it and when
    (opened again, it says neither)."""
    concern.action = action.strip()
    if close and concern.closed_on is None:
        concern.closed_by, concern.closed_on = user, timezone.localdate()
    elif not close:
        concern.closed_by, concern.closed_on = None, None
    concern.save(update_fields=["action", "closed_by", "closed_on"])
    return concern
