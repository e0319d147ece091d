"""The audit log in the admin: read-only, and nobody deletes from it."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "status", "selection"]
    list_filter = ["action", "status"]
    search_fields = ["username"]
    date_hierarchy = "at"
    fields = ["at", "username", "user", "action", "selection", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The record of who saw what: nobody removes it through the app.
        return False
