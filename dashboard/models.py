"""Who may see what on the dashboard, the review of free-text quotes, and the audit log."""

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


class AuditAction(models.TextChoices):
    DASHBOARD_VIEW = "dashboard_view", "Dashboard page"
    DATA_JSON = "data_json", "data.json"
    CHARTS_JSON = "charts_json", "charts.json"
    REPORT_VIEW = "report_view", "Printable report"
    EXPORT_AGGREGATE = "export_aggregate", "Aggregate CSV export"
    EXPORT_RESPONSES = "export_responses", "Response CSV export"
    QUOTES_VIEW = "quotes_view", "Approved quotes"
    REVIEW_QUEUE = "review_queue", "Quotes awaiting review"
    QUOTE_REVIEW = "quote_review", "Quote decision"
    PAPER_ENTRY = "paper_entry", "Paper entry"
    PURGE = "purge", "Responses purged"


class AuditEvent(models.Model):
    """Who looked at or changed survey data, when, with which filters, and what they got.

    Written only by `audit_record`; the admin shows it read-only. No client
    address or user agent: the log is about staff actions, and an address would
    be identifying data we promised not to keep.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The name as text survives the account's deletion; the link is for convenience.
    username = models.CharField(max_length=150)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    selection = models.JSONField(default=dict, blank=True, help_text="The filters asked for, or what was acted on.")
    status = models.PositiveSmallIntegerField(help_text="The HTTP status of the outcome: 200, 302, 400, 403, 404.")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="audit_action_valid")]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.status}"
