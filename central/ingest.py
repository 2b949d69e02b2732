"""`anpr central ingest`: MQTT → PostgreSQL workers.

A worker holds a persistent session (clean_session=False, fixed client id) with a plain
subscription, so QoS 1 messages stay queued at the broker while the worker restarts. The broker
keeps that session across its own restarts only as far as it saved it: Mosquitto writes its
state every `autosave_interval` and on a clean stop, so a broker killed with `kill -9` comes back
without what was queued since its last save (and, before its first save, without the session).
Nothing depends on the broker for durability: after each batch commits, the worker tells every
agent which of its reads are safe (`central.ingest_acks`), and an agent's outbox keeps a read
until then, republishing what stays unconfirmed. With `shared=True` N workers split the load
through `$share/GROUP/...`; Mosquitto 2.0.x does not restore shared subscriptions from its
persistence file either, and the same end-to-end acknowledgement covers that window. MQTT
messages are acknowledged (manual PUBACK) only after their batch committed: a crash before
commit means redelivery, which the read id absorbs.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import queue
import select
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import psycopg

from anpr.mqtt_client import TlsFiles, new_client
from anpr.protocol import encode, topics
from central import ingest_acks, ingest_batch, partitions, store
from central.registry import camera_sites
from hotlists.loader import CHANNEL as HOTLIST_CHANNEL
from hotlists.loader import build_index
from hotlists.matcher import MatchIndex

log = logging.getLogger(__name__)


@dataclass
class IngestStats:
    received: int = 0
    committed: int = 0
    reads_new: int = 0
    duplicates: int = 0
    dead: int = 0
    alerts: int = 0
    batches: int = 0
    db_errors: int = 0
    acks_sent: int = 0


class IngestWorker:
    def __init__(
        self,
        database_url: str,
        mqtt_url: str,
        worker_id: str = "1",
        group: str = "ingest",
        shared: bool = False,
        batch_max: int = 500,
        batch_wait_s: float = 0.05,
        subscribe: tuple[str, ...] = (topics.READS_ALL, topics.HEARTBEATS_ALL, topics.STATUS_ALL),
        clean_start: bool = False,
        tls: TlsFiles | None = None,
        acks: bool = True,
    ) -> None:
        self.database_url = database_url
        self.mqtt_url = mqtt_url
        self.worker_id = worker_id
        self.group = group
        self.shared = shared
        self.batch_max = batch_max
        self.batch_wait_s = batch_wait_s
        self.subscribe_to = subscribe
        self.clean_start = clean_start
        self.tls = tls
        self.acks = acks  # off only to measure what the acknowledgements cost (benchmarks)
        self.stats = IngestStats()
        self.ready = threading.Event()
        self.stop_event = threading.Event()
        self._q: queue.Queue[tuple[mqtt.MQTTMessage, datetime, int]] = queue.Queue()
        self._generation = 0
        self._client: mqtt.Client | None = None

    # -- MQTT side ------------------------------------------------------------------------------
    def _connect(self) -> mqtt.Client:
        client, target = new_client(
            self.mqtt_url,
            client_id=f"anpr-{self.group}-{self.worker_id}",
            clean_session=self.clean_start,
            manual_ack=True,
            tls=self.tls,
        )
        client.max_inflight_messages_set(1000)

        def on_connect(c, userdata, flags, rc, props) -> None:  # type: ignore[no-untyped-def]
            if rc.is_failure:
                log.error("broker refused ingest worker: %s", rc)
                return
            self._generation += 1
            subs = [(topics.shared(self.group, t) if self.shared else t, 1) for t in self.subscribe_to]
            c.subscribe(subs)

        def on_subscribe(c, userdata, mid, rcs, props) -> None:  # type: ignore[no-untyped-def]
            self.ready.set()

        def on_message(c, userdata, msg: mqtt.MQTTMessage) -> None:  # type: ignore[no-untyped-def]
            self._q.put((msg, datetime.now(UTC), self._generation))

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        # Back within 2 s of the broker: before the agents (whose first retry waits 0.5 s and then
        # backs off to 10 s), so their replays find the subscription in place.
        client.reconnect_delay_set(0.2, 2)
        client.connect_async(target.host, target.port, keepalive=30)
        client.loop_start()
        return client

    # -- database side --------------------------------------------------------------------------
    def run(self) -> IngestStats:
        """Ingest until stopped. If the database goes away, the batch in hand is held, nothing is
        acknowledged (the broker keeps the rest queued), and the worker reconnects and retries it."""
        conn, listen = self._open_db(migrate=True)
        index = self._index(conn)
        cameras = camera_sites(conn)
        cameras_at = time.monotonic()
        self._client = client = self._connect()
        log.info("ingest worker %s: %d hotlist entries, %d cameras", self.worker_id, index.size, len(cameras))
        held: list[tuple[mqtt.MQTTMessage, datetime, int]] = []
        backoff = 0.5
        try:
            while not self.stop_event.is_set():
                batch = held or self._collect()
                try:
                    if conn is None or listen is None:
                        conn, listen = self._open_db(migrate=False)
                        index = self._index(conn)
                        log.info("database back: ingest resumes with %d messages in hand", len(batch))
                    if self._hotlists_changed(listen):
                        index = self._index(conn)
                        log.info("hotlists changed: index rebuilt (%d entries)", index.size)
                    if time.monotonic() - cameras_at > 30:
                        cameras, cameras_at = camera_sites(conn), time.monotonic()
                    if not batch:
                        continue
                    incoming = [ingest_batch.Incoming(m.topic, m.payload, at) for m, at, _ in batch]
                    if any(cam not in cameras for cam in self._read_cameras(incoming)):
                        cameras, cameras_at = camera_sites(conn), time.monotonic()  # a newly imported site
                    res = ingest_batch.process_isolating(conn, incoming, cameras, index)
                except psycopg.OperationalError as exc:
                    self.stats.db_errors += 1
                    log.warning(
                        "database unavailable (%s): %d messages held unacknowledged, retry in %.1f s",
                        str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                        len(batch),
                        backoff,
                    )
                    held = batch
                    conn, listen = self._close_db(conn, listen)
                    self.stop_event.wait(backoff)
                    backoff = min(10.0, backoff * 2)
                    continue
                held, backoff = [], 0.5
                generation = self._generation
                for m, _, gen in batch:
                    # Committed: now, and only now, the broker may forget them. A message from an
                    # earlier connection is not acknowledged: its packet id may now name another
                    # message, and the broker redelivers it anyway (the read id absorbs the copy).
                    if gen == generation:
                        client.ack(m.mid, m.qos)
                for alert in res.alerts:
                    client.publish(topics.alert_topic(alert.priority), encode(alert), qos=1)
                if self.acks:
                    # After the commit, never before: an ack is the agent's leave to forget a read.
                    for topic, ack in ingest_acks.build(res.settled, datetime.now(UTC)):
                        client.publish(topic, encode(ack), qos=1)
                        self.stats.acks_sent += 1
                s = self.stats
                s.batches += 1
                s.committed += len(batch)
                s.reads_new += res.reads_new
                s.duplicates += res.reads_duplicate
                s.dead += res.dead
                s.alerts += len(res.alerts)
        finally:
            client.loop_stop()
            client.disconnect()
            self._close_db(conn, listen)
        return self.stats

    def _open_db(self, migrate: bool) -> tuple[psycopg.Connection, psycopg.Connection]:
        conn = store.connect(self.database_url)
        if migrate:
            backend = store.migrate(conn)
            partitions.ensure_partitions(conn, backend)
        store.use_app_role(conn)  # from here on: the application's rights only
        listen = store.connect(self.database_url, app_role=True)
        listen.execute(f"LISTEN {HOTLIST_CHANNEL}")
        return conn, listen

    @staticmethod
    def _close_db(*conns: psycopg.Connection | None) -> tuple[None, None]:
        for c in conns:
            if c is not None:
                with contextlib.suppress(Exception):
                    c.close()
        return None, None

    @staticmethod
    def _index(conn: psycopg.Connection) -> MatchIndex:
        """Build the match index, then freeze it out of the garbage collector's sight: a million
        entries walked by every full collection would stall ingest for hundreds of milliseconds."""
        gc.unfreeze()
        index = build_index(conn)
        gc.collect()
        gc.freeze()
        return index

    @staticmethod
    def _read_cameras(incoming: list[ingest_batch.Incoming]) -> set[str]:
        out = set()
        for m in incoming:
            p = topics.parse(m.topic)
            if p and p[2] == "read":
                out.add(p[1])
        return out

    def _collect(self) -> list[tuple[mqtt.MQTTMessage, datetime, int]]:
        try:
            first = self._q.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_wait_s
        while len(batch) < self.batch_max:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(self._q.get(timeout=left))
            except queue.Empty:
                break
        self.stats.received += len(batch)
        return batch

    @staticmethod
    def _hotlists_changed(listen: psycopg.Connection) -> bool:
        if not select.select([listen.fileno()], [], [], 0)[0]:
            return False
        changed = False
        for _ in listen.notifies(timeout=0):
            changed = True
        return changed
