"""The second factor: an authenticator app's 6-digit codes (TOTP, django-otp), asked for after
the password before any dashboard or admin page (docs/sign-in.md).

With PEERSURVEY_REQUIRE_MFA on, everyone signing in needs one; off, only those who set one up
are asked for its code. Wrong codes are throttled by django-otp (1, 2, 4, 8 ... seconds between
tries) and logged with the username, never the code or the address.
"""

from __future__ import annotations

import base64
import logging
import math
from dataclasses import dataclass
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger("accounts.auth")

# Every path under these needs the second factor once a user is signed in.
PROTECTED_PREFIXES = ("/dashboard/", "/admin/", "/accounts/password_change/")
# The admin's own sign-in and sign-out stay open, like the site's.
OPEN_PATHS = ("/admin/login/", "/admin/logout/")
# Whether this session's user has a confirmed device, noted at sign-in, so a dashboard request
# without a second factor (the setting off) costs no query: the dashboard's query count is pinned.
HAS_DEVICE_SESSION_KEY = "accounts_has_second_factor"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def setup_device(user) -> TOTPDevice:
    """The unconfirmed device this user is setting up: the same one on every visit, so a QR
    code already scanned stays good; a new one only when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@receiver(user_logged_in, dispatch_uid="accounts.mfa.note_second_factor")
def note_second_factor(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = confirmed_device(user) is not None


def has_second_factor(request: HttpRequest) -> bool:
    known = request.session.get(HAS_DEVICE_SESSION_KEY)
    if known is None:
        # A session from before this was noted at sign-in: look, and note it with the next page
        # (noting it on the live dashboard's refresh would save the session, renewing it).
        known = confirmed_device(request.user) is not None
        if not request.path_info.endswith(".json"):
            request.session[HAS_DEVICE_SESSION_KEY] = known
    return known


def needs_second_factor(request: HttpRequest) -> bool:
    """Signed in with a password only, and this user must (or chose to) give a code too."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return settings.PEERSURVEY_REQUIRE_MFA or has_second_factor(request)


def is_protected(path: str) -> bool:
    return path.startswith(PROTECTED_PREFIXES) and not path.startswith(OPEN_PATHS)


def safe_next(request: HttpRequest) -> str:
    """The `next` asked for, if it stays on this site; otherwise the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}"


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: a dashboard or admin request from a user who still owes
    a code is sent to give it (a page) or refused (data: JSON, CSV, PDF, slides), every path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_protected(request.path_info) and needs_second_factor(request):
            return refusal(request)
        return self.get_response(request)


def refusal(request: HttpRequest) -> HttpResponse:
    last = request.path_info.rstrip("/").rsplit("/", 1)[-1]
    if "." not in last:
        return redirect(with_next("/accounts/two-factor/", request.get_full_path()))
    # Data keeps its contract's language (docs/contract.md): English, like its other errors.
    with translation.override("en"):
        message = _("Enter the code from your authenticator app first, at /accounts/two-factor/.")
    if last.endswith(".json"):
        return JsonResponse({"errors": {"access": [message]}}, status=403)
    return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")


@dataclass(frozen=True)
class Check:
    """What a code did: `ok`, or refused while `wait_seconds` run (throttled), or just wrong."""

    ok: bool
    wait_seconds: int = 0


def check_code(device: TOTPDevice, code: str) -> Check:
    """Verify `code` on `device`, its row locked, so two tries at once are counted as two."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        if not allowed:
            locked_until = (details or {}).get("locked_until")
            wait = math.ceil((locked_until - timezone.now()).total_seconds()) if locked_until else 1
            return Check(ok=False, wait_seconds=max(1, wait))
        return Check(ok=device.verify_token(code))


def failures(device: TOTPDevice) -> int:
    return TOTPDevice.objects.filter(pk=device.pk).values_list("throttling_failure_count", flat=True).first() or 0


def sign_in(request: HttpRequest, device: TOTPDevice) -> None:
    """The session now carries the second factor: under a new key, so a key someone saw
    before the code was given is worth nothing (django-otp does not rotate it itself)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[HAS_DEVICE_SESSION_KEY] = True


@transaction.atomic
def confirm(device: TOTPDevice) -> None:
    """The device set up is the user's one second factor from now: any older one (a previous
    phone) and any other half-set-up one goes."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def grouped_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app: "ABCD EFGH ..."."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The app's set-up link as a QR code: an SVG drawn here, as a data: URI (the page's CSP
    allows no remote image and no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")
