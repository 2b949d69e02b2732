"""A throw-away database for one benchmark run, created beside the service's own."""

from __future__ import annotations

import uuid

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo


def fresh_db(admin: str, name: str | None = None) -> str:
    name = name or f"anpr_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return db_url(admin, name)


def db_url(admin: str, name: str) -> str:
    p = conninfo_to_dict(admin)
    p["dbname"] = name
    return make_conninfo(**p)


def db_exists(admin: str, name: str) -> bool:
    with psycopg.connect(admin, autocommit=True) as c:
        return c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def drop_db(admin: str, url: str) -> None:
    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
