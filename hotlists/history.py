"""A list's recent revisions: what each held, what changed between two, and rolling back to one
(which loads its entries again as a new revision, so history only grows)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from hotlists.formats import HotlistEntry
from hotlists.loader import ENTRY_COLUMNS, NoSuchList, load_revision


@dataclass(frozen=True)
class Diff:
    added: list[str]
    removed: list[str]
    changed: list[str]  # VRMs in both whose action, vehicle or markers differ


def _list_id(conn: psycopg.Connection, name: str) -> tuple[int, int]:
    row = conn.execute("SELECT list_id, current_revision FROM hotlists WHERE name = %s", (name,)).fetchone()
    if row is None:
        raise NoSuchList(f"no hotlist named {name!r}")
    return row[0], row[1]


def revisions(conn: psycopg.Connection, name: str) -> list[dict]:
    """The revisions still held, newest first, with their size and who loaded them (from the
    audit trail)."""
    list_id, current = _list_id(conn, name)
    rows = conn.execute(
        "SELECT e.revision, count(*), (SELECT a.actor || ' at ' || to_char(a.at, 'YYYY-MM-DD HH24:MI') "
        " FROM audit_log a WHERE a.action IN ('hotlist.load', 'hotlist.rollback') "
        " AND a.detail->>'list' = %s AND (a.detail->>'revision')::int = e.revision ORDER BY a.seq DESC LIMIT 1) "
        "FROM hotlist_entries e WHERE e.list_id = %s GROUP BY e.revision ORDER BY e.revision DESC",
        (name, list_id),
    ).fetchall()
    return [{"revision": r, "entries": n, "loaded": who or "", "current": r == current} for r, n, who in rows]


def diff(conn: psycopg.Connection, name: str, old: int, new: int) -> Diff:
    list_id, _ = _list_id(conn, name)

    def held(rev: int) -> dict[str, tuple]:
        cols = ", ".join(ENTRY_COLUMNS)
        rows = conn.execute(
            f"SELECT {cols} FROM hotlist_entries WHERE list_id = %s AND revision = %s", (list_id, rev)
        ).fetchall()
        return {r[0]: tuple(r[1:]) for r in rows}

    a, b = held(old), held(new)
    changed = sorted(v for v in a.keys() & b.keys() if a[v] != b[v])
    return Diff(sorted(b.keys() - a.keys()), sorted(a.keys() - b.keys()), changed)


def rollback(conn: psycopg.Connection, name: str, revision: int) -> int:
    """Load revision `revision`'s entries again as the list's newest revision; returns it."""
    list_id, current = _list_id(conn, name)
    if revision == current:
        raise ValueError(f"revision {revision} is already current")
    cols = ", ".join(ENTRY_COLUMNS)
    rows = conn.execute(
        f"SELECT {cols} FROM hotlist_entries WHERE list_id = %s AND revision = %s", (list_id, revision)
    ).fetchall()
    if not rows:
        raise LookupError(f"revision {revision} of {name!r} is no longer held")
    entries = [HotlistEntry(**dict(zip(ENTRY_COLUMNS, r, strict=True))) for r in rows]
    _, new = load_revision(conn, name, entries, create=False)
    return new
