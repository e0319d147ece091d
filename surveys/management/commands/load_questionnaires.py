from django.core.management.base import BaseCommand, CommandError

from surveys.definitions import QUESTIONNAIRE_DIR, DefinitionError, load_all
from surveys.questionnaire_sync import questionnaires_sync
from surveys.services import WriteRefused


class Command(BaseCommand):
    help = "Load the questionnaire files (surveys/questionnaires/*.toml) into the database; safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(QUESTIONNAIRE_DIR), help="Folder of <code>.v<version>.toml files.")

    def handle(self, *args, **options):
        try:
            definitions = load_all(options["dir"])
            if not definitions:
                raise CommandError(f"No questionnaire files (*.toml) in {options['dir']}.")
            changes = questionnaires_sync(definitions)
        except (DefinitionError, WriteRefused) as exc:
            raise CommandError(str(exc)) from exc
        for change in changes:
            self.stdout.write(f"Questionnaire {change}")
        if not changes:
            self.stdout.write("Questionnaires already up to date.")
