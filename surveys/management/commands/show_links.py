from django.core.management.base import BaseCommand

from surveys.models import CollectionLink


class Command(BaseCommand):
    help = "List the active collection links, one per line: service, questionnaire, kind, path."

    def add_arguments(self, parser):
        parser.add_argument("--service", help="Only this service's links.")
        parser.add_argument("--base-url", default="", help="Prefix for the paths, e.g. http://127.0.0.1:8000")

    def handle(self, *args, **options):
        links = CollectionLink.objects.filter(revoked_on__isnull=True).select_related("service", "questionnaire")
        if options["service"]:
            links = links.filter(service__code=options["service"].upper())
        for link in links:
            kind = "kiosk" if link.kiosk else "web"
            self.stdout.write(f"{link.service.code}\t{link.questionnaire.code}\t{kind}\t{options['base_url']}{link.path}")
