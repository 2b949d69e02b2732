"""The append-only, hash-chained audit trail: every search, view, export, hotlist change and
disposition. Each row's hash covers the previous row's hash, so an edit anywhere breaks the
chain from that row on; `verify` finds the first break."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

GENESIS = b"\x00" * 32
_LOCK = 0x41554454  # "AUDT": one writer at a time keeps the chain linear


def _digest(prev: bytes, at: datetime, actor: str, action: str, detail: dict) -> bytes:
    body = json.dumps(
        {"at": at.isoformat(), "actor": actor, "action": action, "detail": detail},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(prev + body.encode()).digest()


def record(conn: psycopg.Connection, actor: str, action: str, detail: dict | None = None) -> int:
    detail = json.loads(json.dumps(detail or {}, default=str))
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        row = conn.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        prev = bytes(row[0]) if row else GENESIS
        at = datetime.now(UTC)
        h = _digest(prev, at, actor, action, detail)
        seq = conn.execute(
            "INSERT INTO audit_log(at, actor, action, detail, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s) "
            "RETURNING seq",
            (at, actor, action, json.dumps(detail), prev, h),
        ).fetchone()
    return int(seq[0])  # type: ignore[index]


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    ok: bool
    first_bad_seq: int | None = None


def verify(conn: psycopg.Connection) -> ChainCheck:
    prev = GENESIS
    n = 0
    with conn.cursor() as cur:
        cur.execute("SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY seq")
        for seq, at, actor, action, detail, prev_hash, h in cur:
            n += 1
            if bytes(prev_hash) != prev or _digest(prev, at, actor, action, detail) != bytes(h):
                return ChainCheck(n, False, seq)
            prev = bytes(h)
    return ChainCheck(n, True)
