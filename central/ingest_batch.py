"""One ingest batch in one transaction: validate, dead-letter, COPY reads idempotently, roll up,
match hotlists and raise alerts, record heartbeats and status. The caller acknowledges the
MQTT messages, and tells each agent which of its reads are safe (`settled`), only after this
commits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime

import psycopg
from psycopg.types.json import Jsonb

from anpr.protocol import Alert, Heartbeat, ProtocolError, Read, Status, decode, topics
from central import alerts as alerts_mod
from central import health
from central.ingest_acks import Outcome, Settled, owner_of_dead
from hotlists.matcher import MatchIndex

LATE_AFTER_S = 60.0
READ_COLUMNS = (
    "read_id",
    "captured_at",
    "received_at",
    "site_id",
    "camera_id",
    "agent_id",
    "lane",
    "direction",
    "vrm",
    "raw_text",
    "format",
    "confidence",
    "char_confidences",
    "candidates",
    "detector_confidence",
    "box",
    "plate_colour",
    "frames_seen",
    "time_suspect",
    "clock_offset_s",
    "lateness_s",
    "models",
    "agent_version",
    "plate_jpeg",
    "overview_jpeg",
)


READ_TYPES = (
    "uuid",
    "timestamptz",
    "timestamptz",
    "text",
    "text",
    "text",
    "int2",
    "text",
    "text",
    "text",
    "text",
    "float4",
    "float4[]",
    "jsonb",
    "float4",
    "int4[]",
    "text",
    "int4",
    "bool",
    "float4",
    "float4",
    "jsonb",
    "text",
    "bytea",
    "bytea",
)


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes
    received_at: datetime


@dataclass
class BatchResult:
    reads_new: int = 0
    reads_duplicate: int = 0
    dead: int = 0
    heartbeats: int = 0
    statuses: int = 0
    alerts: list[Alert] = field(default_factory=list)
    settled: list[Settled] = field(default_factory=list)

    def __add__(self, other: BatchResult) -> BatchResult:
        return BatchResult(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


class DeadLetter(Exception):
    def __init__(self, reason: str, field_name: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field_name


def _classify(msg: Incoming, cameras: dict[str, str]) -> Read | Heartbeat | Status:
    parsed = topics.parse(msg.topic)
    if parsed is None:
        raise DeadLetter(f"topic {msg.topic!r} is not a protocol v1 topic")
    site, ident, kind = parsed
    try:
        m = decode(msg.payload)
    except ProtocolError as exc:
        raise DeadLetter(exc.reason, exc.field) from None
    if m.kind != kind:  # type: ignore[attr-defined]
        raise DeadLetter(f"a {m.kind} message on a {kind} topic", "kind")  # type: ignore[attr-defined]
    if isinstance(m, Read):
        if (m.site_id, m.camera_id) != (site, ident):
            raise DeadLetter(
                f"topic names {site}/{ident} but the read says {m.site_id}/{m.camera_id}", "camera_id"
            )
        known = cameras.get(m.camera_id)
        if known is None:
            raise DeadLetter(f"unknown camera {m.camera_id!r}", "camera_id")
        if known != m.site_id:
            raise DeadLetter(f"camera {m.camera_id} belongs to site {known}, not {m.site_id}", "site_id")
    elif isinstance(m, Heartbeat | Status) and (m.site_id, m.agent_id) != (site, ident):
        raise DeadLetter(
            f"topic names {site}/{ident} but the message says {m.site_id}/{m.agent_id}", "agent_id"
        )
    return m  # type: ignore[return-value]


def process(
    conn: psycopg.Connection,
    batch: list[Incoming],
    cameras: dict[str, str],
    index: MatchIndex | None,
    today: date | None = None,
) -> BatchResult:
    res = BatchResult()
    reads: list[tuple[Read, Incoming]] = []
    with conn.transaction():
        for msg in batch:
            try:
                m = _classify(msg, cameras)
            except DeadLetter as dl:
                res.settled += dead_letter(conn, msg, dl.reason, dl.field)
                res.dead += 1
                continue
            if isinstance(m, Read):
                reads.append((m, msg))
            elif isinstance(m, Heartbeat):
                health.record_heartbeat(conn, m, msg.payload.decode(), msg.received_at)
                res.heartbeats += 1
            elif isinstance(m, Status):
                health.record_status(conn, m, msg.received_at)
                res.statuses += 1
        if reads:
            new = _store_reads(conn, reads)
            res.reads_new = len(new)
            res.reads_duplicate = len(reads) - len(new)
            # Settled by topic site (the ACL's word on who sent it): the agent hears on its own topic.
            res.settled += [
                Settled(
                    topics.parse(msg.topic)[0],  # type: ignore[index]
                    r.agent_id,
                    r.read_id,
                    Outcome.STORED if r.read_id in new else Outcome.DUPLICATE,
                )
                for r, msg in reads
            ]
            # A redelivered copy may share the batch with its original: count and match it once.
            fresh: dict = {}
            for r, msg in reads:
                if r.read_id in new:
                    fresh.setdefault(r.read_id, (r, msg))
            _rollup(conn, list(fresh.values()))
            if index is not None:
                today = today or datetime.now(UTC).date()
                for read, _ in fresh.values():
                    matches = index.match([read.vrm, *(c.vrm for c in read.candidates)], today)
                    res.alerts += alerts_mod.raise_alerts(conn, read, matches)
    return res


def dead_letter(conn: psycopg.Connection, msg: Incoming, reason: str, field_name: str = "") -> list[Settled]:
    """Keep the message with the reason; a read that names its agent is settled as dead for it."""
    conn.execute(
        "INSERT INTO dead_letters(received_at, topic, reason, field, payload) VALUES (%s, %s, %s, %s, %s)",
        (msg.received_at, msg.topic, reason.replace("\x00", "\\x00")[:2000], field_name[:200], msg.payload),
    )
    owner = owner_of_dead(msg.topic, msg.payload)
    return [Settled(*owner, Outcome.DEAD)] if owner else []


def process_isolating(
    conn: psycopg.Connection,
    batch: list[Incoming],
    cameras: dict[str, str],
    index: MatchIndex | None,
    today: date | None = None,
) -> BatchResult:
    """`process`, but a message that makes it fail (one the protocol accepts and the database
    refuses, or a bug) is found by halving the batch and dead-lettered with the error, so it
    cannot block the messages behind it. A lost database (OperationalError) still propagates."""
    try:
        return process(conn, batch, cameras, index, today)
    except psycopg.OperationalError:
        raise
    except Exception as exc:
        if len(batch) == 1:
            first = (str(exc).strip().splitlines() or [""])[0]
            settled = dead_letter(conn, batch[0], f"ingest could not store it: {type(exc).__name__}: {first}")
            return BatchResult(dead=1, settled=settled)
    half = len(batch) // 2
    return process_isolating(conn, batch[:half], cameras, index, today) + process_isolating(
        conn, batch[half:], cameras, index, today
    )


def read_row(r: Read, received_at: datetime) -> tuple:
    """One `reads` row in READ_COLUMNS order."""
    return (
        r.read_id,
        r.captured_at,
        received_at,
        r.site_id,
        r.camera_id,
        r.agent_id,
        r.lane,
        r.direction.value,
        r.vrm,
        r.raw_text,
        r.format.value,
        r.confidence,
        r.char_confidences,
        # Objects, not JSON text: the binary COPY's jsonb dumper encodes them (given a str it stored
        # a JSON string holding the text, as every read before 2026-12-02 has).
        Jsonb([c.model_dump(mode="json") for c in r.candidates]),
        r.detector_confidence,
        list(r.box),
        r.plate_colour.value,
        r.frames_seen,
        r.time_suspect,
        r.clock_offset_s,
        (received_at - r.captured_at).total_seconds(),
        Jsonb({k: v.model_dump(mode="json") for k, v in r.models.items()}),
        r.agent_version,
        r.plate_jpeg,
        r.overview_jpeg,
    )


def _store_reads(conn: psycopg.Connection, reads: list[tuple[Read, Incoming]]) -> set:
    """COPY into a staging table, then insert what is not there yet: QoS 1 redeliveries vanish."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS reads_in (LIKE reads INCLUDING DEFAULTS INCLUDING STORAGE) ON COMMIT DELETE ROWS"
    )
    cols = ", ".join(READ_COLUMNS)
    # Binary COPY: 20 KB of JPEG per read goes as raw bytes, not escaped text.
    with conn.cursor().copy(f"COPY reads_in ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(READ_TYPES)
        for r, msg in reads:
            copy.write_row(read_row(r, msg.received_at))
    rows = conn.execute(
        f"INSERT INTO reads ({cols}) SELECT DISTINCT ON (captured_at, read_id) {cols} "
        "FROM reads_in ON CONFLICT DO NOTHING RETURNING read_id"
    ).fetchall()
    return {r[0] for r in rows}


def _rollup(conn: psycopg.Connection, reads: list[tuple[Read, Incoming]]) -> None:
    counts: Counter[tuple[str, datetime]] = Counter()
    late: Counter[tuple[str, datetime]] = Counter()
    for r, msg in reads:
        key = (r.camera_id, r.captured_at.replace(minute=0, second=0, microsecond=0))
        counts[key] += 1
        late[key] += (msg.received_at - r.captured_at).total_seconds() > LATE_AFTER_S
    if counts:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO read_rollup_hourly(camera_id, hour, reads, late_reads) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (camera_id, hour) DO UPDATE SET reads = read_rollup_hourly.reads + EXCLUDED.reads, "
                "late_reads = read_rollup_hourly.late_reads + EXCLUDED.late_reads",
                # In key order: two workers upserting the same hours in different orders deadlock.
                [(k[0], k[1], n, late[k]) for k, n in sorted(counts.items())],
            )
