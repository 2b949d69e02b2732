"""Load a new hotlist revision atomically, and build the match index from the current ones."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime

import psycopg

from hotlists.formats import FIELDS, HotlistEntry
from hotlists.matcher import IndexedEntry, ListRule, MatchIndex

CHANNEL = "hotlists_changed"
ENTRY_COLUMNS = FIELDS  # an entry's columns are `HotlistEntry`'s fields
KEEP_REVISIONS = 3  # the current one and the two before it: enough to undo a bad upload


@dataclass(frozen=True)
class ListSettings:
    owner: str = ""
    priority: int = 5
    match_mode: str = "lenient"  # exact | lenient
    max_substitutions: int = 1
    wide_classes: bool = False
    max_age_s: int = 86_400
    colour: str = ""  # the alert card's colour in the console ("" for the priority's)
    sound: str = "beep"  # beep | chime | siren | none


# A list's settings are its `hotlists` columns of the same names, in this order.
SETTINGS = tuple(f.name for f in fields(ListSettings))


class NoSuchList(LookupError):
    pass


def list_settings(conn: psycopg.Connection, name: str) -> ListSettings | None:
    row = conn.execute(
        f"SELECT {', '.join(SETTINGS)} FROM hotlists WHERE name = %s",
        (name,),
    ).fetchone()
    return ListSettings(*row) if row else None


def update_settings(conn: psycopg.Connection, name: str, s: ListSettings) -> None:
    """Change a list's settings on their own (not as a side effect of loading entries)."""
    row = conn.execute(
        f"UPDATE hotlists SET {', '.join(f'{c} = %s' for c in SETTINGS)} WHERE name = %s RETURNING 1",
        (*astuple(s), name),
    ).fetchone()
    if row is None:
        raise NoSuchList(f"no hotlist named {name!r}")
    conn.execute(f"NOTIFY {CHANNEL}")


def load_revision(
    conn: psycopg.Connection,
    name: str,
    entries: list[HotlistEntry],
    settings: ListSettings | None = None,
    *,
    create: bool = True,
) -> tuple[int, int]:
    """Write `entries` as the list's next revision and switch to it in one transaction.
    Returns (list_id, revision). Matching sees the old revision until the commit, then the new.
    An existing list keeps its settings unless `settings` are given; a name that is not a list
    yet is refused unless `create` (so a typo cannot start a new list)."""
    with conn.transaction():
        row = conn.execute(
            # Locked: two loads of one list serialise.
            "SELECT list_id, current_revision FROM hotlists WHERE name = %s FOR UPDATE",
            (name,),
        ).fetchone()
        if row is None:
            if not create:
                raise NoSuchList(f"no hotlist named {name!r}")
            s = settings or ListSettings()
            row = conn.execute(
                f"INSERT INTO hotlists(name, {', '.join(SETTINGS)}) VALUES (%s{', %s' * len(SETTINGS)}) "
                "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING list_id, current_revision",
                (name, *astuple(s)),
            ).fetchone()
        elif settings is not None:
            update_settings(conn, name, settings)
        assert row is not None
        list_id, current = row
        revision = current + 1
        with conn.cursor().copy(
            f"COPY hotlist_entries (list_id, revision, {', '.join(ENTRY_COLUMNS)}) FROM STDIN"
        ) as copy:
            for e in entries:
                copy.write_row((list_id, revision, *(getattr(e, c) for c in ENTRY_COLUMNS)))
        conn.execute(
            "UPDATE hotlists SET current_revision = %s, refreshed_at = %s WHERE list_id = %s",
            (revision, datetime.now(UTC), list_id),
        )
        # Revisions older than the last KEEP_REVISIONS go (those are kept for history, diff and
        # rollback), except entries that hits still point at (the evidence of an alert).
        conn.execute(
            "DELETE FROM hotlist_entries e WHERE list_id = %s AND revision <= %s "
            "AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.entry_id = e.entry_id)",
            (list_id, revision - KEEP_REVISIONS),
        )
        conn.execute(f"NOTIFY {CHANNEL}")
    return list_id, revision


def build_index(conn: psycopg.Connection) -> MatchIndex:
    rules = {
        r[0]: ListRule(r[0], r[1], r[2], r[3], r[4] == "lenient", r[5], r[6])
        for r in conn.execute(
            "SELECT list_id, name, current_revision, priority, match_mode, "
            "max_substitutions, wide_classes FROM hotlists"
        )
    }
    index = MatchIndex(rules)
    with conn.cursor(name="hotlist_index") if not conn.autocommit else conn.cursor() as cur:
        cur.execute(
            "SELECT e.entry_id, e.list_id, e.vrm, e.weed_date FROM hotlist_entries e "
            "JOIN hotlists h ON h.list_id = e.list_id AND h.current_revision = e.revision"
        )
        for entry_id, list_id, vrm, weed in cur:
            index.add(IndexedEntry(entry_id, list_id, vrm, weed))
    return index


def stale_lists(conn: psycopg.Connection, now: datetime | None = None) -> list[tuple[str, float]]:
    """(name, age in seconds) of lists not refreshed within their configured maximum age."""
    now = now or datetime.now(UTC)
    rows = conn.execute("SELECT name, refreshed_at, max_age_s FROM hotlists").fetchall()
    out = []
    for name, refreshed, max_age in rows:
        age = (now - refreshed).total_seconds() if refreshed else float("inf")
        if age > max_age:
            out.append((name, age))
    return out
