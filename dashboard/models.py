"""Who may see what on the dashboard: a lead's role and services."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.models import Service, Wave


class Role(models.TextChoices):
    PARTNERSHIP_LEAD = "partnership_lead", _("Partnership lead (every service)")
    SERVICE_LEAD = "service_lead", _("Service lead (their services and national figures)")


class Lead(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    services = models.ManyToManyField(Service, blank=True, related_name="leads", verbose_name=_("services"))
    can_review_quotes = models.BooleanField(
        _("can review quotes"), default=False, help_text=_("May approve free-text answers before other leads see them.")
    )
    safeguarding_reviewer = models.BooleanField(
        _("safeguarding reviewer"),
        default=False,
        help_text=_("Named safeguarding reviewer: sees texts flagged as disclosing harm and records what was done."),
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [models.CheckConstraint(condition=Q(role__in=Role.values), name="lead_role_valid")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


LIST_MARK = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*•])\s*")


class ReportText(models.Model):
    """What a lead writes into the report: conclusions and recommendations, for
    one wave (or none: every date) and one service (or none: the national report)."""

    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    conclusions = models.TextField(blank=True)
    recommendations = models.TextField(blank=True, help_text=_("One recommendation per line."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "service"], name="report_text_unique"),
            models.UniqueConstraint(fields=["wave"], condition=Q(service__isnull=True), name="report_text_national_unique"),
            models.UniqueConstraint(fields=["service"], condition=Q(wave__isnull=True), name="report_text_any_wave_unique"),
        ]

    def __str__(self) -> str:
        return f"report text for {self.service or 'every service'}, {self.wave or 'every wave'}"

    @property
    def recommendation_list(self) -> list[str]:
        """One per line; the report numbers them, so a number or bullet typed in front goes.

        >>> ReportText(recommendations="1. Value peer support\\n\\n- Train peers\\n 3) Ask again").recommendation_list
        ['Value peer support', 'Train peers', 'Ask again']
        """
        items = (LIST_MARK.sub("", line).strip() for line in self.recommendations.splitlines())
        return [item for item in items if item]


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("We will do this")
    DOING = "doing", _("We are doing this")
    DONE = "done", _("We did this")


class Action(models.Model):
    """ "You said, we did": what a service did about what its patients and staff said in a wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="actions")
    you_said = models.TextField(help_text=_("What people said, in plain words."))
    we_did = models.TextField(help_text=_("What the service did or will do, in plain words."))
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_on = models.DateField()

    class Meta:
        ordering = ["service__code", "-wave__opens", "id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid")]

    def __str__(self) -> str:
        return f"{self.service.code} {self.wave.code}: {self.get_status_display()}"
