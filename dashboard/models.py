"""Who may see what on the dashboard, and the review of free-text quotes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from surveys.models import Service, TextAnswer


class Role(models.TextChoices):
    PARTNERSHIP_LEAD = "partnership_lead", "Partnership lead (every service)"
    SERVICE_LEAD = "service_lead", "Service lead (their services and national figures)"


class Lead(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead")
    role = models.CharField(max_length=20, choices=Role.choices)
    services = models.ManyToManyField(Service, blank=True, related_name="leads")
    can_review_quotes = models.BooleanField(
        default=False, help_text="May approve free-text answers before other leads see them."
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(role__in=Role.values), name="lead_role_valid")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class QuoteStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not shown"


class QuoteReview(models.Model):
    """A lead's decision on one free-text answer. Without one, the text is hidden."""

    answer = models.OneToOneField(TextAnswer, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(max_length=10, choices=QuoteStatus.choices)
    # What leads see: the answer with names or other identifying details taken out.
    text = models.TextField()
    attribution = models.CharField(max_length=120)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_on = models.DateField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(status__in=QuoteStatus.values), name="quote_status_valid")]

    def __str__(self) -> str:
        return f"{self.attribution}: {self.get_status_display()}"
