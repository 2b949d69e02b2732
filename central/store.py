"""Open the database, apply migrations once (safe to run twice, safe with N workers starting
together) and tell which time-series back end is in use: TimescaleDB or plain partitions."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x414E5052  # "ANPR": one migrator at a time


@dataclass(frozen=True)
class Backend:
    name: str  # "timescaledb" | "plain"
    timescale_policies: bool = False  # retention/compression policies (not in the Apache edition)


# The running service's rights (migration 0003): what it needs, and the audit trail append-only.
APP_ROLE = "anpr_app"


def connect(url: str, app_role: bool = False, **kw: object) -> psycopg.Connection:
    """A connection as the URL's user (migrations, partitions, retention), or with
    `app_role` as the application role, where the URL's user may take it."""
    conn = psycopg.connect(url, autocommit=True, **kw)  # type: ignore[arg-type]
    if app_role:
        use_app_role(conn)
    return conn


def use_app_role(conn: psycopg.Connection) -> bool:
    """Drop to the application role for the rest of the session, if it exists and the login
    user is a member (a DBA may instead give the service a login that is only that role)."""
    row = conn.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s AND pg_has_role(current_user, oid, 'MEMBER')", (APP_ROLE,)
    ).fetchone()
    if row is None:
        log.warning(
            "role %s is missing or not granted to %s: running with the login's rights",
            APP_ROLE,
            conn.info.user,
        )
        return False
    conn.execute(f"SET ROLE {APP_ROLE}")
    return True


def pool(url: str, min_size: int = 1, max_size: int = 8, app_role: bool = True) -> ConnectionPool:
    return ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        open=True,
        kwargs={"autocommit": True},
        configure=use_app_role if app_role else None,
    )


def detect_backend(conn: psycopg.Connection, prefer: str = "auto") -> Backend:
    """TimescaleDB when the extension can be created (or already is), unless told 'plain'."""
    row = conn.execute("SELECT value FROM store_meta WHERE key = 'backend'").fetchone()
    if row:
        name = row[0]
    elif prefer == "plain":
        name = "plain"
    else:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"
        ).fetchone()
        name = "plain"
        if available:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
                name = "timescaledb"
            except psycopg.Error as exc:  # not preloaded, no permission …
                log.warning(
                    "timescaledb is installed but cannot be used (%s); using plain partitions",
                    str(exc).strip(),
                )
                if prefer == "timescaledb":
                    raise
    policies = False
    if name == "timescaledb":
        lic = conn.execute("SELECT current_setting('timescaledb.license', true)").fetchone()
        policies = bool(lic and lic[0] == "timescale")
    return Backend(name, policies)


_PARTITIONED = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\) PARTITION BY RANGE \((\w+)\);", re.S)
_DEFAULT_PARTITION = re.compile(r"^CREATE TABLE IF NOT EXISTS \w+ PARTITION OF \w+ DEFAULT;\n", re.M)


def timescale_variant(sql: str) -> str:
    """The same DDL for TimescaleDB: each day-partitioned table becomes a hypertable chunked by day."""
    tables = _PARTITIONED.findall(sql)
    sql = _DEFAULT_PARTITION.sub("", _PARTITIONED.sub(r"CREATE TABLE IF NOT EXISTS \1 (\2);", sql))
    for name, _, column in tables:
        sql += (
            f"\nSELECT create_hypertable('{name}', '{column}', chunk_time_interval => interval '1 day', "
            "if_not_exists => true);"
        )
    return sql


def migrate(conn: psycopg.Connection, prefer: str = "auto") -> Backend:
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS store_meta (key text PRIMARY KEY, value text NOT NULL)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        backend = detect_backend(conn, prefer)
        conn.execute("INSERT INTO store_meta VALUES ('backend', %s) ON CONFLICT DO NOTHING", (backend.name,))
        done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        for path in sorted(MIGRATIONS.glob("*.sql")):
            version = path.name.split(".")[0]
            if version in done:
                continue
            sql = path.read_text()
            if backend.name == "timescaledb":
                sql = timescale_variant(sql)
            with conn.transaction():
                conn.execute(sql)  # type: ignore[arg-type]
                conn.execute("INSERT INTO schema_migrations(version) VALUES (%s)", (version,))
            log.info("applied migration %s", path.name)
        return backend
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
