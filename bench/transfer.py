"""What a ward tablet downloads for the patient form: first visit and a repeat visit.

First load: the page, every static file it references (and those its CSS
references) and the service worker a kiosk page registers. Repeat load: what a
browser's HTTP cache cannot answer by itself, i.e. anything without a fresh
max-age (the page is never cached), sent again with If-None-Match /
If-Modified-Since when the first answer gave a validator.
"""

from __future__ import annotations

import gzip
import posixpath
import re
from dataclasses import dataclass

from .web import Reply, Session

ACCEPT = {"Accept-Encoding": "gzip, br"}
STATIC_URL = re.compile(r"""/static/[^"'\s)<>]+""")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass(frozen=True)
class Transfer:
    files: int
    page_bytes: int
    first_bytes: int
    repeat_bytes: int
    refetched: int
    page_encoding: str
    static_encoding: str


def _css_assets(path: str, css: str) -> list[str]:
    found = []
    for ref in CSS_URL.findall(css):
        if ref.startswith(("data:", "http:", "https:", "#")):
            continue
        found.append(ref if ref.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(path), ref)))
    return found


def _fresh(reply: Reply) -> bool:
    """Would a browser reuse this without asking? (max-age > 0, no no-cache/no-store)."""
    control = reply.headers.get("cache-control", "").lower()
    if "no-cache" in control or "no-store" in control:
        return False
    match = re.search(r"max-age=(\d+)", control)
    return bool(match and int(match.group(1)) > 0)


def _validators(reply: Reply) -> dict[str, str]:
    headers = {}
    if "etag" in reply.headers:
        headers["If-None-Match"] = reply.headers["etag"]
    if "last-modified" in reply.headers:
        headers["If-Modified-Since"] = reply.headers["last-modified"]
    return headers


def _decoded(session: Session, path: str, reply: Reply) -> str:
    encoding = reply.headers.get("content-encoding", "")
    if not encoding:
        return reply.text
    if encoding == "gzip":
        return gzip.decompress(reply.body).decode("utf-8", errors="replace")
    return session.get(path).text  # br: ask again for the plain file (not counted)


def _first_load(session: Session, page_path: str) -> dict[str, Reply]:
    page = session.get(page_path, **ACCEPT)
    if page.status != 200:
        raise RuntimeError(f"GET {page_path} answered {page.status}")
    loaded = {page_path: page}
    queue = list(dict.fromkeys(STATIC_URL.findall(page.text)))
    if 'data-sw="' in page.text:
        queue.append(re.search(r'data-sw="([^"]+)"', page.text).group(1))
    while queue:
        path = queue.pop(0)
        if path in loaded:
            continue
        reply = session.get(path, **ACCEPT)
        if reply.status != 200:
            raise RuntimeError(f"GET {path} (referenced by the patient form) answered {reply.status}")
        loaded[path] = reply
        if path.endswith(".css"):
            queue += _css_assets(path, _decoded(session, path, reply))
    return loaded


def measure_transfer(session: Session, page_path: str) -> Transfer:
    first = _first_load(session, page_path)
    repeat_bytes = refetched = 0
    for path, reply in first.items():
        if _fresh(reply):
            continue
        again = session.get(path, **ACCEPT, **_validators(reply))
        repeat_bytes += again.wire_bytes
        refetched += 1
    statics = [reply for path, reply in first.items() if path.startswith("/static/")]
    return Transfer(
        files=len(first),
        page_bytes=first[page_path].wire_bytes,
        first_bytes=sum(reply.wire_bytes for reply in first.values()),
        repeat_bytes=repeat_bytes,
        refetched=refetched,
        page_encoding=first[page_path].headers.get("content-encoding", "none"),
        static_encoding=", ".join(sorted({reply.headers.get("content-encoding", "none") for reply in statics})),
    )
