"""The second factor's two pages: give the code (/accounts/two-factor/) and set up an app
(/accounts/two-factor/setup/). The rules they follow are in accounts.mfa."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from . import mfa


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=20,
        help_text=_("The code changes every 30 seconds: enter the one your app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        # Apps show the code as "123 456"; people type it either way.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(_("Enter the 6 digits your app shows, and nothing else."), code="format")
        return code

    def refuse(self, check: mfa.Check) -> None:
        if check.wait_seconds:
            message = ngettext(
                "Too many wrong codes. Wait %(seconds)d second, then enter the code your app shows.",
                "Too many wrong codes. Wait %(seconds)d seconds, then enter the code your app shows.",
                check.wait_seconds,
            ) % {"seconds": check.wait_seconds}
        else:
            message = _("That code is not right. Check the app's entry for Peer Support Survey and enter the code it shows now.")
        self.add_error("code", message)


def _status(form: CodeForm, check: mfa.Check | None) -> int:
    if check is not None and check.wait_seconds:
        return 429
    return 400 if form.is_bound else 200


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Give the code of the app set up earlier, once per sign-in."""
    target = mfa.safe_next(request)
    if request.user.is_verified():
        return redirect(target)
    device = mfa.confirmed_device(request.user)
    if device is None:
        return redirect(mfa.with_next("/accounts/two-factor/setup/", target))
    username = request.user.get_username()
    form = CodeForm(request.POST if request.method == "POST" else None)
    check = None
    if form.is_valid():
        check = mfa.check_code(device, form.cleaned_data["code"])
        if check.ok:
            mfa.sign_in(request, device)
            mfa.logger.info("second factor accepted: username %r", username)
            return redirect(target)
        _log_refusal("second factor refused", username, device, check)
        form.refuse(check)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": target}, status=_status(form, check))


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then give a code
    to prove it works. The device counts only once a right code has confirmed it."""
    target = mfa.safe_next(request)
    has_device = mfa.confirmed_device(request.user) is not None
    # Someone with the password only may not swap a second factor that is already set up.
    if has_device and not request.user.is_verified():
        return redirect(mfa.with_next("/accounts/two-factor/", target))
    device = mfa.setup_device(request.user)
    username = request.user.get_username()
    form = CodeForm(request.POST if request.method == "POST" else None)
    # The steps come first here: focusing the field would scroll a phone past the QR code.
    form.fields["code"].widget.attrs.pop("autofocus")
    check = None
    if form.is_valid():
        check = mfa.check_code(device, form.cleaned_data["code"])
        if check.ok:
            mfa.confirm(device)
            mfa.sign_in(request, device)
            mfa.logger.info("second factor set up: username %r", username)
            return redirect(target)
        _log_refusal("second factor set-up code refused", username, device, check)
        form.refuse(check)
    context = {
        "form": form,
        "next": target,
        "replacing": has_device,
        "required": settings.PEERSURVEY_REQUIRE_MFA,
        "qr": mfa.qr_data_uri(device),
        "secret": mfa.grouped_secret(device),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=_status(form, check))


def _log_refusal(what: str, username: str, device, check: mfa.Check) -> None:
    if check.wait_seconds:
        mfa.logger.warning("%s: username %r is throttled, %d s to wait", what, username, check.wait_seconds)
    else:
        mfa.logger.warning("%s: username %r (%d wrong in a row)", what, username, mfa.failures(device))
