from django.core.management.base import BaseCommand, CommandError

from surveys.services import WriteRefused, link_revoke


class Command(BaseCommand):
    help = "Switch off a collection link; its page and API answer 404 from now on. Answers already given are kept."

    def add_arguments(self, parser):
        parser.add_argument("link", help="The token, or the path /c/<token>/ that create_link printed.")

    def handle(self, *args, **options):
        token = options["link"].strip().removeprefix("/c/").strip("/")
        try:
            link = link_revoke(token=token)
        except WriteRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Revoked {link} on {link.revoked_on:%Y-%m-%d}.")
