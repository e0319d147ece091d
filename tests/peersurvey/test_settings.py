"""Settings at start-up: a `.env` file when there is one (the real environment wins over it),
and no start without a SECRET_KEY unless DEBUG is on.

Each case starts Django in a fresh process with an environment built here, and points
PEERSURVEY_ENV_FILE at a file of its own (never the checkout's .env, which a developer may have).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Set by the test run (peersurvey/pytest_plugin.py) or a developer; each case sets its own.
OWN = {"SECRET_KEY", "DEBUG", "PEERSURVEY_ENV_FILE", "TIME_ZONE", "DJANGO_SETTINGS_MODULE"}
SHOW = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY, settings.DEBUG, settings.TIME_ZONE)"


def start(command: list[str], env_file: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in OWN}
    environment.update(DJANGO_SETTINGS_MODULE="peersurvey.settings", PEERSURVEY_ENV_FILE=str(env_file), **env)
    return subprocess.run([sys.executable, *command], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def settings_seen(env_file: Path, **env: str) -> list[str]:
    result = start(["-c", SHOW], env_file, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_without_a_secret_key_and_without_debug_nothing_starts(tmp_path):
    for debug in ({}, {"DEBUG": "0"}):
        result = start(["manage.py", "check"], tmp_path / "absent.env", **debug)
        assert result.returncode != 0
        assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
        # The message says how to make one.
        assert 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"' in result.stderr


def test_an_empty_secret_key_counts_as_none(tmp_path):
    result = start(["manage.py", "check"], tmp_path / "absent.env", SECRET_KEY="  ", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_runs_with_a_development_key_that_check_deploy_flags(tmp_path):
    key, debug, _ = settings_seen(tmp_path / "absent.env", DEBUG="1")
    assert debug == "True"
    # Django's own prefix for keys that must never serve production.
    assert key.startswith("django-insecure-")


def test_the_env_file_supplies_settings(tmp_path):
    env_file = tmp_path / "site.env"
    env_file.write_text("# production values\nSECRET_KEY=key-from-the-env-file-0123456789\nTIME_ZONE=Europe/Dublin\n")
    assert settings_seen(env_file, DEBUG="0") == ["key-from-the-env-file-0123456789", "False", "Europe/Dublin"]


def test_the_real_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / "site.env"
    env_file.write_text("SECRET_KEY=key-from-the-env-file\nDEBUG=1\nTIME_ZONE=Europe/Dublin\n")
    seen = settings_seen(env_file, SECRET_KEY="key-from-the-environment", DEBUG="0")
    assert seen == ["key-from-the-environment", "False", "Europe/Dublin"]


def test_the_test_run_needs_no_secret_key(tmp_path):
    """`pytest` with no SECRET_KEY in the environment: settings load before any conftest,
    so peersurvey/pytest_plugin.py gives the run a key of its own."""
    result = start(
        ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/peersurvey/test_settings.py"],
        tmp_path / "absent.env",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_the_test_run_needs_no_secret_key" in result.stdout
