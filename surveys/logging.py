"""Keep collection traffic out of the logs (docs/contract.md, "Collection rules": nothing identifying).

A request line for a collection page or the submission API, even without an
address, ties a moment to a service's token; the patient's answers must not be
placed in time more finely than the submission date.

And no one writes lines into a log through a URL: a path's control characters
(`%0A` decodes to a line end) are written escaped, `\\x0a`, wherever a path reaches
a log line (docs/security.md, "Logs, dates and body size").
"""

import logging
import re

COLLECTION_PREFIXES = ("/c/", "/api/v1/links/")
# Asked every few seconds by the container's healthcheck and a trust's monitoring:
# never an access-log line (peersurvey/health.py).
QUIET_PATHS = ("/healthz",)

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A token after a collection prefix, wherever it stands in a message.
COLLECTION_TOKEN = re.compile(r"(/c/|/api/v1/links/)[^/\s\"'?]+")
# gunicorn's "Invalid request from ip=203.0.113.5: ..." (IPv6 addresses hold colons).
GUNICORN_ADDRESS = re.compile(r" from ip=\S*?:(?=\s|$)")


def escape_controls(text: str) -> str:
    r"""A line end or other control character as \xNN, so a URL cannot start a log line.

    >>> escape_controls("/x\nINFO login succeeded: username 'admin'")
    "/x\\x0aINFO login succeeded: username 'admin'"
    """
    return CONTROL_CHARACTERS.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def is_collection_path(path: str) -> bool:
    return any(prefix in path for prefix in COLLECTION_PREFIXES)


def is_quiet_path(path: str) -> bool:
    """Kept out of every access log: collection requests and the health check."""
    return is_collection_path(path) or path.rstrip("/") in QUIET_PATHS


def scrub(message: str) -> str:
    """A message fit for any log: link tokens and client addresses out, controls escaped."""
    message = COLLECTION_TOKEN.sub(r"\1…", message)
    message = GUNICORN_ADDRESS.sub("", message)
    return escape_controls(message)


def message_of(record: logging.LogRecord) -> str | None:
    """The record's message, or None for a broken log call (left for logging's own error report)."""
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - a filter must never raise into the code that logged
        return None


def scrub_record(record: logging.LogRecord) -> None:
    message = message_of(record)
    if message is not None:
        record.msg, record.args = scrub(message), ()


class HideCollectionRequests(logging.Filter):
    """For the access log: drops collection requests, the health check and lines naming
    a client address; escapes control characters in the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = message_of(record) or ""
        if message.startswith("- Broken pipe from"):
            return False
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path is None:
            path = message
            # runserver's line: "GET /healthz HTTP/1.1" 200 15
            request_line = message.split('"')[1].split(" ") if message.count('"') >= 2 else []
            if len(request_line) > 1 and request_line[1].split("?")[0].rstrip("/") in QUIET_PATHS:
                return False
        if is_quiet_path(path):
            return False
        scrub_record(record)
        return True


class RedactCollectionPaths(logging.Filter):
    """For Django's request and security logs: keeps warnings and errors (with
    tracebacks) but drops the path of a collection request, which names its link,
    and escapes control characters in every path."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") or ""
        if is_collection_path(path) and isinstance(record.args, tuple):
            record.args = tuple("a collection request" if arg == path else arg for arg in record.args)
        scrub_record(record)
        return True
