from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.imports import ImportInvalid, responses_import
from surveys.quotes import attribution, quote_label, quote_review


class Command(BaseCommand):
    help = (
        "Import paper questionnaires from a CSV (columns: service, questionnaire, version, channel, "
        "submitted_on, number, then question.option 0/1 and free-text columns). Stores every line or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file, UTF-8 (with or without a BOM).")
        parser.add_argument(
            "--texts-approved",
            action="store_true",
            help="Mark imported free text as reviewed and approved (text already reviewed elsewhere).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the whole file and store nothing.")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        on_stored = _text_approver() if options["texts_approved"] else None
        try:
            stored = responses_import(data, dry_run=options["dry_run"], on_stored=on_stored)
        except ImportInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported from {path}: {len(exc.errors)} problem(s), listed above.") from exc
        if options["dry_run"]:
            self.stdout.write(f"Checked {len(stored)} responses from {path}; nothing stored (dry run).")
        else:
            self.stdout.write(f"Imported {len(stored)} responses from {path}")


def _text_approver():
    def approve(response, row) -> None:
        for answer in response.texts.select_related("question"):
            credit = attribution(
                group=row.questionnaire.code,
                service_code=row.service.code,
                label=quote_label(response.id, answer.question.code),
                # No job title: one imported file cannot tell whether it points at a person.
                job_title=None,
            )
            quote_review(answer=answer, approve=True, text=answer.text, attribution=credit)

    return approve
