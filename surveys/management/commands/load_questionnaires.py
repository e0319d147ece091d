from django.core.management.base import BaseCommand, CommandError

from surveys.definitions import QUESTIONNAIRE_DIR, DefinitionError, load_all
from surveys.questionnaire_sync import questionnaires_sync
from surveys.services import WriteRefused
from surveys.translations import all_problems, language_files, other_languages


class Command(BaseCommand):
    help = (
        "Load the questionnaire files (surveys/questionnaires/*.toml) and their texts in other languages "
        "(<language>/*.toml beside them) into the database; safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(QUESTIONNAIRE_DIR), help="Folder of <code>.v<version>.toml files.")

    def handle(self, *args, **options):
        try:
            definitions = load_all(options["dir"])
            if not definitions:
                raise CommandError(f"No questionnaire files (*.toml) in {options['dir']}.")
            translations = language_files(options["dir"])
            changes = questionnaires_sync(definitions, translations)
        except (DefinitionError, WriteRefused) as exc:
            raise CommandError(str(exc)) from exc
        for change in changes:
            self.stdout.write(f"Questionnaire {change}")
        if not changes:
            self.stdout.write("Questionnaires already up to date.")
        # Loaded all the same: a text without a usable translation is shown in English.
        for problem in all_problems(definitions, translations, other_languages()):
            self.stderr.write(f"Translation: {problem.message}")
