import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from dashboard.models import Role
from dashboard.services import LeadError, lead_upsert


class Command(BaseCommand):
    help = "Create or update a dashboard user. The password comes from PEERSURVEY_PASSWORD or is asked for at the terminal."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--service", action="append", dest="services", default=[], help="Service code; repeat for several.")
        review = parser.add_mutually_exclusive_group()
        review.add_argument("--review-quotes", action="store_true", default=None, help="May approve free-text quotes.")
        review.add_argument("--no-review-quotes", action="store_false", dest="review_quotes")
        named = parser.add_mutually_exclusive_group()
        named.add_argument(
            "--safeguarding",
            action="store_true",
            default=None,
            help="A named safeguarding reviewer: sees texts flagged as disclosing harm and records what was done.",
        )
        named.add_argument("--no-safeguarding", action="store_false", dest="safeguarding")

    def handle(self, *args, **options):
        password = os.environ.get("PEERSURVEY_PASSWORD") or None
        if password is None and sys.stdin.isatty():
            password = getpass.getpass("Password (12 or more characters): ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The passwords do not match.")
        try:
            user, created = lead_upsert(
                username=options["username"],
                role=options["role"],
                service_codes=options["services"],
                password=password,
                can_review_quotes=options["review_quotes"],
                safeguarding_reviewer=options["safeguarding"],
            )
        except LeadError as exc:
            raise CommandError(str(exc)) from exc
        what = "Created" if created else "Updated"
        scope = ", ".join(options["services"]).upper() or "every service"
        self.stdout.write(f"{what} {options['role'].replace('_', ' ')} {user.get_username()} ({scope}).")
