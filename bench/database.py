"""A fresh, empty PostgreSQL database for a run (bench/run.py, scripts/durability.py)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql


def recreate_database(database_url: str) -> None:
    """Drop the database `database_url` names, if it exists, and create it again, empty.

    Connects to the `postgres` database of the same server, with the URL's user,
    password and options; other sessions on the dropped database are ended (FORCE).
    """
    url = urlsplit(database_url)
    name = unquote(url.path.strip("/"))
    # libpq reads postgres:// and postgresql:// alike; pgsql:// (which Django's URL parser takes) it does not.
    conn = psycopg2.connect(urlunsplit(url._replace(scheme="postgresql", path="/postgres")))
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
