"""Every count and row the dashboard reads, from released answers only.

`tallies` sums the tallies (figures: one statement, flat in the number of
responses); `responses` selects released responses for the row export;
`quotes` reads reviewed free text. Nothing here loops over responses.
"""

from .responses import released_responses, released_through
from .tallies import selection_counts, wave_denominators

__all__ = ["released_responses", "released_through", "selection_counts", "wave_denominators"]
