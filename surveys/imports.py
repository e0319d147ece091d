"""Paper import: a CSV of paper questionnaires, turned
into validated submissions and stored through `response_submit` (docs/contract.md,
"Collection rules": paper is keyed in by staff or imported from CSV).

The layout (`surveys.csv_format.IMPORT_COLUMNS`): `service, questionnaire, version, channel,
submitted_on, number`, then one 0/1 column per option named `question.option`,
then one column per free-text question. `channel` and `number` may be left out
(empty means `paper` and the service's next running number); so may any answer
column. What counts as an answer is decided by `surveys.validation.clean_answers`,
the validator the forms and the API use, so a row with no answers is refused as
the API refuses it.

Lines are counted as a spreadsheet counts rows: line 1 is the header. Any bad
line means nothing from the file is stored.

>>> str(RowError(7, "useful", "Unknown option 'perhaps'."))
"line 7: useful: Unknown option 'perhaps'."
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from .codes import GROUPS, Channel, Kind
from .csv_format import IMPORT_COLUMNS, undefuse
from .definitions import QuestionnaireDef
from .models import Questionnaire, Response, Service
from .selectors import loaded_questionnaire
from .services import response_submit
from .validation import EARLIEST_PAPER_DATE, NO_ANSWERS, Submission, SubmissionInvalid, clean_answers

REQUIRED_COLUMNS = ("service", "questionnaire", "version", "submitted_on")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMPTY_LINE = "No answers: no option is marked 1 and no text is given. A questionnaire with no answers is not stored."
MAX_NUMBER = 2_147_483_647  # the largest value every database keeps in a PositiveIntegerField


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}" if self.field else f"line {self.line}: {self.message}"


class ImportInvalid(ValueError):
    """Every problem found in the file; nothing was stored."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class ImportRow:
    line: int
    service: Service
    questionnaire: Questionnaire
    channel: str
    submitted_on: date
    number: int | None
    submission: Submission


def parse_responses(data: bytes | str, *, today: date | None = None) -> list[ImportRow]:
    """Check a whole file; return its rows, or raise `ImportInvalid` listing every problem.

    Reads Service and Questionnaire rows only; stores nothing.
    """
    today = today or timezone.localdate()
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[RowError] = []
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportInvalid([RowError(reader.line_num, "", f"The file is not readable as CSV: {exc}.")]) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportInvalid([RowError(1, "", f"The file has no header line; it starts with {', '.join(IMPORT_COLUMNS)}.")])

    parser = _RowParser(records[0], today=today)
    errors.extend(parser.header_errors)
    if parser.fatal:
        raise ImportInvalid(errors)
    rows: list[ImportRow] = []
    first_line: dict[tuple[str, int], int] = {}
    for line, record in enumerate(records[1:], start=2):
        if not record:
            continue  # a blank line, e.g. at the end of the file
        row, row_errors = parser.parse(line, record)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.number is not None:
            key = (row.service.code, row.number)
            if key in first_line:
                errors.append(RowError(line, "number", f"{row.service.code}{row.number} is also on line {first_line[key]}."))
                continue
            first_line[key] = line
        rows.append(row)
    if errors:
        raise ImportInvalid(errors)
    return rows


def responses_import(
    data: bytes | str,
    *,
    dry_run: bool = False,
    on_stored: Callable[[Response, ImportRow], None] | None = None,
    today: date | None = None,
) -> list[Response]:
    """Parse and store a whole file in one transaction: every row, or none.

    `on_stored` runs inside the transaction after each response is stored (the
    import command uses it to approve imported text); `dry_run` checks
    everything the database would, then rolls back.
    """
    rows = parse_responses(data, today=today)
    stored: list[Response] = []
    with transaction.atomic():
        errors: list[RowError] = []
        for row in rows:
            try:
                result = response_submit(
                    service=row.service,
                    questionnaire=row.questionnaire,
                    submission=row.submission,
                    channel=row.channel,
                    submitted_on=row.submitted_on,
                    number=row.number,
                )
            except IntegrityError:
                if row.number is None:
                    raise
                errors.append(RowError(row.line, "number", f"{row.service.code}{row.number} is already stored."))
                continue
            stored.append(result.response)
            if on_stored is not None:
                on_stored(result.response, row)
        if errors:
            raise ImportInvalid(errors)
        if dry_run:
            transaction.set_rollback(True)
    return stored


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportInvalid([RowError(line, "", "The file is not UTF-8 text; save it as 'CSV UTF-8'.")]) from None


