"""Administration of dashboard accounts, quote reviews and the audit log.

Leads are made and changed with `manage.py add_user` (which checks that a
service lead has services) and reviews on the dashboard, so here both can be
looked at and withdrawn by deleting, not edited. The audit log can only be read.
"""

from django.contrib import admin

from .models import AuditEvent, Lead, QuoteReview


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    """Deleting a lead takes the dashboard role away and keeps the account."""

    list_display = ["user", "role", "service_codes", "can_review_quotes"]
    list_filter = ["role", "can_review_quotes"]
    search_fields = ["user__username"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")

    @admin.display(description="Services")
    def service_codes(self, lead):
        return ", ".join(service.code for service in lead.services.all()) or "every service"


@admin.register(QuoteReview)
class QuoteReviewAdmin(ReadOnlyAdmin):
    """Deleting a review hides the quote again and puts the answer back in the review queue."""

    list_display = ["attribution", "status", "reviewed_by", "reviewed_on"]
    list_filter = ["status", "reviewed_on"]
    search_fields = ["attribution", "reviewed_by__username"]
    list_select_related = ["reviewed_by"]
    # Not the answer as written: only reviewed text is shown to anyone but the reviewer.
    fields = ["status", "text", "attribution", "reviewed_by", "reviewed_on"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "action", "status", "selection"]
    list_filter = ["action", "status"]
    search_fields = ["username"]
    date_hierarchy = "at"
    fields = ["at", "username", "user", "action", "selection", "status"]

    def has_delete_permission(self, request, obj=None):
        # The record of who saw what: nobody removes it through the app.
        return False
