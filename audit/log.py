"""Writing the audit log: one row per staff request or command, refusals included."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import AuditAction, AuditEvent


def audit_record(*, user, action: str, selection: dict, status: int) -> AuditEvent:
    """Add one row to the audit log; the only way rows are made (none are changed).

    `user` is the logged-in account, or, for a command run on the server, the
    operator's name as text. `selection` must be plain JSON data.
    """
    if isinstance(user, str):
        username, account = user, None
    else:
        username, account = user.get_username(), user
    return AuditEvent.objects.create(
        username=username[:150],
        user=account,
        action=AuditAction(action),
        selection=selection,
        status=status,
    )


def audit_safe(value: str | None) -> str | None:
    """A value from a request as the audit log keeps it: typed by anyone, so
    bounded, and without control characters (PostgreSQL's jsonb refuses a NUL).

    >>> audit_safe("CL"), audit_safe(""), audit_safe("a\\x00b")
    ('CL', None, 'a�b')
    """
    if not value:
        return None
    return "".join(char if char.isprintable() else "\N{REPLACEMENT CHARACTER}" for char in value[:100])


def audited(action: AuditAction, *, selection: Callable[..., dict]):
    """Record one AuditEvent per request of a logged-in user, whatever the outcome.

    `selection(request, **url_kwargs)` says what was asked for. A refusal raised
    as PermissionDenied or Http404 is recorded as 403 or 404, then re-raised.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            status = 500
            try:
                response = view(request, *args, **kwargs)
                status = response.status_code
                return response
            except PermissionDenied:
                status = 403
                raise
            except Http404:
                status = 404
                raise
            finally:
                if request.user.is_authenticated:
                    audit_record(user=request.user, action=action, selection=selection(request, **kwargs), status=status)

        return wrapper

    return decorate
