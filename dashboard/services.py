"""Writes of the read side: dashboard accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from surveys.models import Service

from .models import Lead, Role


class LeadError(ValueError):
    pass


def lead_upsert(
    *,
    username: str,
    role: str,
    service_codes: list[str] | None = None,
    password: str | None = None,
    can_review_quotes: bool | None = None,
) -> tuple[object, bool]:
    """Create or update a dashboard user with a role; returns (user, created).

    A service lead needs at least one service; a partnership lead sees every
    service and takes none. `password=None` keeps an existing user's password.
    """
    username = username.strip()
    if not username or len(username) > 150:
        raise LeadError("A username is 1 to 150 characters.")
    if role not in Role.values:
        raise LeadError(f"Role {role!r} is not one of: {', '.join(Role.values)}.")
    codes = [code.strip().upper() for code in service_codes or []]
    if role == Role.SERVICE_LEAD and not codes:
        raise LeadError("A service lead needs at least one --service CODE.")
    if role == Role.PARTNERSHIP_LEAD and codes:
        raise LeadError("A partnership lead sees every service; --service is for service leads.")
    services = list(Service.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {service.code for service in services})
    if missing:
        raise LeadError(f"No service has code {missing[0]!r}.")
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None and not password:
        raise LeadError("A new user needs a password (PEERSURVEY_PASSWORD or the prompt).")
    if password:
        try:
            validate_password(password, user=user or User(username=username))
        except ValidationError as exc:
            raise LeadError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        created = user is None
        if created:
            user = User.objects.create_user(username=username, password=password)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        lead, _ = Lead.objects.get_or_create(user=user, defaults={"role": role})
        lead.role = role
        if can_review_quotes is not None:
            lead.can_review_quotes = can_review_quotes
        lead.save()
        lead.services.set(services)
    return user, created
