"""Durable outbox: every read is written here (SQLite, WAL, synchronous=FULL) before it is
published, and deleted only when central confirms it has it (stored, already stored, or kept in
its dead letters; see `anpr.protocol.ReadAck`). The broker's PUBACK does not delete anything: a
broker killed with `kill -9` forgets what it held in memory. Bounded by a disk quota with
oldest-first eviction that is counted and reported; the quota counts everything unconfirmed.

A message too large for the protocol is never published: the link shrinks it or moves it to
`dead_letters` here, counted, so it is kept on the device with its reason."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    created_at REAL    NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq        INTEGER PRIMARY KEY,
    topic      TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    created_at REAL    NOT NULL,
    reason     TEXT    NOT NULL,
    dead_at    REAL    NOT NULL
);
"""


@dataclass(frozen=True)
class Entry:
    seq: int
    topic: str
    payload: bytes
    created_at: float


@dataclass(frozen=True)
class OutboxStats:
    depth: int
    bytes: int
    oldest_at: float | None
    evicted_total: int
    dead_letters_total: int = 0


def read_id_of(topic: str, payload: bytes) -> str | None:
    """The read id a read's payload carries (what central's acknowledgement names), else None."""
    if not topic.endswith("/read"):
        return None
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    rid = data.get("read_id") if isinstance(data, dict) else None
    return rid.lower() if isinstance(rid, str) else None


class Outbox:
    def __init__(self, path: Path, quota_bytes: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.quota_bytes = quota_bytes
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a read acknowledged by put() survives power loss, not just a process crash.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._add_read_ids()
        self._bytes = self._db.execute("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM outbox").fetchone()[0]

    def _add_read_ids(self) -> None:
        """Outboxes written before end-to-end acknowledgement gain the read id of each entry."""
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(outbox)")}
        if "read_id" in columns:
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("ALTER TABLE outbox ADD COLUMN read_id TEXT")
        for seq, topic, payload in self._db.execute("SELECT seq, topic, payload FROM outbox").fetchall():
            self._db.execute("UPDATE outbox SET read_id = ? WHERE seq = ?", (read_id_of(topic, payload), seq))
        self._db.execute("CREATE INDEX IF NOT EXISTS outbox_read_id ON outbox(read_id)")
        self._db.execute("COMMIT")

    def put(self, topic: str, payload: bytes, created_at: float | None = None) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(
                "INSERT INTO outbox(topic, payload, created_at, read_id) VALUES (?, ?, ?, ?)",
                (
                    topic,
                    payload,
                    created_at if created_at is not None else time.time(),
                    read_id_of(topic, payload),
                ),
            )
            self._bytes += len(payload)
            evicted = 0
            while self._bytes > self.quota_bytes:
                row = self._db.execute(
                    "SELECT seq, LENGTH(payload) FROM outbox ORDER BY seq LIMIT 1"
                ).fetchone()
                if row is None or row[0] == cur.lastrowid:
                    break
                self._db.execute("DELETE FROM outbox WHERE seq = ?", (row[0],))
                self._bytes -= row[1]
                evicted += 1
            if evicted:
                self._count("evicted", evicted)
            self._db.execute("COMMIT")
            return int(cur.lastrowid or 0)

    def _count(self, name: str, n: int) -> None:
        self._db.execute(
            "INSERT INTO counters(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (name, n),
        )

    def pending(self, after_seq: int = 0, limit: int = 100) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, topic, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
        return [Entry(r[0], r[1], bytes(r[2]), r[3]) for r in rows]

    def entries(self, seqs: Iterable[int]) -> list[Entry]:
        """The entries among `seqs` still held (not confirmed or evicted), in order."""
        wanted = sorted(seqs)
        out: list[Entry] = []
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = self._db.execute(
                    f"SELECT seq, topic, payload, created_at FROM outbox WHERE seq IN ({','.join('?' * len(chunk))}) "
                    "ORDER BY seq",
                    chunk,
                ).fetchall()
                out += [Entry(r[0], r[1], bytes(r[2]), r[3]) for r in rows]
        return out

    def ack(self, seq: int) -> None:
        """Forget one entry by its place (messages that carry no read id)."""
        with self._lock:
            row = self._db.execute(
                "DELETE FROM outbox WHERE seq = ? RETURNING LENGTH(payload)", (seq,)
            ).fetchone()
            if row:
                self._bytes -= row[0]

    def confirm(self, read_ids: Iterable[str]) -> list[int]:
        """Forget the reads central confirmed, in one transaction; returns their places."""
        ids = [str(r).lower() for r in read_ids]
        gone: list[int] = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = self._db.execute(
                    f"DELETE FROM outbox WHERE read_id IN ({','.join('?' * len(chunk))}) "
                    "RETURNING seq, LENGTH(payload)",
                    chunk,
                ).fetchall()
                gone += [r[0] for r in rows]
                self._bytes -= sum(r[1] for r in rows)
            self._db.execute("COMMIT")
        return gone

    def replace(self, seq: int, payload: bytes) -> None:
        """Swap an entry's payload for a smaller one of the same read (a shrunk image)."""
        with self._lock:
            row = self._db.execute("SELECT LENGTH(payload) FROM outbox WHERE seq = ?", (seq,)).fetchone()
            if row:
                self._db.execute("UPDATE outbox SET payload = ? WHERE seq = ?", (payload, seq))
                self._bytes += len(payload) - row[0]

    def dead_letter(self, seq: int, reason: str) -> None:
        """Move an entry that can never be published to `dead_letters`, counted, kept on disk."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute(
                "DELETE FROM outbox WHERE seq = ? RETURNING topic, payload, created_at", (seq,)
            ).fetchone()
            if row:
                self._db.execute(
                    "INSERT OR REPLACE INTO dead_letters(seq, topic, payload, created_at, reason, dead_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (seq, row[0], row[1], row[2], reason, time.time()),
                )
                self._bytes -= len(row[1])
                self._count("dead_letters", 1)
            self._db.execute("COMMIT")

    def dead_letters(self) -> list[tuple[int, str, str]]:
        """(seq, topic, reason) of every message kept back as undeliverable."""
        with self._lock:
            return self._db.execute("SELECT seq, topic, reason FROM dead_letters ORDER BY seq").fetchall()

    def stats(self) -> OutboxStats:
        with self._lock:
            depth, oldest = self._db.execute("SELECT COUNT(*), MIN(created_at) FROM outbox").fetchone()
            counters = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
        return OutboxStats(
            depth, self._bytes, oldest, counters.get("evicted", 0), counters.get("dead_letters", 0)
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()
