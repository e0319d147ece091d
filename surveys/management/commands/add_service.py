from django.core.management.base import BaseCommand, CommandError

from surveys.codes import Security, Specialism
from surveys.services import WriteRefused, service_upsert


class Command(BaseCommand):
    help = "Create or update a service: add_service CODE --name NAME --security LEVEL [--specialism S ...]"

    def add_arguments(self, parser):
        parser.add_argument("code", help="Short code, the report's attribution initials (CC, SAN, JH).")
        parser.add_argument("--name", required=True)
        parser.add_argument("--security", required=True, choices=Security.values)
        parser.add_argument(
            "--specialism",
            action="append",
            choices=Specialism.values,
            dest="specialisms",
            help="Repeat for several; leave out to keep the current ones.",
        )
        parser.add_argument("--provider", help="The NHS trust or company that runs it.")

    def handle(self, *args, **options):
        try:
            service, created = service_upsert(
                code=options["code"],
                name=options["name"],
                security=options["security"],
                specialisms=options["specialisms"],
                provider=options["provider"],
            )
        except WriteRefused as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Updated"
        specialisms = ", ".join(service.specialism_codes) or "none"
        self.stdout.write(f"{verb} service {service.code}: {service.name} ({service.security}; specialisms: {specialisms})")
