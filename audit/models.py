"""The audit log: who looked at or changed survey data, and what they got.

Both sides write to it (the dashboard's views, the collection side's commands),
so it is an app of its own that depends on neither.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AuditAction(models.TextChoices):
    DASHBOARD_VIEW = "dashboard_view", "Dashboard page"
    DATA_JSON = "data_json", "data.json"
    CHARTS_JSON = "charts_json", "charts.json"
    TRENDS = "trends", "Trends (page or trends.json)"
    ACROSS_SERVICES = "across_services", "Services compared"
    REPORT_VIEW = "report_view", "Printable report"
    REPORT_PDF = "report_pdf", "Report (PDF)"
    REPORT_PPTX = "report_pptx", "Report (PowerPoint)"
    REPORT_TEXT = "report_text", "Report conclusions edited"
    ACTIONS = "actions", "You said, we did (edited)"
    QUOTE_CHOICE = "quote_choice", "Quote themes and choices"
    SAFEGUARDING = "safeguarding", "Safeguarding concerns"
    EXPORT_AGGREGATE = "export_aggregate", "Aggregate CSV export"
    EXPORT_RESPONSES = "export_responses", "Response CSV export"
    QUOTES_VIEW = "quotes_view", "Approved quotes"
    REVIEW_QUEUE = "review_queue", "Quotes awaiting review"
    QUOTE_REVIEW = "quote_review", "Quote decision"
    PAPER_ENTRY = "paper_entry", "Paper entry"
    PURGE = "purge", "Responses purged"


class AuditEvent(models.Model):
    """Who looked at or changed survey data, when, with which filters, and what they got.

    Written only by `audit.log.audit_record`; the admin shows it read-only. No client
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
        # The table was made by the dashboard app, where the log began.
        db_table = "dashboard_auditevent"
        constraints = [models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="audit_action_valid")]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.status}"
