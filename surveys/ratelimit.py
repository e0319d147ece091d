"""Submission rate limits, keyed by collection link, never by address.

A fixed one-minute window counted in the shared cache (the database, or Redis
when CACHE_URL says so), so every gunicorn worker sees the same count. The
counter holds a hash of the link's token and a number, nothing about any response, and expires
with its window.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def link_allows(token: str, *, now: float | None = None) -> tuple[bool, int]:
    """Count one submission for the link; (allowed, seconds until the window ends)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"rl:link:{hashlib.sha256(token.encode()).hexdigest()[:24]}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    retry_after = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return count <= settings.PEERSURVEY_LINK_RATE_LIMIT, retry_after
