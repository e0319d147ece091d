"""GET /healthz for the container's healthcheck and a trust's monitoring (docs/operations.md).

A middleware, first in MIDDLEWARE, so it answers before SecurityMiddleware's https
redirect and before anything reads the Host header: Docker's healthcheck asks
http://127.0.0.1:8000/healthz from inside the container, which production's
ALLOWED_HOSTS and SECURE_SSL_REDIRECT would otherwise refuse. Returning here also
means no session, language or CSRF cookie, and no login.
"""

import json

from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpResponse

PATH = "/healthz"
METHODS = ("GET", "HEAD")


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def health_response(method: str) -> HttpResponse:
    if method not in METHODS:
        response = HttpResponse(status=405)
        response["Allow"] = ", ".join(METHODS)
    else:
        ok = database_answers()
        body = json.dumps({"status": "ok" if ok else "unavailable"})
        response = HttpResponse(body if method == "GET" else b"", content_type="application/json", status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Django's request logger writes every 4xx and 5xx ("Service Unavailable: /healthz")
    # unless the response says it was dealt with: a check every 10 s would fill the log.
    response._has_been_logged = True
    return response


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return health_response(request.method)
        return self.get_response(request)
