"""Refuse a request body larger than DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.

nginx refuses such bodies in production (client_max_body_size), but a web process
reached directly would take them: Django applies DATA_UPLOAD_MAX_MEMORY_SIZE to form
fields only, streams a multipart file part to disk whatever its size, and reads no body
at all when it comes chunked (no Content-Length). So here, early in MIDDLEWARE: a
Content-Length over the limit is a 413 at once; a chunked body is read up to the limit
and handed on as if it had had a Content-Length, or is a 413 once it passes the limit.

No page takes a file (the paper CSV import is a command, `import_responses`), so the
one limit serves every path. The API's 413 is in its own error shape, as nginx's is.
"""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

API_PREFIX = "/api/"
READ_SIZE = 64 * 1024


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"errors": {"body": [f"The body is larger than {limit} bytes."]}}, status=413)
    text = gettext("The request is larger than %(limit)s bytes, the most this site takes.") % {"limit": limit}
    return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _read_chunked(request: HttpRequest, limit: int) -> bytes | None:
    """The chunked body, or None once it passes the limit (the rest is never read)."""
    stream = request.META.get("wsgi.input")
    if stream is None:
        return b""
    data = b""
    while len(data) <= limit:
        chunk = stream.read(min(READ_SIZE, limit + 1 - len(data)))
        if not chunk:
            return data
        data += chunk
    return None


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            return self.get_response(request)
        length = _declared_length(request)
        if length is not None and length > limit:
            return too_large(request, limit)
        if length is None and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = _read_chunked(request, limit)
            if body is None:
                return too_large(request, limit)
            # Django reads a body only as far as CONTENT_LENGTH says.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(BytesIO(body), len(body))
        return self.get_response(request)
