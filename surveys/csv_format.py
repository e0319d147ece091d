"""The response CSVs' layouts and their spreadsheet defusing, for the exporter
and the importer alike.

Every text cell a spreadsheet could take for a formula gets a `'` in front, so
a free-text answer such as "=HYPERLINK(...)" cannot run when a lead opens the
file; the importer takes it off again.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

# Paper import: these columns, then one 0/1 column per option, named
# `question.option`, then one column per free-text question.
IMPORT_COLUMNS = ("service", "questionnaire", "version", "channel", "submitted_on", "number")
# The response export (anonymised: no day, no running number, no channel, no
# free text): these columns, then one per about-you question, then the 0/1
# option columns of the other questions, named as for import.
EXPORT_COLUMNS = ("service", "questionnaire", "version", "month", "wave")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a spreadsheet may skip or drop before it looks for a formula: spaces,
# line and paragraph separators, format characters (zero-width space and joiners,
# the byte order mark, direction marks) and the control characters but tab and
# carriage return, which start a formula themselves.
SKIPPED_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc"})
# Blank letters and symbols that show as nothing.
BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula: it starts with one of
    `FORMULA_STARTS` once leading invisible characters are skipped and compatibility
    forms are folded (NFKC: fullwidth `＝` is `=`, small `﹢` is `+`), as Excel and
    LibreOffice fold some of them. A leading `'` is looked through too, so that
    `undefuse` gives back a typed `'` (see `defuse`).

    >>> starts_formula("\\uff1d1+1"), starts_formula("\\u200b@cmd"), starts_formula(" -2"), starts_formula("x=1")
    (True, True, True, False)
    """
    text = text.lstrip("'")
    if text[:1].isascii() and text[:1].isalnum():  # most cells: a code, a word, a month
        return False
    for char in unicodedata.normalize("NFKC", text):
        if char in FORMULA_STARTS:
            return True
        if char not in BLANKS and unicodedata.category(char) not in SKIPPED_CATEGORIES:
            return False
    return False


def defuse(value) -> str:
    """Make a cell safe to open in a spreadsheet: text that could start a formula
    gets a `'` in front. Numbers are written as they are (a negative number is a
    number, not a formula); text that looks like one (`"-5"`, `"+44 ..."`) is
    quoted all the same, as pretix does.

    >>> defuse("=1+1"), defuse("-2"), defuse("\\uff1d1+1"), defuse("plain"), defuse(None), defuse(-3), defuse(-0.5)
    ("'=1+1", "'-2", "'＝1+1", 'plain', '', '-3', '-0.5')

    Text already starting with `'` before a formula gets another, so that the
    import, which takes one off, gives back what was written:

    >>> defuse("'=1+1"), undefuse(defuse("'=1+1"))
    ("''=1+1", "'=1+1")
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if starts_formula(text) else text


def undefuse(cell: str) -> str:
    """Undo `defuse`.

    >>> undefuse("'=1+1"), undefuse("'-2"), undefuse("'quoted"), undefuse("plain"), undefuse("'\\u200b=1")
    ('=1+1', '-2', "'quoted", 'plain', '\\u200b=1')
    """
    if cell.startswith("'") and starts_formula(cell[1:]):
        return cell[1:]
    return cell
