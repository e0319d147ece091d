"""Who may see what on the dashboard: a lead's role and services."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from surveys.models import Service


class Role(models.TextChoices):
    PARTNERSHIP_LEAD = "partnership_lead", "Partnership lead (every service)"
    SERVICE_LEAD = "service_lead", "Service lead (their services and national figures)"


class Lead(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead")
    role = models.CharField(max_length=20, choices=Role.choices)
    services = models.ManyToManyField(Service, blank=True, related_name="leads")
    can_review_quotes = models.BooleanField(default=False, help_text="May approve free-text answers before other leads see them.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(role__in=Role.values), name="lead_role_valid")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"
