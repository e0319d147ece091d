"""scripts/backup.sh and scripts/restore.sh: a backup made from a live database comes back
whole in an empty one (docs/operations.md, "Backups").

PostgreSQL only: CI runs the suite again with DATABASE_URL=postgres://... and this test
runs there. The data must be committed for pg_dump to see it, hence transaction=True.
"""

import os
import shutil
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from psycopg2 import sql

from surveys.models import ChoiceAnswer, Response, Service, TextAnswer
from tests.factories import answer, cl_and_san_over_two_months, lead, service

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backup.sh and restore.sh use pg_dump and pg_restore: run with DATABASE_URL=postgres://... (CI does)",
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="no pg_dump here: install the PostgreSQL client"),
]


def database_url(name: str) -> str:
    """The test database's address under another name; the password goes by PGPASSWORD."""
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{name}"


def script_env() -> dict:
    env = dict(os.environ)
    if connection.settings_dict["PASSWORD"]:
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    return env


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, env=script_env(), timeout=300)


def server(dbname: str):
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=dbname,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )


@pytest.fixture
def empty_database():
    """A fresh database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = server("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def rows(dbname: str, tables: list[str]) -> dict[str, list[tuple]]:
    with server(dbname) as link, link.cursor() as cursor:
        found = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table)))
            found[table] = cursor.fetchall()
    link.close()
    return found


def table_counts(dbname: str) -> dict[str, int]:
    with server(dbname) as link, link.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        counts = {}
        for (table,) in cursor.fetchall():
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    link.close()
    return counts


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_into_an_empty_database(tmp_path, empty_database):
    chadwick = service("CL", security="low", specialisms=["women"])
    cl_and_san_over_two_months(chadwick)
    answer(chadwick, "patient", {"useful": "yes", "useful_why": "Roedd fy ngweithiwr cymorth yn gwrando — diolch ŵ"})
    lead("national_lead", "partnership_lead", review=True)
    lead("service_lead", "service_lead", ["CL"])
    tables = [model._meta.db_table for model in (Response, ChoiceAnswer, TextAnswer, Service, get_user_model())]
    source = connection.settings_dict["NAME"]
    before = rows(source, tables)
    assert len(before[Response._meta.db_table]) == 24
    assert len(before[get_user_model()._meta.db_table]) == 2

    dump = tmp_path / "peersurvey-2027-01-31.dump"
    made = run(BACKUP, database_url(source), dump)
    assert made.returncode == 0, made.stderr
    assert dump.stat().st_mode & 0o077 == 0, "a backup holds patients' free text: owner only"

    # Not at a terminal and no --yes: nothing to confirm with, so nothing restored.
    unconfirmed = run(RESTORE, database_url(empty_database), dump)
    assert unconfirmed.returncode == 2
    assert "add --yes" in unconfirmed.stderr
    assert table_counts(empty_database) == {}

    restored = run(RESTORE, "--yes", database_url(empty_database), dump)
    assert restored.returncode == 0, restored.stderr

    assert rows(empty_database, tables) == before
    assert table_counts(empty_database) == table_counts(source)


def test_bad_arguments_get_a_usage_line_and_touch_nothing(tmp_path):
    dump = tmp_path / "x.dump"
    for args in [
        (),
        (database_url("x"),),
        ("sqlite:///db.sqlite3", dump),
        (database_url("x"), tmp_path / "no-folder" / "x.dump"),
    ]:
        refused = run(BACKUP, *args)
        assert refused.returncode == 2, args
        assert "backup.sh" in refused.stderr
    not_a_dump = tmp_path / "not-a-dump"
    not_a_dump.write_text("hello")
    for args in [
        (),
        ("--yes", database_url("x")),
        ("--yes", database_url("x"), tmp_path / "missing.dump"),
        ("--yes", database_url("x"), not_a_dump),
    ]:
        refused = run(RESTORE, *args)
        assert refused.returncode == 2, args
        assert "restore.sh" in refused.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["not-a-dump"]
