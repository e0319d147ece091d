"""scripts/housekeeping.sh, the compose stack's daily run: expired sessions go, and with a
retention set, responses older than that many whole months (docs/operations.md).

It runs as its own process against the test database, so the data is committed first.
"""

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from surveys.models import Response
from tests.factories import answer, service

ROOT = Path(__file__).resolve().parents[2]
HOUSEKEEPING = ROOT / "scripts" / "housekeeping.sh"


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def housekeeping(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(HOUSEKEEPING), *args],
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHON": sys.executable,
            "DATABASE_URL": database_url(),
            "SECRET_KEY": "housekeeping-test",
            "PEERSURVEY_CACHE_DIR": str(tmp_path / "cache"),
            "PEERSURVEY_OPERATOR": "housekeeping",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def old_and_new(db):
    chadwick = service("CL")
    for _ in range(3):
        answer(chadwick, "patient", {"useful": "no", "useful_why": "long ago"}, on=date.today() - timedelta(days=800))
    for _ in range(2):
        answer(chadwick, "patient", {"useful": "yes", "useful_why": "last week"}, on=date.today() - timedelta(days=7))
    expired = SessionStore()
    expired["x"] = 1
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    live = SessionStore()
    live["x"] = 1
    live.create()
    return {"expired": expired.session_key, "live": live.session_key}


@pytest.mark.django_db(transaction=True)
def test_one_run_clears_expired_sessions_and_purges_past_the_retention(tmp_path, old_and_new):
    ran = housekeeping(tmp_path, "--once", PEERSURVEY_RETENTION_MONTHS="24")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert len(lines) == 1, ran.stdout
    assert re.fullmatch(
        r"housekeeping: expired sessions cleared; Deleted 3 responses submitted before \d{4}-\d{2}-01\.", lines[0]
    )
    assert ran.stderr == ""
    assert sorted(Response.objects.values_list("submitted_on", flat=True)) == [date.today() - timedelta(days=7)] * 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [old_and_new["live"]]
    purge = AuditEvent.objects.get(action=AuditAction.PURGE)
    assert (purge.username, purge.selection["deleted"]) == ("housekeeping", 3)


@pytest.mark.django_db(transaction=True)
def test_without_a_whole_number_of_months_nothing_is_purged(tmp_path, old_and_new):
    # "0" would purge everything before this month: refused, like anything but 1, 2, 3, ...
    ran = housekeeping(tmp_path, "--once", PEERSURVEY_RETENTION_MONTHS="0")
    assert ran.returncode == 1
    assert "no purge: PEERSURVEY_RETENTION_MONTHS must be a whole number of months" in ran.stdout
    ran = housekeeping(tmp_path, "--once")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout == "housekeeping: expired sessions cleared; no purge (PEERSURVEY_RETENTION_MONTHS not set)\n"
    assert Response.objects.count() == 5
    assert list(Session.objects.values_list("session_key", flat=True)) == [old_and_new["live"]]


def test_bad_arguments_get_a_usage_line(tmp_path):
    ran = housekeeping(tmp_path, "--daily")
    assert ran.returncode == 2
    assert ran.stderr.startswith("usage: scripts/housekeeping.sh")
