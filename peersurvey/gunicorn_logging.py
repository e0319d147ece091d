"""gunicorn's access log without client addresses, and without collection
requests at all: a request line for /c/ or the submission API would place a
patient's answer in time more finely than its date (docs/contract.md, "Collection rules").

Used by gunicorn.conf.py: `logger_class = "peersurvey.gunicorn_logging.AnonymousAccessLogger"`.
"""

from gunicorn.glogging import Logger

from surveys.logging import COLLECTION_PREFIXES

# No %(h)s (address), %(a)s (user agent) or %(t)s: method, path, status, size, duration.
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class AnonymousAccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        path = environ.get("PATH_INFO", "")
        if path.startswith(COLLECTION_PREFIXES):
            return
        super().access(resp, req, environ, request_time)
