import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys import audio
from surveys.definitions import DefinitionError

LISTED = 20  # missing texts named per language by --check; the count covers the rest
INSTALL_HINT = "On Debian or Ubuntu: apt-get install espeak-ng lame (docs/audio.md)."


class Command(BaseCommand):
    # A build step that reads files alone: the site's checks (database, translations) are not its business.
    requires_system_checks = []
    help = (
        "Make the easy-read form's spoken audio: one MP3 for every text the patient form reads aloud, "
        "in every language, from the questionnaire files (no database). Only missing files are made."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language", action="append", help="Only this language (repeat for more); default: every one in settings.LANGUAGES."
        )
        parser.add_argument("--check", action="store_true", help="Make nothing; exit non-zero listing the texts without a file.")
        parser.add_argument("--prune", action="store_true", help="Also delete generated files that no text names any more.")

    def handle(self, *args, **options):
        languages = options["language"] or [code for code, _ in settings.LANGUAGES]
        unknown = [language for language in languages if language not in audio.VOICES]
        if unknown:
            raise CommandError(f"No voice for {', '.join(unknown)}: add one to surveys.audio.VOICES.")
        audio.forget()
        try:
            # Per language, each text the form speaks, the file that speaks it, and whether that file is generated.
            files = {
                language: [(text, *self._file(language, text)) for text in audio.page_texts(language)] for language in languages
            }
        except (DefinitionError, audio.AudioError) as exc:
            raise CommandError(str(exc)) from exc

        to_make = [(language, text, path) for language in languages for text, path, _ in files[language] if not path.is_file()]
        if options["check"]:
            for language in languages:
                missing = [(text, path) for missing_language, text, path in to_make if missing_language == language]
                for text, path in missing[:LISTED]:
                    self.stderr.write(f"{language}: no file for {text!r} ({path.name})")
                if len(missing) > LISTED:
                    self.stderr.write(f"{language}: ... and {len(missing) - LISTED} more")
            if to_make:
                raise CommandError(f"{_texts(len(to_make))} no file: run manage.py build_audio.")
            self.stdout.write("Every spoken text has its file.")
        elif to_make:
            self._make(to_make)
        else:
            self.stdout.write("Nothing to make: every spoken text has its file.")
        if options["prune"] and not options["check"]:
            for language in languages:
                self._prune(language, {path for _, path, generated in files[language] if generated})
        audio.forget()
        for language in languages:
            self._summary(language, files[language])

    def _file(self, language, text):
        """(path on disk, generated?): the recording if there is one, else the generated file."""
        listed, recording = audio.recorded_file(language, text)
        if recording:
            return recording, False
        if listed:
            self.stderr.write(
                f"{language}: {listed} is listed in {audio.RECORDINGS_FILE.name} but is not a static file; the generated voice speaks {text!r}."
            )
        return Path(settings.GENERATED_STATIC_DIR) / audio.generated_path(language, text), True

    def _make(self, to_make):
        missing = audio.missing_tools()
        if missing:
            raise CommandError(
                f"{_texts(len(to_make), 'need')} a file, and {' and '.join(missing)} is not installed. {INSTALL_HINT}"
            )
        self.stdout.write(f"Making {_files(len(to_make))}...")
        # Each file is two short processes: a few at a time use the cores without crowding them.
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            futures = [pool.submit(audio.synthesize, language, text, path) for language, text, path in to_make]
            try:
                for future in futures:
                    future.result()
            except audio.AudioError as exc:
                for future in futures:
                    future.cancel()
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"Made {_files(len(to_make))}.")

    def _prune(self, language, keep):
        folder = Path(settings.GENERATED_STATIC_DIR) / audio.AUDIO_DIR / language
        stale = [path for path in sorted(folder.glob("*")) if path.is_file() and path not in keep]
        for path in stale:
            path.unlink()
        self.stdout.write(f"{language}: deleted {_files(len(stale))} that no text names any more.")

    def _summary(self, language, files):
        present = [(path, generated) for _, path, generated in files if path.is_file()]
        size = sum(path.stat().st_size for path, _ in present)
        recorded = sum(1 for _, generated in present if not generated)
        self.stdout.write(
            f"{language}: {len(files)} spoken texts, {len(present) - recorded} generated and {recorded} recorded files, "
            f"{size / 1_000_000:.2f} MB"
        )


def _files(count):
    return f"{count} file" if count == 1 else f"{count} files"


def _texts(count, verb="have"):
    """ "1 spoken text has", "2 spoken texts have" ("need": "1 ... needs")."""
    if count == 1:
        return f"1 spoken text {'has' if verb == 'have' else verb + 's'}"
    return f"{count} spoken texts {verb}"
