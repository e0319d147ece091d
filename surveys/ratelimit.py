"""Submission rate limits, keyed by collection link, never by address.

A fixed one-minute window that every gunicorn worker shares, counted in the
cache: Redis when CACHE_URL names it, else files on this machine. Never in the
database: a counter's window is a time of day, and nothing in the database may
hold one (it would date the latest answer on a link to the minute). The key is
a hash of the link's token and the window; nothing about any response.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from .models import CollectionLink

WINDOW_SECONDS = 60


def rate_limit_take(link: CollectionLink, *, now: float | None = None) -> tuple[bool, int]:
    """Take one submission from the link's allowance for this window:
    (allowed, seconds until the window ends). Counts even when refused."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"rl:link:{hashlib.sha256(link.token.encode()).hexdigest()[:24]}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    retry_after = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return count <= settings.PEERSURVEY_LINK_RATE_LIMIT, retry_after
