"""Administration of dashboard accounts.

A lead is made or changed here, on the user's own page (a "Dashboard role" section: role,
services, rights) or in the list of leads, or with `manage.py add_user`. Both follow one rule,
dashboard.services.lead_scope_problem: a service lead has at least one service, a partnership
lead sees every service and takes none. Deleting a lead takes the dashboard role away and
keeps the account. Only superusers, or staff given the model's permissions, reach these pages;
the admin's own history records who changed what.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.admin import unlock_sign_in

from .models import Lead
from .services import lead_scope_problem

SCOPE_MESSAGES = {
    "no_services": _("A service lead needs at least one service."),
    "every_service": _("A partnership lead sees every service: leave the services empty."),
}


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["user", "role", "services", "can_review_quotes", "safeguarding_reviewer"]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role and "services" in cleaned:
            problem = lead_scope_problem(role, has_services=bool(cleaned["services"]))
            if problem:
                self.add_error("services", SCOPE_MESSAGES[problem])
        return cleaned


class LeadInline(admin.StackedInline):
    model = Lead
    form = LeadForm
    fields = ["role", "services", "can_review_quotes", "safeguarding_reviewer"]
    filter_horizontal = ["services"]
    can_delete = True
    verbose_name = _("dashboard role")
    verbose_name_plural = _("dashboard role")
    max_num = 1
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PeopleAdmin(UserAdmin):
    """Django's user admin (its add page asks for a password the project's validators accept),
    with the dashboard role on the same page and an action to unlock sign-in."""

    inlines = [LeadInline]
    actions = [unlock_sign_in]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    form = LeadForm
    list_display = ["user", "role", "service_codes", "can_review_quotes", "safeguarding_reviewer"]
    list_filter = ["role", "can_review_quotes", "safeguarding_reviewer"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["services"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []  # a lead's account stays its own

    @admin.display(description=_("Services"))
    def service_codes(self, lead):
        return ", ".join(service.code for service in lead.services.all()) or _("every service")
