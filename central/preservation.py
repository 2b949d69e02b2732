"""Reads preserved for an investigation: copied out of the time-series store, so that retention
(dropping whole days after 12 months) leaves them alone."""

from __future__ import annotations

import psycopg

from central import audit


def preserve(conn: psycopg.Connection, read_id: str, case_ref: str, user: str) -> bool:
    """Copy one read, its images included, into `preserved_reads`; audited. False if no such read."""
    if not case_ref.strip():
        raise ValueError("a case reference is required")
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO preserved_reads(read_id, captured_at, case_ref, preserved_by, data, plate_jpeg, overview_jpeg) "
            "SELECT read_id, captured_at, %s, %s, to_jsonb(r) - 'plate_jpeg' - 'overview_jpeg', plate_jpeg, "
            "overview_jpeg FROM reads r WHERE read_id = %s "
            "ON CONFLICT (read_id) DO UPDATE SET case_ref = preserved_reads.case_ref || ', ' || EXCLUDED.case_ref "
            "RETURNING read_id",
            (case_ref, user, read_id),
        ).fetchone()
        if row is None:
            return False
        audit.record(conn, user, "read.preserve", {"read_id": read_id, "case_ref": case_ref})
    return True
