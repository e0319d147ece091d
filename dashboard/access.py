"""Which services a user may see. Every dashboard view asks here first.

Partnership leads (and superusers) see every service. A service lead sees their
own services and the national figures (all services together), never another
service on its own: so they may not slice the national picture by security
level or specialism, which can narrow it to one other service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from surveys.models import Service

from .models import Lead, Role


@dataclass(frozen=True)
class Access:
    username: str
    role: str
    every_service: bool
    own_codes: frozenset[str]
    can_review_quotes: bool
    # Every service as (code, name), for the filters: a code that is not here
    # is unknown (400), one the user may not see is refused (403).
    services: tuple[tuple[str, str], ...] = ()
    # A named safeguarding reviewer (Lead.safeguarding_reviewer): sees texts flagged
    # as disclosing harm. Named people only: being a superuser is not enough.
    safeguarding_reviewer: bool = False

    def may_see_service(self, code: str) -> bool:
        return self.every_service or code in self.own_codes

    @property
    def may_slice_nationally(self) -> bool:
        return self.every_service

    @property
    def may_export_responses(self) -> bool:
        """The response-level export is for partnership leads only: a service lead
        works beside the people who answered, and knows who was on the ward in a
        given month, so rows (even k-anonymous ones) would tell them most."""
        return self.every_service


def access_for(user) -> Access:
    """The user's dashboard access, or PermissionDenied (403) without a role.

    One query: the role comes with the user (accounts.auth.DashboardBackend),
    the user's own services with the list of all of them.
    """
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in first."))
    try:
        lead = user.lead
    except ObjectDoesNotExist:
        lead = None
    if user.is_superuser or (lead is not None and lead.role == Role.PARTNERSHIP_LEAD):
        services = tuple(Service.objects.order_by("code").values_list("code", "name"))
        can_review = True if user.is_superuser else lead.can_review_quotes
        named = lead is not None and lead.safeguarding_reviewer
        return Access(user.get_username(), Role.PARTNERSHIP_LEAD, True, frozenset(), can_review, services, named)
    if lead is None:
        raise PermissionDenied(_("This account has no dashboard role. Ask an administrator."))
    mine = Lead.services.through.objects.filter(lead=lead, service=OuterRef("pk"))
    rows = Service.objects.order_by("code").annotate(mine=Exists(mine)).values_list("code", "name", "mine")
    return Access(
        user.get_username(),
        lead.role,
        False,
        frozenset(code for code, _, is_mine in rows if is_mine),
        lead.can_review_quotes,
        tuple((code, name) for code, name, _ in rows),
        lead.safeguarding_reviewer,
    )


def visible_services(access: Access):
    services = Service.objects.order_by("code")
    if access.every_service:
        return services
    return services.filter(code__in=access.own_codes)
