from django.core.management.base import BaseCommand, CommandError

from surveys.models import Service, Wave
from surveys.services import WriteRefused, denominator_set


def count(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise CommandError(f"{text!r} is not a number of people (0 to 100000).")
    return int(text)


class Command(BaseCommand):
    help = (
        "Set how many patients and staff a service had in a wave, the base of its response rates: "
        "set_denominator WAVE SERVICE --patients N --staff N"
    )

    def add_arguments(self, parser):
        parser.add_argument("wave", help="The wave's code.")
        parser.add_argument("service", help="The service's code.")
        parser.add_argument("--patients", type=str, help="Patients in the service during the wave.")
        parser.add_argument("--staff", type=str, help="Staff in the service during the wave.")

    def handle(self, *args, **options):
        wave = Wave.objects.filter(code=options["wave"].strip()).first()
        if wave is None:
            raise CommandError(f"No wave has code {options['wave']!r}; add it with add_wave first.")
        service = Service.objects.filter(code=options["service"].strip().upper()).first()
        if service is None:
            raise CommandError(f"No service has code {options['service']!r}; add it with add_service first.")
        if options["patients"] is None and options["staff"] is None:
            raise CommandError("Give --patients, --staff or both.")
        patients = None if options["patients"] is None else count(options["patients"])
        staff = None if options["staff"] is None else count(options["staff"])
        try:
            row = denominator_set(wave=wave, service=service, patients=patients, staff=staff)
        except WriteRefused as exc:
            raise CommandError(str(exc)) from exc
        shown = {
            label: "not set" if value is None else value for label, value in (("patients", row.patients), ("staff", row.staff))
        }
        self.stdout.write(f"{service.code} in wave {wave.code}: {shown['patients']} patients, {shown['staff']} staff.")
