import re
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys.services import WriteRefused, wave_upsert


def iso_day(text: str) -> date:
    """A YYYY-MM-DD argument, or a clear error."""
    # fromisoformat alone also reads 20270301 and 2027-W09-1 (Python 3.11+).
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, flags=re.ASCII):
        raise CommandError(f"{text!r} is not a date in the form YYYY-MM-DD.")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date in the form YYYY-MM-DD.") from exc
    if not 2000 <= day.year <= 2999:
        raise CommandError(f"{text} is outside the years 2000 to 2999.")
    return day


class Command(BaseCommand):
    help = "Create or update a wave (a collection round): add_wave CODE --name NAME --opens YYYY-MM-DD --closes YYYY-MM-DD"

    def add_arguments(self, parser):
        parser.add_argument("code", help="A short code used in addresses and exports, e.g. 2027 or 2027-spring.")
        parser.add_argument("--name", required=True, help="What people call it, e.g. 'Spring 2027'.")
        parser.add_argument("--opens", required=True, type=str, help="The first day answers are taken (YYYY-MM-DD).")
        parser.add_argument("--closes", required=True, type=str, help="The last day of the round (YYYY-MM-DD).")

    def handle(self, *args, **options):
        opens, closes = iso_day(options["opens"]), iso_day(options["closes"])
        try:
            wave, created = wave_upsert(code=options["code"], name=options["name"], opens=opens, closes=closes)
        except WriteRefused as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(
            f"{verb} wave {wave.code}: {wave.name}, {wave.opens:%Y-%m-%d} to {wave.closes:%Y-%m-%d}; its links take "
            f"answers until {wave.accepts_until:%Y-%m-%d} ({settings.PEERSURVEY_WAVE_GRACE_DAYS} days' grace for queued tablets)."
        )
