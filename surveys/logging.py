"""Keep collection traffic out of the logs (SPEC "Collection": nothing identifying).

A request line for a collection page or the submission API, even without an
address, ties a moment to a service's token; the patient's answers must not be
placed in time more finely than the submission date.
"""

import logging

COLLECTION_PREFIXES = ("/c/", "/api/v1/links/")


class HideCollectionRequests(logging.Filter):
    """For the access log: drops collection requests and lines naming a client address."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("- Broken pipe from"):
            return False
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path is None:
            path = record.getMessage()
        return not any(prefix in path for prefix in COLLECTION_PREFIXES)
