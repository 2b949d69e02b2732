"""Durable outbox: every read is written here (SQLite, WAL, synchronous=FULL) before it is
published, and deleted only after the broker acknowledged it. Bounded by a disk quota with
oldest-first eviction that is counted and reported."""

from __future__ import annotations

import sqlite3
import threading
import time
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
        self._bytes = self._db.execute("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM outbox").fetchone()[0]

    def put(self, topic: str, payload: bytes, created_at: float | None = None) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(
                "INSERT INTO outbox(topic, payload, created_at) VALUES (?, ?, ?)",
                (topic, payload, created_at if created_at is not None else time.time()),
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
                self._db.execute(
                    "INSERT INTO counters(name, value) VALUES ('evicted', ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                    (evicted,),
                )
            self._db.execute("COMMIT")
            return int(cur.lastrowid or 0)

    def pending(self, after_seq: int = 0, limit: int = 100) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, topic, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
        return [Entry(r[0], r[1], bytes(r[2]), r[3]) for r in rows]

    def ack(self, seq: int) -> None:
        with self._lock:
            row = self._db.execute(
                "DELETE FROM outbox WHERE seq = ? RETURNING LENGTH(payload)", (seq,)
            ).fetchone()
            if row:
                self._bytes -= row[0]

    def stats(self) -> OutboxStats:
        with self._lock:
            depth, oldest = self._db.execute("SELECT COUNT(*), MIN(created_at) FROM outbox").fetchone()
            ev = self._db.execute("SELECT value FROM counters WHERE name = 'evicted'").fetchone()
        return OutboxStats(depth, self._bytes, oldest, ev[0] if ev else 0)

    def close(self) -> None:
        with self._lock:
            self._db.close()
