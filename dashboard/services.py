"""Writes of the read side: dashboard accounts, and "you said, we did" actions."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from surveys.models import Service, Wave

from .models import Action, ActionStatus, Lead, ReportText, Role


class LeadError(ValueError):
    pass


def lead_scope_problem(role: str, *, has_services: bool) -> str | None:
    """The rule for a lead's services, asked by `lead_upsert` (add_user) and by the admin's
    lead form: a service lead needs at least one ("no_services"); a partnership lead sees
    every service and takes none ("every_service"). None: the role and services agree."""
    if role == Role.SERVICE_LEAD and not has_services:
        return "no_services"
    if role == Role.PARTNERSHIP_LEAD and has_services:
        return "every_service"
    return None


def lead_upsert(
    *,
    username: str,
    role: str,
    service_codes: list[str] | None = None,
    password: str | None = None,
    can_review_quotes: bool | None = None,
    safeguarding_reviewer: bool | None = None,
) -> tuple[object, bool]:
    """Create or update a dashboard user with a role; returns (user, created).

    A service lead needs at least one service; a partnership lead sees every
    service and takes none. `password=None` keeps an existing user's password;
    `None` for a right keeps it as it is.
    """
    username = username.strip()
    if not username or len(username) > 150:
        raise LeadError("A username is 1 to 150 characters.")
    if role not in Role.values:
        raise LeadError(f"Role {role!r} is not one of: {', '.join(Role.values)}.")
    codes = [code.strip().upper() for code in service_codes or []]
    problem = lead_scope_problem(role, has_services=bool(codes))
    if problem == "no_services":
        raise LeadError("A service lead needs at least one --service CODE.")
    if problem == "every_service":
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
        if safeguarding_reviewer is not None:
            lead.safeguarding_reviewer = safeguarding_reviewer
        lead.save()
        lead.services.set(services)
    return user, created


# --- "You said, we did": a service's actions per wave ---------------------------------

ACTION_TEXT_MAX = 600


class ActionError(ValueError):
    pass


def _action_text(value: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ActionError(f"Write {what}.")
    if len(text) > ACTION_TEXT_MAX:
        raise ActionError(f"Keep {what} to {ACTION_TEXT_MAX} characters or fewer.")
    return text


def action_save(
    *,
    user,
    you_said: str,
    we_did: str,
    status: str,
    action: Action | None = None,
    wave: Wave | None = None,
    service: Service | None = None,
) -> Action:
    """Add an action for a service and wave, or change one (its texts and status:
    its service and wave stay). Patients read these on the ward's results page, so
    both texts are required, at most `ACTION_TEXT_MAX` characters each.

    Who may write for which service is the view's to check (dashboard.access)."""
    you_said = _action_text(you_said, "what people said")
    we_did = _action_text(we_did, "what the service did")
    if status not in ActionStatus.values:
        raise ActionError(f"Status {status!r} is not one of: {', '.join(ActionStatus.values)}.")
    if action is None:
        if wave is None or service is None:
            raise ActionError("A new action needs its service and wave.")
        action = Action(wave=wave, service=service)
    action.you_said, action.we_did, action.status = you_said, we_did, status
    action.updated_by = user
    action.updated_on = timezone.localdate()
    action.save()
    return action


def action_delete(*, action: Action) -> None:
    action.delete()


def report_text_save(*, wave: Wave | None, service: Service | None, conclusions: str, recommendations: str, user) -> ReportText:
    """Keep what a lead wrote for a report: the national one (no service) or a
    service's, for a wave or for every date (no wave). The audit log records who
    changed it; the report says when."""
    text, _ = ReportText.objects.update_or_create(
        wave=wave,
        service=service,
        defaults={
            "conclusions": conclusions.strip(),
            "recommendations": recommendations.strip(),
            "updated_by": user,
            "updated_on": timezone.localdate(),
        },
    )
    return text
