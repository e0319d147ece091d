import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from surveys.models import Tally
from surveys.tallies import tallies_differences, tallies_rebuild


class Command(BaseCommand):
    help = (
        "Recount the dashboard's tallies from the stored answers (after a bulk load or a restore). "
        "With --check, recount independently and compare instead, changing nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare the stored tallies with a full recount; exit 1 if they differ."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["check"]:
            differences = tallies_differences()
            if differences:
                raise CommandError("The tallies differ from a full recount, e.g.\n  " + "\n  ".join(differences))
            self.stdout.write(
                f"The tallies match a full recount ({Tally.objects.count()} rows, {time.perf_counter() - started:.1f} s)."
            )
            return
        with transaction.atomic():
            tallies_rebuild()
        # Fresh statistics, or the planner reads every row; on PostgreSQL also the
        # visibility map, so the dashboard's sums read the index alone.
        # (VACUUM cannot run inside a transaction, as when a caller wraps this command.)
        vacuum = "VACUUM ANALYZE" if connection.vendor == "postgresql" and not connection.in_atomic_block else "ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{vacuum} {Tally._meta.db_table}")
        self.stdout.write(f"Recounted {Tally.objects.count()} tally rows in {time.perf_counter() - started:.1f} s.")
