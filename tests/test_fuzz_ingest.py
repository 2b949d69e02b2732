"""100,000 generated and mutated MQTT payloads through the real broker into the real ingest worker.

Seeded mutations of valid reads and heartbeats, at the level of fields (missing, wrong type, out
of range, NUL bytes, far-off timestamps, topic/payload disagreement) and of bytes (flips,
truncation, junk, invalid UTF-8, 30,000-deep nesting, 5,000-digit numbers). The worker must not
stop; every message must end up stored, dead-lettered with a reason, or absorbed as a copy.
`ANPR_FUZZ_PAYLOADS` sets the count (100,000 by default).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from anpr.ids import uuid7
from anpr.mqtt_client import new_client
from anpr.protocol import encode, topics
from anpr.protocol.messages import MAX_MESSAGE_BYTES
from central import store
from central.ingest import IngestWorker
from central.registry import CameraEntry, SiteEntry, import_sites
from tests.factories import make_heartbeat, make_read
from tests.harness import count

SITE, CAMS = "Z01", ("Z01-C1", "Z01-C2")
ODD_VALUES: tuple[object, ...] = (
    None,
    "",
    "x" * 5000,
    -1,
    0,
    1e308,
    -(2**70),
    True,
    [],
    {},
    [1, [2, [3]]],
    "\u0000",
    "AB12\u0000CD",
    "🚗🚓",
    "\ud7ff\uffff",
    "2026-13-45T25:61:00Z",
    "9999-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "2026-11-22T10:00:00",
    "not base64 !!",
    "Z01",
    "Z01-C9",
    "../../etc/passwd",
    "'; DROP TABLE reads; --",
)


def mutate_fields(rng: random.Random, msg: dict) -> dict:
    msg = dict(msg)
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(list(msg))
        op = rng.random()
        if op < 0.25:
            msg.pop(key, None)
        elif op < 0.85:
            msg[key] = rng.choice(ODD_VALUES)
        else:
            msg[rng.choice(["extra", "vrm ", "__proto__", key.upper()])] = rng.choice(ODD_VALUES)
        if not msg:
            break
    return msg


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    op = rng.randrange(9)
    b = bytearray(data)
    if op == 0 and b:
        return bytes(b[: rng.randrange(len(b))])
    if op == 1:
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if op == 2:
        pos = rng.randrange(len(b))
        return bytes(b[:pos]) + rng.randbytes(rng.randint(1, 40)) + bytes(b[pos:])
    if op == 3:
        return rng.randbytes(rng.randint(0, 300))
    if op == 4:
        # As deep as fits under the broker's message_size_limit (a larger one never reaches ingest).
        depth = (MAX_MESSAGE_BYTES - 1024) // 2
        return b"[" * depth + b"]" * depth
    if op == 5:
        return data.replace(b'"lane":1', b'"lane":' + b"9" * 5000, 1).replace(
            b'"frames_seen":5', b'"frames_seen":' + b"7" * 5000, 1
        )
    if op == 6:
        return b"\xff\xfe" + data
    if op == 7:
        return rng.choice([b"", b"42", b'"read"', b"null", b"[]", b"{}", b"NaN", b'{"kind":"read"}'])
    return data.replace(b'"confidence":0.97', b'"confidence":NaN', 1).replace(
        b'"vrm":"', b'"vrm":"\\u0000', 1
    )


def generate(rng: random.Random, n: int) -> Iterator[tuple[str, bytes, str, str]]:
    """(topic, payload, kind, read_id) with kind valid-read | valid-heartbeat | mutated."""
    for _ in range(n):
        cam = rng.choice(CAMS)
        roll = rng.random()
        if roll < 0.05:
            hb = make_heartbeat(site=SITE, agent=f"{SITE}-A1")
            yield topics.heartbeat_topic(SITE, hb.agent_id), encode(hb), "valid-heartbeat", ""
            continue
        read = make_read(
            vrm=rng.choice(["AB51ABC", "KX19PLM", "1IA", "A1"]), site=SITE, camera=cam, read_id=uuid7()
        )
        topic = topics.read_topic(SITE, cam)
        if roll < 0.20:
            yield topic, encode(read), "valid-read", str(read.read_id)
            continue
        if rng.random() < 0.1:  # topic and payload disagree
            topic = topics.read_topic(SITE, "Z01-C1" if cam == "Z01-C2" else "Z01-C2")
        data = encode(read)
        if roll < 0.60:
            payload = json.dumps(
                mutate_fields(rng, json.loads(data)), ensure_ascii=rng.random() < 0.5
            ).encode("utf-8", "surrogatepass")
        else:
            payload = mutate_bytes(rng, data)
        yield topic, payload, "mutated", ""


@pytest.fixture()
def db(database_url: str) -> Iterator[psycopg.Connection]:
    conn = store.connect(database_url)
    store.migrate(conn)
    import_sites(
        conn, [SiteEntry(site_id=SITE, name="Fuzz", cameras=[CameraEntry(camera_id=c) for c in CAMS])]
    )
    yield conn
    conn.close()


def test_mutated_payloads_never_stop_ingest_and_each_is_accounted_for(
    database_url: str, db: psycopg.Connection, mqtt_broker
) -> None:  # type: ignore[no-untyped-def]
    from anpr.security.mqtt_accounts import INGEST_ACCOUNT, TOOL_ACCOUNT
    from anpr.services.broker import account_url

    if mqtt_broker is None:
        pytest.skip("needs the tests' Mosquitto")
    n = int(os.environ.get("ANPR_FUZZ_PAYLOADS", "100000"))
    rng = random.Random(2026)
    worker = IngestWorker(
        database_url, account_url(mqtt_broker, INGEST_ACCOUNT), group="fz" + uuid.uuid4().hex[:6]
    )
    crashed: list[BaseException] = []

    def run() -> None:
        try:
            worker.run()
        except BaseException as exc:  # the test's point: this must never happen
            crashed.append(exc)
            raise

    t = threading.Thread(target=run, daemon=True)
    t.start()
    assert worker.ready.wait(15)
    pub, target = new_client(account_url(mqtt_broker, TOOL_ACCOUNT), "fuzz-" + uuid.uuid4().hex[:6])
    pub.max_inflight_messages_set(500)
    pub.connect(target.host, target.port)
    pub.loop_start()
    kinds: dict[str, int] = {"valid-read": 0, "valid-heartbeat": 0, "mutated": 0}
    valid_ids: list[str] = []
    t0 = time.monotonic()
    infos = []
    for topic, payload, kind, read_id in generate(rng, n):
        kinds[kind] += 1
        if read_id:
            valid_ids.append(read_id)
        infos.append(pub.publish(topic, payload, qos=1))
        if len(infos) >= 2000:
            for info in infos:
                info.wait_for_publish(60)
            infos.clear()
    for info in infos:
        info.wait_for_publish(60)
    # Wait while ingest makes progress; a minute without any means a message was lost.
    last, last_change = -1, time.monotonic()
    while worker.stats.committed < n and t.is_alive() and time.monotonic() - last_change < 60:
        if worker.stats.committed != last:
            last, last_change = worker.stats.committed, time.monotonic()
        time.sleep(0.5)
    elapsed = time.monotonic() - t0
    worker.stop_event.set()
    t.join(30)
    pub.loop_stop()
    pub.disconnect()

    reads = count(db, "SELECT count(*) FROM reads")
    dead = count(db, "SELECT count(*) FROM dead_letters")
    heartbeats = count(db, "SELECT count(*) FROM heartbeats")
    no_reason = count(db, "SELECT count(*) FROM dead_letters WHERE reason = ''")
    refused_by_db = count(
        db, "SELECT count(*) FROM dead_letters WHERE reason LIKE 'ingest could not store it%'"
    )
    stored_valid = count(
        db, "SELECT count(*) FROM reads WHERE read_id = ANY('{" + ",".join(valid_ids) + "}'::uuid[])"
    )
    print(
        f"FUZZ payloads {n} ({kinds}) in {elapsed:.0f} s: worker crashes {len(crashed)}, messages committed "
        f"{worker.stats.committed} (received {worker.stats.received}, database errors "
        f"{worker.stats.db_errors}), reads stored {reads} (of them valid-unmutated {stored_valid}/{len(valid_ids)}), "
        f"heartbeats {heartbeats}, dead letters {dead} (database refused {refused_by_db}, without reason "
        f"{no_reason}), copies absorbed {worker.stats.duplicates}"
    )
    for (reason,) in db.execute(
        "SELECT DISTINCT left(reason, 160) FROM dead_letters WHERE reason LIKE 'ingest could not%' LIMIT 10"
    ):
        print("  refused by the database:", reason)
    assert not crashed and worker.stats.committed == n
    assert stored_valid == len(valid_ids), "every valid read is stored"
    assert reads + dead + heartbeats + worker.stats.duplicates == n, "every message is accounted for once"
    assert dead >= kinds["mutated"] * 0.9 and no_reason == 0
