"""Which services a user may see. Every dashboard view asks here first.

Partnership leads (and superusers) see every service. A service lead sees their
own services and the national figures (all services together), never another
service on its own: so they may not slice the national picture by security
level or specialism, which can narrow it to one other service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from surveys.models import Service

from .models import Lead, Role


@dataclass(frozen=True)
class Access:
    username: str
    role: str
    every_service: bool
    own_codes: frozenset[str]
    can_review_quotes: bool

    def may_see_service(self, code: str) -> bool:
        return self.every_service or code in self.own_codes

    @property
    def may_slice_nationally(self) -> bool:
        return self.every_service


def access_for(user) -> Access:
    """The user's dashboard access, or PermissionDenied (403) without a role."""
    if not user.is_authenticated:
        raise PermissionDenied("Log in first.")
    lead = Lead.objects.filter(user=user).prefetch_related("services").first()
    if user.is_superuser:
        return Access(user.get_username(), Role.PARTNERSHIP_LEAD, True, frozenset(), True)
    if lead is None:
        raise PermissionDenied("This account has no dashboard role. Ask an administrator.")
    if lead.role == Role.PARTNERSHIP_LEAD:
        return Access(user.get_username(), lead.role, True, frozenset(), lead.can_review_quotes)
    return Access(
        user.get_username(),
        lead.role,
        False,
        frozenset(service.code for service in lead.services.all()),
        lead.can_review_quotes,
    )


def visible_services(access: Access):
    services = Service.objects.order_by("code")
    if access.every_service:
        return services
    return services.filter(code__in=access.own_codes)
