"""The response CSVs' layouts and their spreadsheet defusing, for the exporter
and the importer alike.

Every text cell a spreadsheet could take for a formula gets a `'` in front, so
a free-text answer such as "=HYPERLINK(...)" cannot run when a lead opens the
file; the importer takes it off again.
"""

from __future__ import annotations

# Paper import: these columns, then one 0/1 column per option, named
# `question.option`, then one column per free-text question.
IMPORT_COLUMNS = ("service", "questionnaire", "version", "channel", "submitted_on", "number")
# The response export (anonymised: no day, no running number, no channel, no
# free text): these columns, then one per about-you question, then the 0/1
# option columns of the other questions, named as for import.
EXPORT_COLUMNS = ("service", "questionnaire", "version", "month", "wave")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value) -> str:
    """Make a cell safe to open in a spreadsheet.

    >>> defuse("=1+1"), defuse("-2"), defuse("plain"), defuse(None), defuse(3)
    ("'=1+1", "'-2", 'plain', '', '3')
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def undefuse(cell: str) -> str:
    """Undo `defuse`.

    >>> undefuse("'=1+1"), undefuse("'-2"), undefuse("'quoted"), undefuse("plain")
    ('=1+1', '-2', "'quoted", 'plain')
    """
    if cell.startswith("'") and cell[1:2] and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell
