"""What several test files drive the network with: polling, counting, a running ingest worker,
and a subscriber that keeps what it hears."""

from __future__ import annotations

import json
import threading
import time
import uuid

import psycopg

from anpr.mqtt_client import new_client
from anpr.protocol import Read, decode
from central.ingest import IngestWorker
from central.registry import CameraEntry, SiteEntry, import_sites


def wait_for(pred, timeout: float = 10.0, step: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


def count(conn: psycopg.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args or None).fetchone()[0] or 0)  # type: ignore[index]


def ingest_worker(database_url: str, mqtt_url: str, **kw: object) -> IngestWorker:
    """A worker with a session of its own (no test shares another's queue)."""
    kw.setdefault("group", "g" + uuid.uuid4().hex[:8])
    return IngestWorker(database_url, mqtt_url, **kw)  # type: ignore[arg-type]


def register(conn: psycopg.Connection, sites: list[str]) -> None:
    """Sites with one camera each, `{site}-C1`."""
    import_sites(
        conn, [SiteEntry(site_id=s, name=s, cameras=[CameraEntry(camera_id=f"{s}-C1")]) for s in sites]
    )


class Running:
    """An ingest worker on its own thread for the length of a `with` block."""

    def __init__(self, worker: IngestWorker) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=worker.run, daemon=True)

    def __enter__(self) -> IngestWorker:
        self.thread.start()
        assert self.worker.ready.wait(15), "ingest worker did not subscribe"
        return self.worker

    def __exit__(self, *exc: object) -> None:
        self.worker.stop_event.set()
        self.thread.join(15)


class Collector:
    """A persistent-session QoS 1 subscriber that keeps every read and every other message it
    receives, in arrival order."""

    def __init__(self, url: str, client_id: str | None = None) -> None:
        self.reads: list[Read] = []
        self.other: list[dict] = []
        self.c, target = new_client(url, client_id or "col-" + uuid.uuid4().hex[:6], clean_session=False)
        self.subscribed = threading.Event()
        self.c.on_connect = lambda c, *a: c.subscribe("anpr/v1/#", qos=1)
        self.c.on_subscribe = lambda *a: self.subscribed.set()
        self.c.on_message = self._on
        self.c.reconnect_delay_set(0.2, 1)
        self.c.connect(target.host, target.port)
        self.c.loop_start()
        # Nothing is published before the broker has the subscription: no race with the agent.
        assert self.subscribed.wait(10), "collector did not subscribe"

    def _on(self, c, u, msg) -> None:  # type: ignore[no-untyped-def]
        if msg.topic.endswith("/read"):
            m = decode(msg.payload)
            assert isinstance(m, Read)
            self.reads.append(m)
        else:
            self.other.append({"topic": msg.topic, **json.loads(msg.payload)})

    @property
    def heartbeats(self) -> list[dict]:
        return [m for m in self.other if m["topic"].endswith("/heartbeat")]

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()
