"""Sign-in's own records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginThrottle(models.Model):
    """Failed sign-ins for one typed username (an account's or not: unknown names are counted
    the same way, so the answer never tells which exist), kept by accounts.auth.

    In the database, not the cache: one conditional UPDATE per attempt counts exactly across
    threads, processes and machines with nothing more to run. These rows are about staff
    signing in, never about a patient's or staff member's answers, so they may hold a time of
    day; they go once their window has passed (accounts.auth.purge_expired).
    """

    username = models.CharField(_("username"), max_length=254, unique=True, help_text=_("As typed, in lower case."))
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    window_started = models.DateTimeField(_("first failure at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("locked sign-in")
        verbose_name_plural = _("locked sign-ins")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username
