"""Submission rate limits, keyed by collection link, never by address.

A fixed one-minute window that every gunicorn worker shares, counted in the
cache: Redis when CACHE_URL names it, else files on this machine. Never in the
database: a counter's window is a time of day, and nothing in the database may
hold one (it would date the latest answer on a link to the minute). The key is
a hash of the link's token and the window; nothing about any response.

Only valid submissions are counted (the API and the form call `rate_limit_take`
after validating): an invalid one stores nothing and costs nothing, so whoever
holds a link cannot use up its allowance with rubbish.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from .models import CollectionLink

WINDOW_SECONDS = 60
LOCK_NAME = "ratelimit.lock"


def rate_limit_take(link: CollectionLink, *, now: float | None = None) -> tuple[bool, int]:
    """Take one submission from the link's allowance for this window:
    (allowed, seconds until the window ends). Counts even when refused.

    Atomic: of two submissions taking the last place at once, one is refused.
    """
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"rl:link:{hashlib.sha256(link.token.encode()).hexdigest()[:24]}:{window}"
    with _one_at_a_time():
        cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
    retry_after = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return count <= settings.PEERSURVEY_LINK_RATE_LIMIT, retry_after


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    """Redis and the in-memory cache increment atomically; the file cache reads a
    file and writes it again, so two workers could both take the last place. For
    it, every process of the machine takes turns on a lock file in the cache's
    directory (the cache's clear() leaves it: it deletes only its own files)."""
    config = settings.CACHES["default"]
    if not config["BACKEND"].endswith(".FileBasedCache"):
        yield
        return
    os.makedirs(config["LOCATION"], exist_ok=True)
    with open(os.path.join(config["LOCATION"], LOCK_NAME), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
