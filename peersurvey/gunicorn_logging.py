"""gunicorn's logs without client addresses, times or link tokens.

The access log has no address, user agent or time, and no line at all for a
collection request (/c/ or the submission API: it would place a patient's answer
in time more finely than its date, docs/contract.md, "Collection rules") or for
the health check. The error log has no time, and its messages lose addresses
("Invalid request from ip=...") and link tokens. Control characters in a path
(%0A decodes to a line end) are escaped in both, so a URL cannot forge a line.

Used by gunicorn.conf.py: `logger_class = "peersurvey.gunicorn_logging.AnonymousAccessLogger"`.
"""

import logging

from gunicorn.glogging import Logger

from surveys.logging import escape_controls, is_quiet_path, scrub_record

# No %(h)s (address), %(a)s (user agent) or %(t)s: method, path, status, size, duration.
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class ScrubErrorLog(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


class AnonymousAccessLogger(Logger):
    # No %(asctime)s: an error line for a malformed collection request would date it.
    error_fmt = r"[%(process)d] [%(levelname)s] %(message)s"

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(existing, ScrubErrorLog) for existing in self.error_log.filters):
            self.error_log.addFilter(ScrubErrorLog())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: escape_controls(value) if isinstance(value, str) else value for key, value in atoms.items()}

    def access(self, resp, req, environ, request_time):
        if is_quiet_path(environ.get("PATH_INFO") or ""):
            return
        super().access(resp, req, environ, request_time)
