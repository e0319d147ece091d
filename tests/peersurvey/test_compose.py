"""docker-compose.yml and the Dockerfile keep what a trust's IT relies on (docs/operations.md):
healthchecks, the proxy waiting for a healthy web container, the daily housekeeping, the
backup behind a profile, and backups kept out of git and out of the image.

Read with PyYAML: the project's own if installed, else the one docker-compose runs on.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def yaml_reader() -> list[str] | None:
    """A Python that can import yaml: ours, or docker-compose's own interpreter."""
    try:
        import yaml  # noqa: F401, PLC0415
    except ImportError:
        pass
    else:
        return [sys.executable]
    compose = shutil.which("docker-compose")
    if compose:
        with open(compose, "rb") as script:
            first = script.readline().decode(errors="replace")
        if first.startswith("#!"):
            interpreter = first[2:].split()
            if subprocess.run([*interpreter, "-c", "import yaml"], capture_output=True).returncode == 0:
                return interpreter
    return None


@pytest.fixture(scope="module")
def compose() -> dict:
    reader = yaml_reader()
    if reader is None:
        pytest.skip("no PyYAML here and no docker-compose to borrow it from: apt-get install docker-compose")
    read = subprocess.run(
        [*reader, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
        input=COMPOSE.read_text(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(read.stdout)


def healthcheck_test(service: dict) -> str:
    check = service.get("healthcheck", {})
    assert not check.get("disable"), "healthcheck disabled"
    test = check["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_the_file_is_valid_for_docker_compose():
    if shutil.which("docker-compose") is None:
        pytest.skip("no docker-compose: apt-get install -y --no-install-recommends docker-compose (.ci/run does)")
    checked = subprocess.run(
        ["docker-compose", "config", "-q"], cwd=ROOT, env={**os.environ, "SECRET_KEY": "x"}, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_web_proxy_db_and_redis_have_healthchecks(compose):
    services = compose["services"]
    assert "http://127.0.0.1:8000/healthz" in healthcheck_test(services["web"])
    # The proxy's goes through nginx to a web container.
    assert "http://127.0.0.1/healthz" in healthcheck_test(services["proxy"])
    assert "pg_isready" in healthcheck_test(services["db"])
    assert "ping" in healthcheck_test(services["redis"])


def test_the_proxy_starts_once_a_web_container_is_healthy(compose):
    assert compose["services"]["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_the_app_asks_for_a_second_factor_unless_told_otherwise(compose):
    for name in ("web", "migrate", "housekeeping"):
        assert compose["services"][name]["environment"]["PEERSURVEY_REQUIRE_MFA"] == "${PEERSURVEY_REQUIRE_MFA:-1}", name


def test_housekeeping_clears_sessions_and_purges_every_day(compose):
    housekeeping = compose["services"]["housekeeping"]
    assert housekeeping["image"] == compose["services"]["web"]["image"]
    assert housekeeping["command"] == ["sh", "scripts/housekeeping.sh"]
    assert housekeeping["restart"] == "unless-stopped"
    assert housekeeping["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "redis" not in housekeeping["depends_on"]
    # The image's healthcheck asks gunicorn, which housekeeping does not run.
    assert housekeeping["healthcheck"] == {"disable": True}
    assert housekeeping["environment"]["PEERSURVEY_OPERATOR"] == "housekeeping"
    script = (ROOT / "scripts" / "housekeeping.sh").read_text()
    assert "manage.py clearsessions" in script
    # Unattended: --yes, or the command stops to ask at a terminal it does not have.
    assert re.search(r"manage\.py purge_responses --before .+ --yes", script)
    assert "INTERVAL=${HOUSEKEEPING_INTERVAL_SECONDS:-86400}" in script


def test_the_backup_runs_only_when_asked_and_keeps_fourteen(compose):
    backup = compose["services"]["backup"]
    assert backup["profiles"] == ["backup"]
    # pg_dump of the server's own major version.
    assert backup["image"] == compose["services"]["db"]["image"] == "postgres:15"
    assert "./backups:/backups" in backup["volumes"]
    assert "./scripts:/scripts:ro" in backup["volumes"]
    command = " ".join(backup["command"])
    assert '/scripts/backup.sh "$$DATABASE_URL" "/backups/peersurvey-$$(date +%F).dump"' in command
    assert backup["environment"]["BACKUP_KEEP"] == "${BACKUP_KEEP:-14}"
    # The password stays out of the URL, so out of the process list.
    assert "@db:5432/" in backup["environment"]["DATABASE_URL"]
    assert ":${POSTGRES_PASSWORD" not in backup["environment"]["DATABASE_URL"]


def test_no_service_but_the_proxy_publishes_a_port(compose):
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    assert published == {"proxy"}


def test_the_image_checks_its_own_health():
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    checks = [line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK")]
    assert len(checks) == 1
    assert "http://127.0.0.1:8000/healthz" in checks[0]
    assert "--interval=" in checks[0] and "--timeout=" in checks[0]


def test_backups_stay_out_of_git_and_out_of_the_image():
    assert "/backups/" in (ROOT / ".gitignore").read_text().splitlines()
    assert "backups" in (ROOT / ".dockerignore").read_text().splitlines()
