from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from surveys.releases import releases_close


class Command(BaseCommand):
    help = (
        "Close a collection round: answers still waiting for a batch (fewer than PEERSURVEY_MIN_CELL in a "
        "service) join one national pool, counted in the national figures for all time only, if the pool holds "
        "at least PEERSURVEY_MIN_CELL."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            closed = releases_close()
        self.stdout.write(
            f"Pooled {closed['pooled']} answers into the national figures; {closed['waiting']} still wait "
            f"(fewer than {settings.PEERSURVEY_MIN_CELL} of their questionnaire in all)."
        )
