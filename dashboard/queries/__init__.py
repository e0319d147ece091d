"""Every count and row the dashboard reads, from released answers only.

`tallies` sums the tallies (figures: one statement, flat in the number of
responses); `responses` selects released responses for the row export;
`quotes` reads reviewed free text. Nothing here loops over responses.
"""

from .responses import channel_counts, released_responses, released_through
from .tallies import period_counts, selection_counts, selection_service_codes, service_counts, wave_denominators

__all__ = [
    "channel_counts",
    "period_counts",
    "released_responses",
    "released_through",
    "selection_counts",
    "selection_service_codes",
    "service_counts",
    "wave_denominators",
]
