"""Dashboard login, throttled per username (never per address: a whole hospital
shares one), with every attempt logged without the password or the address.

The throttle counts in the database (accounts.models.LoginThrottle), reserving an attempt
before the password is checked, so no number of parallel guesses gets past the limit."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginThrottle

logger = logging.getLogger("accounts.auth")
UserModel = get_user_model()


def throttle_key(username: str) -> str:
    """The name the throttle counts under: as typed, trimmed, in lower case (so Alice and
    alice share one count), bounded like the column."""
    return username.strip().lower()[:254]


def _window() -> timedelta:
    return timedelta(minutes=settings.PEERSURVEY_LOGIN_LOCK_MINUTES)


def purge_expired(now=None) -> int:
    """Delete the counts whose window has passed and that hold no lock now: a failure counts
    for PEERSURVEY_LOGIN_LOCK_MINUTES. Done on every attempt, so the table stays small."""
    now = now or timezone.now()
    stale = Q(window_started__lte=now - _window()) & (Q(locked_until__isnull=True) | Q(locked_until__lte=now))
    deleted, _ = LoginThrottle.objects.filter(stale).delete()
    return deleted


def reserve_attempt(username: str) -> int | None:
    """Take one attempt for `username` BEFORE its password is checked; returns its number
    (1, 2, ...), or None when the username is locked and the password must not be checked.

    One conditional UPDATE with F() counts it, so parallel requests never both take the last
    attempt: SQLite (transaction_mode IMMEDIATE) serialises the whole transaction, PostgreSQL
    locks the row until commit, and the number read back is this request's own.
    """
    key = throttle_key(username)
    now = timezone.now()
    with transaction.atomic():
        purge_expired(now)
        LoginThrottle.objects.bulk_create([LoginThrottle(username=key, attempts=0, window_started=now)], ignore_conflicts=True)
        rows = LoginThrottle.objects.filter(
            username=key, locked_until__isnull=True, attempts__lt=settings.PEERSURVEY_LOGIN_MAX_FAILURES
        )
        if not rows.update(attempts=F("attempts") + 1):
            return None
        return LoginThrottle.objects.filter(username=key).values_list("attempts", flat=True).get()


def record_failure(username: str, attempt: int) -> None:
    """The password was wrong: the attempt taken stays counted, and the last one allowed
    locks the username for PEERSURVEY_LOGIN_LOCK_MINUTES from now."""
    if attempt >= settings.PEERSURVEY_LOGIN_MAX_FAILURES:
        LoginThrottle.objects.filter(username=throttle_key(username), locked_until__isnull=True).update(
            locked_until=timezone.now() + _window()
        )


def clear_failures(username: str) -> int:
    """Forget the count and any lock: after a success, or an administrator's unlock."""
    deleted, _ = LoginThrottle.objects.filter(username=throttle_key(username)).delete()
    return deleted


def unlock(username: str, *, by: str) -> bool:
    """An administrator lets `username` try again now; logged with who did it. True if there
    was a count or a lock to remove."""
    removed = clear_failures(username) > 0
    logger.warning("login unlocked: username %r by %r%s", throttle_key(username), by, "" if removed else " (was not locked)")
    return removed


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own Welsh for this speaks of a staff (admin) account: ours is the dashboard's.
        "invalid_login": _("Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."),
        "locked": _(
            "Too many failed attempts for this username. It is locked for %(minutes)d minutes; "
            "ask an administrator if you need in sooner."
        ),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # a field is missing: its own error, no password checked
        attempt = reserve_attempt(username)
        if attempt is None:
            logger.warning("login refused: username %r is locked", username)
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.PEERSURVEY_LOGIN_LOCK_MINUTES},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(username, attempt)
            logger.warning("login failed: username %r (%d of %d)", username, attempt, settings.PEERSURVEY_LOGIN_MAX_FAILURES)
            raise
        clear_failures(username)
        logger.info("login succeeded: username %r", username)
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's login, throttled the same way."""


login_view = LoginView.as_view(authentication_form=ThrottledAuthenticationForm)


class DashboardBackend(ModelBackend):
    """Django's own backend, loading the user's dashboard role with the user:
    one query per request instead of two."""

    def get_user(self, user_id):
        user = UserModel._default_manager.select_related("lead").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class RenewSessionMiddleware:
    """The idle timeout slides on what a person does, not on the live
    dashboard's own refresh: a screen left open still logs out after an hour."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not request.path.endswith(".json") and SESSION_KEY in session:
            session.modified = True
        return response
