"""A small HTTP client over http.client: cookies, timings, bytes on the wire.

When gunicorn closes the connection after a response, http.client opens
a new one on the next request by itself.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import statistics
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    wire_bytes: int

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    count: int


def timing(seconds: list[float]) -> Timing:
    """Median and nearest-rank 95th percentile, in milliseconds.

    >>> timing([0.001 * n for n in range(1, 21)])
    Timing(median_ms=10.5, p95_ms=19.0, count=20)
    """
    ordered = sorted(seconds)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return Timing(round(statistics.median(ordered) * 1000, 3), round(p95 * 1000, 3), len(ordered))


def header_bytes(response: http.client.HTTPResponse) -> int:
    status_line = len(f"HTTP/1.1 {response.status} {response.reason}\r\n")
    return status_line + sum(len(name) + len(value) + 4 for name, value in response.getheaders()) + 2


class Session:
    """One client, like one browser tab: keeps its cookies across requests."""

    def __init__(self, host: str, port: int, *, timeout: float = 900):
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None) -> Reply:
        started = time.perf_counter()
        response = self._send(method, path, body, headers)
        data = response.read()
        seconds = time.perf_counter() - started
        return Reply(response.status, self._headers(response), data, seconds, header_bytes(response) + len(data))

    def open(self, path: str) -> http.client.HTTPResponse:
        """GET, leaving the body to the caller (for bodies too big to keep)."""
        return self._send("GET", path, None, None)

    def get(self, path: str, **headers) -> Reply:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict) -> Reply:
        body = urlencode(fields).encode()
        return self.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, body: bytes) -> Reply:
        return self.request("POST", path, body=body, headers={"Content-Type": "application/json"})

    def close(self) -> None:
        self.connection.close()

    def _send(self, method, path, body, headers) -> http.client.HTTPResponse:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        for value in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response

    @staticmethod
    def _headers(response: http.client.HTTPResponse) -> dict[str, str]:
        return {name.lower(): value for name, value in response.getheaders()}


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(session: Session, username: str, password: str) -> None:
    """Log in through /accounts/login/ like a browser: the form's CSRF token, then POST."""
    form = session.get("/accounts/login/")
    match = CSRF_FIELD.search(form.text)
    if form.status != 200 or match is None:
        raise RuntimeError(f"login form answered {form.status} without a CSRF token")
    reply = session.post_form(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1), "next": "/dashboard/"},
    )
    if reply.status != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login as {username} failed: {reply.status}")
