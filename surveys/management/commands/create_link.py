from django.core.management.base import BaseCommand, CommandError

from surveys.codes import Group
from surveys.models import Service, Wave
from surveys.services import WriteRefused, link_create


class Command(BaseCommand):
    help = "Create a collection link for a service; prints its path /c/<token>/ as the last line."

    def add_arguments(self, parser):
        parser.add_argument("code", help="The service's code.")
        parser.add_argument("group", choices=Group.values)
        parser.add_argument("--kiosk", action="store_true", help="A shared ward tablet that resets after each person.")
        parser.add_argument("--label", default="", help="Where the link is used, e.g. 'Tablet, Hume ward'.")
        parser.add_argument("--wave", help="The wave it collects for (default: the wave open today, if any).")

    def handle(self, *args, **options):
        service = Service.objects.filter(code=options["code"].strip().upper()).first()
        if service is None:
            raise CommandError(f"No service has code {options['code']!r}; add it with add_service first.")
        wave = "today"
        if options["wave"] is not None:
            wave = Wave.objects.filter(code=options["wave"].strip()).first()
            if wave is None:
                raise CommandError(f"No wave has code {options['wave']!r}; add it with add_wave first.")
        try:
            link = link_create(service=service, group=options["group"], kiosk=options["kiosk"], label=options["label"], wave=wave)
        except WriteRefused as exc:
            raise CommandError(str(exc)) from exc
        kind = "kiosk (ward tablet) link" if link.kiosk else "link"
        round_ = f", wave {link.wave.code} (until {link.wave.accepts_until:%Y-%m-%d})" if link.wave else ", no wave"
        self.stdout.write(f"Created {link.questionnaire.code} {kind} for {service.code} ({service.name}){round_}:")
        self.stdout.write(link.path)
