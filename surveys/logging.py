"""Keep collection traffic out of the logs (docs/contract.md, "Collection rules": nothing identifying).

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


class RedactCollectionPaths(logging.Filter):
    """For Django's request log: keeps warnings and errors (with tracebacks) but
    drops the path of a collection request, which names its link."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") or ""
        if any(path.startswith(prefix) for prefix in COLLECTION_PREFIXES) and isinstance(record.args, tuple):
            record.args = tuple("a collection request" if arg == path else arg for arg in record.args)
        return True
