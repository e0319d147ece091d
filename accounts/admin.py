"""Sign-in in the admin: the usernames locked (or being counted) by the login throttle, and
an action to unlock them. The users' own "Unlock sign-in" action is `unlock_sign_in` below,
added to the user admin by dashboard/admin.py."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .auth import unlock
from .models import LoginThrottle


def _unlocked(modeladmin, request, usernames) -> None:
    count = sum(unlock(username, by=request.user.get_username()) for username in usernames)
    modeladmin.message_user(
        request,
        ngettext("Unlocked sign-in for %(count)d username.", "Unlocked sign-in for %(count)d usernames.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Unlock sign-in"), permissions=["change"])
def unlock_sign_in(modeladmin, request, queryset):
    """For the user admin: clear the selected users' failed sign-ins and locks."""
    _unlocked(modeladmin, request, [user.get_username() for user in queryset])


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Read-only: rows are made by failed sign-ins and go when they expire or are unlocked."""

    list_display = ["username", "attempts", "window_started", "locked_until"]
    search_fields = ["username"]
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "Unlock" says what deleting a row does
        return actions

    @admin.action(description=_("Unlock"), permissions=["delete"])
    def unlock(self, request, queryset):
        _unlocked(self, request, list(queryset.values_list("username", flat=True)))
