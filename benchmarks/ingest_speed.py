"""Central ingest speed: sustained reads/s from MQTT to committed rows with hotlist matching, with
1 and 2 worker processes, against a baseline of row-by-row INSERTs measured in the same run; and
read → alert latency with a large hotlist; and what central's end-to-end acknowledgements to
the agents cost (one worker with them on and off, alternating, in the same run).

    python -m benchmarks.ingest_speed --reads 20000 --hotlist 1000000
    python -m benchmarks.ingest_speed --only ack-cost --rounds 3

Uses ANPR_DATABASE_URL / ANPR_MQTT_URL (or `anpr services`); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime

import psycopg

from anpr.ids import uuid7
from anpr.mqtt_client import new_client
from anpr.plates import PlateFormat
from anpr.protocol import Read, encode, topics
from benchmarks.bench_db import drop_db, fresh_db
from benchmarks.stats import percentiles
from central import store
from central.ingest import IngestWorker
from central.ingest_batch import READ_COLUMNS, Incoming, process, read_row
from central.registry import CameraEntry, SiteEntry, camera_sites, import_sites
from hotlists.formats import HotlistEntry
from hotlists.loader import ListSettings, build_index, load_revision
from models.plate_text import random_uk_vrm

# Realistic sizes (patch ~1.8 KB, overview ~14 KB) and, like JPEG, incompressible.
PLATE = b"\xff\xd8" + random.Random(0).randbytes(1800)
OVERVIEW = b"\xff\xd8" + random.Random(1).randbytes(14000)


def vehicle(rng: random.Random) -> str:
    """A current-format VRM (AB12CDE), as most vehicles on the road carry. Drawing the short
    dateless and Northern Ireland formats uniformly would make a million-entry list cover much of
    their small spaces, so unrelated reads would hit it: no real list behaves like that."""
    return random_uk_vrm(rng, PlateFormat.CURRENT)[0]


def make_reads(n: int, sites: int, rng: random.Random, hot: list[str], hot_share: float) -> list[Read]:
    out = []
    for _ in range(n):
        s = rng.randrange(sites)
        vrm = rng.choice(hot) if hot and rng.random() < hot_share else vehicle(rng)
        out.append(
            Read(
                read_id=uuid7(),
                site_id=f"B{s:02d}",
                camera_id=f"B{s:02d}-C1",
                agent_id=f"B{s:02d}-A1",
                captured_at=datetime.now(UTC),
                vrm=vrm,
                raw_text=vrm,
                format="current",
                confidence=0.95,
                char_confidences=[0.95] * len(vrm),
                detector_confidence=0.9,
                box=(1, 1, 50, 20),
                frames_seen=5,
                plate_jpeg=PLATE,
                overview_jpeg=OVERVIEW,
                agent_version="bench",
            )
        )
    return out


def _worker(
    db: str, mq: str, wid: str, group: str, stop: mp.Event, ready: mp.Event, acks: bool = True
) -> None:  # type: ignore[valid-type]
    w = IngestWorker(db, mq, worker_id=wid, group=group, shared=True, clean_start=True, acks=acks)
    # Subscribed (index built): with a clean session, what is published before that is not ours.
    threading.Thread(target=lambda: (w.ready.wait(), ready.set()), daemon=True).start()  # type: ignore[attr-defined]
    threading.Thread(target=lambda: (stop.wait(), w.stop_event.set()), daemon=True).start()  # type: ignore[attr-defined]
    w.run()


def publish_all(mq: str, payloads: list[tuple[str, bytes]], rate: float | None = None) -> list[float]:
    c, target = new_client(mq)
    c.max_inflight_messages_set(1000)
    c.max_queued_messages_set(0)
    c.connect(target.host, target.port)
    c.loop_start()
    sent_at = []
    t0 = time.perf_counter()
    infos = []
    for i, (topic, data) in enumerate(payloads):
        if rate:
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        sent_at.append(time.time())
        infos.append(c.publish(topic, data, qos=1))
    for info in infos:
        info.wait_for_publish(60)
    c.loop_stop()
    c.disconnect()
    return sent_at


def count(db: str) -> int:
    with psycopg.connect(db) as c:
        return c.execute("SELECT count(*) FROM reads").fetchone()[0]  # type: ignore[index]


def setup(db: str, sites: int, hotlist: list[str]) -> None:
    conn = store.connect(db)
    store.migrate(conn)
    import_sites(
        conn,
        [
            SiteEntry(site_id=f"B{s:02d}", name=f"bench {s}", cameras=[CameraEntry(camera_id=f"B{s:02d}-C1")])
            for s in range(sites)
        ],
    )
    if hotlist:
        # As a force runs them: the big national list matched on confusable characters only (one
        # substitution over a million entries would flag most innocent reads), and a small
        # high-priority list that also takes one misread character.
        load_revision(
            conn,
            "national",
            [HotlistEntry(vrm=v) for v in hotlist],
            ListSettings(priority=3, max_substitutions=0),
        )
        load_revision(
            conn, "priority", [HotlistEntry(vrm=v) for v in hotlist[:1000]], ListSettings(priority=1)
        )
    conn.close()


def run_workers(db: str, mq: str, n: int, reads: list[Read], acks: bool = True) -> float:
    stop = mp.Event()
    group = "bench" + uuid.uuid4().hex[:6]
    ready = [mp.Event() for _ in range(n)]
    procs = [
        mp.Process(target=_worker, args=(db, mq, f"{group}-{i}", group, stop, ready[i], acks))
        for i in range(n)
    ]
    for p in procs:
        p.start()
    try:
        if not all(r.wait(120) for r in ready):
            raise RuntimeError("an ingest worker did not subscribe within 2 minutes")
        payloads = [(topics.read_topic(r.site_id, r.camera_id), encode(r)) for r in reads]
        before = count(db)
        t0 = time.perf_counter()
        publish_all(mq, payloads)
        last, last_change = count(db), time.perf_counter()
        while last - before < len(reads):
            time.sleep(0.05)
            now_count = count(db)
            if now_count != last:
                last, last_change = now_count, time.perf_counter()
            elif time.perf_counter() - last_change > 20:
                raise RuntimeError(
                    f"ingest stalled at {last - before} of {len(reads)} reads: the broker dropped "
                    "messages (raise max_queued_messages) or a worker failed"
                )
        return len(reads) / (time.perf_counter() - t0)
    finally:
        stop.set()
        for p in procs:
            p.join(20)


def ack_cost(
    db: str, mq: str, args: argparse.Namespace, rng: random.Random, hot: list[str]
) -> dict[str, float]:
    """One worker, acknowledgements on and off in alternate runs (on-off, off-on, ...: a warming
    machine favours neither) on fresh reads of the same kind; the median of each. The acks go to
    one topic per agent (61 here) after every batch; one subscriber on this machine takes them
    all, so the broker's delivery is counted (the agents' side, on their own devices in the field,
    is counted too: it shares these 2 cores)."""
    rates: dict[bool, list[float]] = {True: [], False: []}
    # The agents' side: one subscriber takes every acknowledgement, so the broker delivers them.
    heard = [0]
    sub, target = new_client(mq)
    sub.on_message = lambda c, ud, m: heard.__setitem__(0, heard[0] + 1)
    sub.connect(target.host, target.port)
    sub.subscribe(f"{topics.ROOT}/+/+/ack", qos=1)
    sub.loop_start()
    for i in range(args.rounds * 2):
        acks = (i % 2 == 0) == (i // 2 % 2 == 0)
        rates[acks].append(run_workers(db, mq, 1, make_reads(args.reads, args.sites, rng, hot, 0.01), acks))
        print(
            f"round {i // 2 + 1}, acks {'on' if acks else 'off'}: {rates[acks][-1]:,.0f} reads/s", flush=True
        )
    sub.loop_stop()
    sub.disconnect()
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    return {
        "ack_messages_delivered": float(heard[0]),
        "ingest_1_worker_acks_on_reads_per_s": on,
        "ingest_1_worker_acks_off_reads_per_s": off,
        "ack_cost_pct": (off - on) / off * 100,
    }


def without_images(args: argparse.Namespace, rng: random.Random, hot: list[str]) -> list[Read]:
    """Reads whose images went to an object store: 2-byte placeholders."""
    return [
        r.model_copy(update={"plate_jpeg": b"\xff\xd8", "overview_jpeg": b"\xff\xd8"})
        for r in make_reads(args.reads, args.sites, rng, hot, 0.01)
    ]


def in_process(db: str, reads: list[Read], batch: int = 500) -> float:
    """The ingest stage alone, in this process without MQTT: decode, validate, COPY, roll up,
    match the hotlists, commit; batches of `batch` reads."""
    conn = store.connect(db)
    index, cameras = build_index(conn), camera_sites(conn)
    at = datetime.now(UTC)
    msgs = [Incoming(topics.read_topic(r.site_id, r.camera_id), encode(r), at) for r in reads]
    t0 = time.perf_counter()
    for i in range(0, len(msgs), batch):
        process(conn, msgs[i : i + batch], cameras, index)
    rate = len(msgs) / (time.perf_counter() - t0)
    conn.close()
    return rate


def baseline_row_by_row(db: str, reads: list[Read]) -> float:
    cols = ", ".join(READ_COLUMNS)
    ph = ", ".join(["%s"] * len(READ_COLUMNS))
    with psycopg.connect(db, autocommit=True) as c:
        t0 = time.perf_counter()
        for r in reads:
            c.execute(
                f"INSERT INTO reads ({cols}) VALUES ({ph}) ON CONFLICT DO NOTHING",
                read_row(r, datetime.now(UTC)),
            )
        return len(reads) / (time.perf_counter() - t0)


def alert_latency(db: str, mq: str, hot: list[str], rate: float, seconds: float) -> tuple[float, float, int]:
    """p50/p99 ms from publish to the alert arriving on MQTT, at `rate` reads/s (1 % hotlisted)."""
    rng = random.Random(3)
    n = int(rate * seconds)
    reads = make_reads(n, 20, rng, hot, 0.01)
    got: dict[str, float] = {}
    sub, target = new_client(mq)
    sub.on_message = lambda c, ud, m: got.setdefault(json.loads(m.payload)["read_id"], time.time())
    sub.connect(target.host, target.port)
    sub.subscribe(topics.ALERTS_ALL, qos=1)
    sub.loop_start()
    stop = mp.Event()
    group = "lat" + uuid.uuid4().hex[:6]
    ready = mp.Event()
    p = mp.Process(target=_worker, args=(db, mq, group, group, stop, ready))
    p.start()
    if not ready.wait(120):
        raise RuntimeError("the ingest worker did not subscribe within 2 minutes")
    payloads = [(topics.read_topic(r.site_id, r.camera_id), encode(r)) for r in reads]
    sent = publish_all(mq, payloads, rate)
    time.sleep(3)
    stop.set()
    p.join(20)
    sub.loop_stop()
    lat = [
        (got[str(r.read_id)] - t) * 1000 for r, t in zip(reads, sent, strict=True) if str(r.read_id) in got
    ]
    if not lat:
        return float("nan"), float("nan"), 0
    fig = percentiles(lat)
    return fig["p50_ms"], fig["p99_ms"], len(lat)


def main() -> None:
    from anpr.services.resolve import database_url, mqtt_url

    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=20_000)
    ap.add_argument("--hotlist", type=int, default=100_000)
    ap.add_argument("--latency-hotlist", type=int, default=1_000_000)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--sites", type=int, default=61)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each in the acknowledgement cost")
    ap.add_argument("--only", choices=["ack-cost"], help="run one part alone")
    args = ap.parse_args()
    admin, mq = database_url(), mqtt_url()
    rng = random.Random(1)
    hot = [vehicle(rng) for _ in range(args.hotlist)]
    results: dict[str, float] = {}
    if args.only == "ack-cost":
        db = fresh_db(admin)
        try:
            setup(db, args.sites, hot)
            results.update(ack_cost(db, mq, args, rng, hot))
        finally:
            drop_db(admin, db)
        for k, v in results.items():
            print(f"{k}: {v:,.1f}")
        return
    db = fresh_db(admin)
    try:
        setup(db, args.sites, hot)
        reads = make_reads(args.reads, args.sites, rng, hot, 0.01)
        results["baseline_row_by_row_reads_per_s"] = baseline_row_by_row(db, reads[: min(5000, len(reads))])
        print(f"baseline row-by-row: {results['baseline_row_by_row_reads_per_s']:,.0f} reads/s", flush=True)
        with psycopg.connect(db, autocommit=True) as c:
            c.execute("TRUNCATE reads")
        results["in_process_reads_per_s"] = in_process(db, make_reads(args.reads, args.sites, rng, hot, 0.01))
        print(f"in process, no MQTT: {results['in_process_reads_per_s']:,.0f} reads/s", flush=True)
        # The same with the images kept elsewhere (an object store): what the metadata path costs.
        results["in_process_without_images_reads_per_s"] = in_process(db, without_images(args, rng, hot))
        print(
            f"in process, images elsewhere: {results['in_process_without_images_reads_per_s']:,.0f} reads/s"
        )
        results["ingest_1_worker_without_images_reads_per_s"] = run_workers(
            db, mq, 1, without_images(args, rng, hot)
        )
        print(
            f"1 worker, images elsewhere: {results['ingest_1_worker_without_images_reads_per_s']:,.0f} reads/s"
        )
        for n in (1, 2):
            batch = make_reads(args.reads, args.sites, rng, hot, 0.01)
            results[f"ingest_{n}_worker_reads_per_s"] = run_workers(db, mq, n, batch)
            print(f"{n} worker(s): {results[f'ingest_{n}_worker_reads_per_s']:,.0f} reads/s", flush=True)
            results[f"ratio_{n}_worker_vs_baseline"] = (
                results[f"ingest_{n}_worker_reads_per_s"] / results["baseline_row_by_row_reads_per_s"]
            )
        results.update(ack_cost(db, mq, args, rng, hot))
    finally:
        drop_db(admin, db)
    db = fresh_db(admin)
    try:
        big = hot + [vehicle(rng) for _ in range(max(0, args.latency_hotlist - len(hot)))]
        t0 = time.perf_counter()
        setup(db, 20, big)
        results["hotlist_load_s"] = time.perf_counter() - t0
        results["hotlist_entries"] = len(big)
        p50, p99, n = alert_latency(db, mq, hot, args.rate, args.seconds)
        results.update(
            alert_latency_p50_ms=p50,
            alert_latency_p99_ms=p99,
            alerts_measured=n,
            alert_rate_reads_per_s=args.rate,
        )
    finally:
        drop_db(admin, db)
    for k, v in results.items():
        print(f"{k}: {v:,.1f}" if isinstance(v, float) else f"{k}: {v}")


if __name__ == "__main__":
    main()
