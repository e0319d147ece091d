from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from surveys.models import Wave
from surveys.releases import releases_close


class Command(BaseCommand):
    help = (
        "Close a collection round: answers still waiting for a batch (fewer than PEERSURVEY_MIN_CELL in a "
        "service) join one national pool, counted in the national figures for all time only, if the pool holds "
        "at least PEERSURVEY_MIN_CELL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wave", help="Close one wave only (its remainders pool within the wave); default: all.")

    def handle(self, *args, **options):
        wave_ids = None
        if options["wave"] is not None:
            wave = Wave.objects.filter(code=options["wave"].strip()).first()
            if wave is None:
                raise CommandError(f"No wave has code {options['wave']!r}.")
            wave_ids = {wave.pk}
        with transaction.atomic():
            closed = releases_close(wave_ids=wave_ids)
        self.stdout.write(
            f"Pooled {closed['pooled']} answers into the national figures; {closed['waiting']} still wait "
            f"(fewer than {settings.PEERSURVEY_MIN_CELL} of their questionnaire in all)."
        )
