"""Production settings plus the bench's baseline views (bench/urls.py).

Everything else (DEBUG, DATABASE_URL, the link rate limit) comes from the
environment, exactly as in production; bench/run.py sets it.
"""

from peersurvey.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
