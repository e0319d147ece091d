from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in to the dashboard and the admin: the password, its throttle, the second
    factor, and the idle timeout. Who may see what once signed in is dashboard.access."""

    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from . import mfa  # noqa: F401, PLC0415 (connects the sign-in signal that notes a second factor)