class _RowParser:
    """Knows the header and the stored services and questionnaires; parses one line at a time."""

    def __init__(self, header: list[str], *, today: date):
        self.today = today
        self.header = [name.strip() for name in header]
        self.services = {service.code: service for service in Service.objects.all()}
        self.questionnaires = {(q.code, q.version): q for q in Questionnaire.objects.all()}
        self.definitions: dict[int, QuestionnaireDef] = {
            q.pk: loaded_questionnaire(q.pk).definition for q in self.questionnaires.values()
        }
        choice_codes = {question.code for d in self.definitions.values() for question in d.questions if question.is_choice}
        text_codes = {question.code for d in self.definitions.values() for question in d.questions if question.kind == Kind.TEXT}
        self.header_errors: list[RowError] = []
        self.option_columns: list[tuple[int, str, str]] = []  # (index, question, option)
        self.text_columns: list[tuple[int, str]] = []
        self.base: dict[str, int] = {}
        seen: set[str] = set()
        for index, name in enumerate(self.header):
            if name in seen:
                self.header_errors.append(RowError(1, name, "This column appears twice."))
                continue
            seen.add(name)
            question, dot, option = name.partition(".")
            if name in IMPORT_COLUMNS:
                self.base[name] = index
            elif dot and question in choice_codes and option:
                # An option no questionnaire asks is refused per line, by clean_answers,
                # only where it is marked 1.
                self.option_columns.append((index, question, option))
            elif name in text_codes:
                self.text_columns.append((index, name))
            else:
                self.header_errors.append(
                    RowError(
                        1,
                        name,
                        (
                            "Unknown column; expected the import columns: "
                            f"{', '.join(IMPORT_COLUMNS)}, then question.option and free-text question codes."
                        ),
                    )
                )
        missing = [name for name in REQUIRED_COLUMNS if name not in self.base]
        for name in missing:
            self.header_errors.append(RowError(1, name, "This column is missing."))
        self.fatal = bool(missing)

    def parse(self, line: int, record: list[str]) -> tuple[ImportRow | None, list[RowError]]:
        if len(record) != len(self.header):
            return None, [RowError(line, "", f"This line has {len(record)} cells; the header has {len(self.header)}.")]
        cells = [undefuse(cell) for cell in record]
        errors: list[RowError] = []

        def base(name: str) -> str:
            return cells[self.base[name]].strip() if name in self.base else ""

        service = self._service(line, base("service"), errors)
        questionnaire = self._questionnaire(line, base("questionnaire"), base("version"), errors)
        channel = base("channel") or Channel.PAPER
        if channel not in Channel.values:
            errors.append(
                RowError(line, "channel", f"Expected {', '.join(Channel.values)} or empty (paper), not {channel[:40]!r}.")
            )
        submitted_on = self._date(line, base("submitted_on"), errors)
        number = self._number(line, base("number"), errors)
        answers = self._answers(line, cells, questionnaire, errors)
        if errors:
            return None, errors
        submission = Submission(client_id=uuid.uuid4(), answers=answers)
        return ImportRow(line, service, questionnaire, channel, submitted_on, number, submission), []

    def _service(self, line: int, code: str, errors: list[RowError]) -> Service | None:
        if not code:
            errors.append(RowError(line, "service", "Give the service's code, e.g. CL."))
            return None
        service = self.services.get(code.upper())
        if service is None:
            errors.append(RowError(line, "service", f"No service has code {code[:40]!r}; add it with add_service first."))
        return service

    def _questionnaire(self, line: int, code: str, version: str, errors: list[RowError]) -> Questionnaire | None:
        if code not in GROUPS:
            errors.append(RowError(line, "questionnaire", f"Expected patient or staff, not {code[:40]!r}."))
            return None
        if not (version.isascii() and version.isdecimal()) or len(version) > 6:
            errors.append(
                RowError(line, "version", f"Expected the questionnaire's version number, e.g. 1, not {version[:40]!r}.")
            )
            return None
        questionnaire = self.questionnaires.get((code, int(version)))
        if questionnaire is None:
            errors.append(RowError(line, "version", f"No {code} questionnaire version {int(version)} is loaded."))
        return questionnaire

    def _date(self, line: int, value: str, errors: list[RowError]) -> date | None:
        try:
            if not DATE_RE.match(value):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            errors.append(RowError(line, "submitted_on", f"Expected a date as YYYY-MM-DD, e.g. 2014-06-30, not {value[:40]!r}."))
            return None
        if day > self.today:
            errors.append(RowError(line, "submitted_on", f"The date {value} is in the future."))
            return None
        if day < EARLIEST_PAPER_DATE:
            errors.append(
                RowError(line, "submitted_on", f"The date {value} is before 2014, when this survey began: check the year.")
            )
            return None
        return day

    def _number(self, line: int, value: str, errors: list[RowError]) -> int | None:
        if not value:
            return None
        # A length first: Python refuses to read a number of thousands of digits.
        if not (value.isascii() and value.isdecimal()) or len(value) > 10 or not 0 < int(value) <= MAX_NUMBER:
            errors.append(
                RowError(
                    line,
                    "number",
                    (f"Expected a whole number above 0, or leave it empty for the next number; not {value[:40]!r}."),
                )
            )
            return None
        return int(value)

    def _answers(self, line: int, cells: list[str], questionnaire: Questionnaire | None, errors: list[RowError]):
        chosen: dict[str, list[str]] = {}
        bad_cells = False
        for index, question, option in self.option_columns:
            value = cells[index].strip()
            if value == "1":
                chosen.setdefault(question, []).append(option)
            elif value not in ("", "0"):
                errors.append(
                    RowError(line, self.header[index], f"Expected 1 (chosen), 0 (not chosen) or empty, not {value[:40]!r}.")
                )
                bad_cells = True
        if questionnaire is None:
            return None
        definition = self.definitions[questionnaire.pk]
        raw: dict[str, object] = {}
        for code, options in chosen.items():
            question = definition.question(code)
            if question is not None and question.kind == Kind.ONE:
                if len(options) > 1:
                    errors.append(
                        RowError(line, code, f"Only one answer may be chosen, but {', '.join(options)} are all marked 1.")
                    )
                    bad_cells = True
                    continue
                raw[code] = options[0]
            else:
                raw[code] = options
        for index, code in self.text_columns:
            if cells[index].strip():
                raw[code] = cells[index]
        try:
            return clean_answers(definition, raw)
        except SubmissionInvalid as exc:
            if exc.errors == {"answers": [NO_ANSWERS]}:
                # A line whose only answers were bad cells is not also "empty".
                if not bad_cells:
                    errors.append(RowError(line, "", EMPTY_LINE))
                return None
            for code, messages in exc.errors.items():
                errors.extend(RowError(line, code, message) for message in messages)
            return None
