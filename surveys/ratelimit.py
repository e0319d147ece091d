"""Submission rate limits, keyed by collection link, never by address.

A fixed one-minute window that every gunicorn worker shares: counted in Redis
when CACHE_URL names it, else in one row per link in the database, by a single
upsert statement. The count holds the link and a number, nothing about any
response.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .models import CollectionLink, LinkRate

WINDOW_SECONDS = 60


def rate_limit_take(link: CollectionLink, *, now: float | None = None) -> tuple[bool, int]:
    """Take one submission from the link's allowance for this window:
    (allowed, seconds until the window ends). Counts even when refused."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    in_redis = "redis" in settings.CACHES["default"]["BACKEND"]
    count = _count_in_redis(link, window) if in_redis else _count_in_database(link, window)
    retry_after = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return count <= settings.PEERSURVEY_LINK_RATE_LIMIT, retry_after


def _count_in_redis(link: CollectionLink, window: int) -> int:
    key = f"rl:link:{hashlib.sha256(link.token.encode()).hexdigest()[:24]}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


def _count_in_database(link: CollectionLink, window: int) -> int:
    table = LinkRate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (link_id, minute, n) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (link_id) DO UPDATE SET "
            f"n = CASE WHEN {table}.minute = excluded.minute THEN {table}.n + 1 ELSE 1 END, minute = excluded.minute "
            f"RETURNING n",
            [link.pk, window],
        )
        return cursor.fetchone()[0]
