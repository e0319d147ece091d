"""Dashboard login, throttled per username (never per address: a whole hospital
shares one), with every attempt logged without the password or the address."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("accounts.auth")
UserModel = get_user_model()


def _key(kind: str, username: str) -> str:
    # Hashed: cache keys have a length and character limit, usernames do not.
    digest = hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"login:{kind}:{digest}"


def is_locked(username: str) -> bool:
    return bool(cache.get(_key("lock", username)))


def record_failure(username: str) -> int:
    """Count a failed login; lock the username after the limit. Returns failures so far."""
    lock_seconds = settings.PEERSURVEY_LOGIN_LOCK_MINUTES * 60
    key = _key("fail", username)
    cache.add(key, 0, timeout=lock_seconds)
    failures = cache.incr(key)
    if failures >= settings.PEERSURVEY_LOGIN_MAX_FAILURES:
        cache.set(_key("lock", username), 1, timeout=lock_seconds)
        cache.delete(key)
    return failures


def clear_failures(username: str) -> None:
    cache.delete_many([_key("fail", username), _key("lock", username)])


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
        if username and is_locked(username):
            logger.warning("login refused: username %r is locked", username)
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.PEERSURVEY_LOGIN_LOCK_MINUTES},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                failures = record_failure(username)
                logger.warning("login failed: username %r (%d of %d)", username, failures, settings.PEERSURVEY_LOGIN_MAX_FAILURES)
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
