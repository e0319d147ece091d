import getpass

from django.core.management.base import BaseCommand

from accounts.auth import unlock


class Command(BaseCommand):
    help = "Let a username locked by too many failed sign-ins try again now (logged, with who ran it)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        username = options["username"]
        if unlock(username, by=f"{getpass.getuser()} (manage.py unlock_user)"):
            self.stdout.write(f"Unlocked sign-in for {username}.")
        else:
            self.stdout.write(f"{username} had no failed sign-ins to clear.")
