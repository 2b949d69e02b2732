"""Daily partitions on plain PostgreSQL (created ahead, dropped after retention), and the
equivalent housekeeping on TimescaleDB (drop_chunks; policies where the edition has them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import psycopg

from central.store import Backend

TABLES = {"reads": "captured_at", "heartbeats": "received_at"}
RETENTION_DAYS = 365  # reads and images are kept 12 months


def partition_name(table: str, day: date) -> str:
    return f"{table}_{day:%Y%m%d}"


def ensure_partitions(
    conn: psycopg.Connection,
    backend: Backend,
    today: date | None = None,
    days_back: int = 2,
    days_ahead: int = 7,
) -> list[str]:
    """Create missing daily partitions around today; rows already in DEFAULT for a day are moved."""
    if backend.name != "plain":
        return []
    today = today or datetime.now(UTC).date()
    created = []
    for table in TABLES:
        for offset in range(-days_back, days_ahead + 1):
            day = today + timedelta(days=offset)
            name = partition_name(table, day)
            if conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0]:  # type: ignore[index]
                continue
            _create_partition(conn, table, day, name)
            created.append(name)
    return created


def _create_partition(conn: psycopg.Connection, table: str, day: date, name: str) -> None:
    col = TABLES[table]
    lo, hi = f"{day:%Y-%m-%d} 00:00:00+00", f"{day + timedelta(days=1):%Y-%m-%d} 00:00:00+00"
    with conn.transaction():
        # Rows for that day may already sit in the DEFAULT partition: detach them, attach, re-insert.
        conn.execute(
            f"CREATE TEMP TABLE _moving ON COMMIT DROP AS SELECT * FROM {table}_default "
            f"WHERE {col} >= %s AND {col} < %s",
            (lo, hi),
        )
        conn.execute(f"DELETE FROM {table}_default WHERE {col} >= %s AND {col} < %s", (lo, hi))
        conn.execute(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ('{lo}') TO ('{hi}')")
        conn.execute(f"INSERT INTO {table} SELECT * FROM _moving")


def apply_retention(
    conn: psycopg.Connection, backend: Backend, today: date | None = None, days: int = RETENTION_DAYS
) -> int:
    """Delete reads (and images, stored with them) older than `days`; preserved reads survive
    because they were copied to `preserved_reads` when preserved. Returns partitions/chunks dropped."""
    today = today or datetime.now(UTC).date()
    cutoff = today - timedelta(days=days)
    dropped = 0
    if backend.name == "timescaledb":
        for table in TABLES:
            rows = conn.execute(
                "SELECT drop_chunks(%s::regclass, older_than => %s::timestamptz)",
                (table, f"{cutoff} 00:00:00+00"),
            ).fetchall()
            dropped += len(rows)
        return dropped
    for table, col in TABLES.items():
        rows = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s AND c.relname ~ %s",
            (table, rf"^{table}_\d{{8}}$"),
        ).fetchall()
        for (name,) in rows:
            day = datetime.strptime(name.rsplit("_", 1)[1], "%Y%m%d").date()
            if day < cutoff:
                conn.execute(f"DROP TABLE {name}")
                dropped += 1
        conn.execute(f"DELETE FROM {table}_default WHERE {col} < %s", (f"{cutoff} 00:00:00+00",))
    return dropped
