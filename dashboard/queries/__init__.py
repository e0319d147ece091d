"""Every count the dashboard needs, as plain `Counts`.

The fast path (`tallies`) reads the tallies kept by surveys/tallies.py in one
statement, whose cost depends on services x months x options, never on how
many responses there are. A selection the tallies cannot answer (two about-you
filters at once, or one with a date range that cuts a month) is counted from
the answers (`answers`) in five grouped statements. Both return the same
`Counts`; the suite holds them to each other. Nothing here loops over responses.
"""

from __future__ import annotations

from ..access import Access
from ..selection import Selection
from ..stats import Counts
from .answers import answer_counts, selected_responses
from .tallies import date_windows, tallied, tally_counts

__all__ = ["answer_counts", "date_windows", "selected_responses", "selection_counts", "tallied", "tally_counts"]


def selection_counts(selection: Selection, access: Access) -> tuple[Counts, dict[str, int]]:
    """Counts for data.json, and the number of services per group in the selection."""
    if tallied(selection):
        return tally_counts(selection, access)
    return answer_counts(selection, access)
