"""One read as evidence: every stored field, whether it is preserved and for which cases, and who
has viewed it (from the audit trail)."""

from __future__ import annotations

import json

import psycopg

from central.ingest_batch import READ_COLUMNS

# Every stored column but the images (served on their own).
FIELDS = tuple(c for c in READ_COLUMNS if not c.endswith("_jpeg"))


def read_detail(conn: psycopg.Connection, read_id: str) -> dict | None:
    row = conn.execute(f"SELECT {', '.join(FIELDS)} FROM reads WHERE read_id = %s", (read_id,)).fetchone()
    if row is None:
        return None
    out = dict(zip(FIELDS, row, strict=True))
    for key in ("candidates", "models"):  # reads stored before 2026-12-02 hold them as JSON text
        if isinstance(out[key], str):
            out[key] = json.loads(out[key])
    site = conn.execute("SELECT name, area FROM sites WHERE site_id = %s", (out["site_id"],)).fetchone()
    out["site_name"], out["site_area"] = site if site else ("", "")
    kept = conn.execute(
        "SELECT case_ref, preserved_by, preserved_at FROM preserved_reads WHERE read_id = %s", (read_id,)
    ).fetchone()
    out["preserved"] = {"case_ref": kept[0], "by": kept[1], "at": kept[2].isoformat()} if kept else None
    return json.loads(json.dumps(out, default=str))


def viewers(conn: psycopg.Connection, read_id: str, limit: int = 50) -> list[dict]:
    """Who looked at this read and when, newest first (every view is audited)."""
    rows = conn.execute(
        "SELECT at, actor, action FROM audit_log WHERE detail->>'read_id' = %s ORDER BY seq DESC LIMIT %s",
        (read_id, limit),
    ).fetchall()
    return [{"at": r[0].isoformat(), "actor": r[1], "action": r[2]} for r in rows]
