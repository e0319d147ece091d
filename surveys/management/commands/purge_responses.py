import getpass
import os
import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.log import audit_record
from audit.models import AuditAction
from surveys.services import WriteRefused, responses_purge


def operator() -> str:
    """Who ran the command, for the audit log: PEERSURVEY_OPERATOR, else the OS account."""
    name = os.environ.get("PEERSURVEY_OPERATOR", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown operator"


class Command(BaseCommand):
    help = (
        "Delete responses submitted before a date, with their answers (retention). "
        "Services, links and running numbers are kept. Asks first unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, metavar="YYYY-MM-DD", help="Delete responses submitted before this day.")
        parser.add_argument("--service", metavar="CODE", help="Only this service's responses.")
        parser.add_argument("--yes", action="store_true", help="Do not ask; needed when not run at a terminal.")

    def handle(self, *args, **options):
        try:
            before = datetime.strptime(options["before"], "%Y-%m-%d").date()
        except ValueError:
            raise CommandError(f"--before {options['before']!r} is not a date like 2024-04-01.") from None
        service = options["service"]
        try:
            count = responses_purge(before=before, service_code=service, dry_run=True)
        except WriteRefused as exc:
            raise CommandError(str(exc)) from exc
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("Not at a terminal, so nothing to confirm with: add --yes to delete.")
            self.stdout.write(f"Delete {count} responses submitted before {before:%Y-%m-%d}? Type 'yes' to continue: ", ending="")
            self.stdout.flush()
            if sys.stdin.readline().rstrip("\r\n") != "yes":
                self.stdout.write("Nothing deleted.")
                return
        with transaction.atomic():
            deleted = responses_purge(before=before, service_code=service)
            audit_record(
                user=operator(),
                action=AuditAction.PURGE,
                selection={
                    "before": before.isoformat(),
                    "service": service.strip().upper() if service else None,
                    "deleted": deleted,
                },
                status=200,
            )
        self.stdout.write(f"Deleted {deleted} responses submitted before {before:%Y-%m-%d}.")
