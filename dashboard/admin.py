"""Administration of dashboard accounts.

Leads are made and changed with `manage.py add_user` (which checks that a
service lead has services), so here they can be looked at and withdrawn by
deleting, not edited.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Lead


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

    @admin.display(description=_("Services"))
    def service_codes(self, lead):
        return ", ".join(service.code for service in lead.services.all()) or _("every service")
