"""The service's periodic duties: camera health, partitions ahead, retention, webhook delivery,
stale-hotlist alarms. `anpr central serve` runs them in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import psycopg

from central import health, partitions, store
from hotlists.loader import stale_lists

log = logging.getLogger(__name__)
WEBHOOK_ATTEMPTS = 6


def deliver_webhooks(conn: psycopg.Connection, client: httpx.Client, now: datetime | None = None) -> int:
    """Send due deliveries; retry with exponential back-off, then mark failed."""
    now = now or datetime.now(UTC)
    rows = conn.execute(
        "SELECT d.delivery_id, w.url, a.message, d.attempts FROM webhook_deliveries d JOIN webhooks w "
        "USING (webhook_id) JOIN alerts a USING (alert_id) WHERE d.state = 'pending' AND d.next_at <= %s "
        "ORDER BY d.delivery_id LIMIT 100",
        (now,),
    ).fetchall()
    sent = 0
    for delivery_id, url, message, attempts in rows:
        try:
            r = client.post(url, json=message, timeout=5)
            r.raise_for_status()
            conn.execute(
                "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1 "
                "WHERE delivery_id = %s",
                (delivery_id,),
            )
            sent += 1
        except httpx.HTTPError as exc:
            failed = attempts + 1 >= WEBHOOK_ATTEMPTS
            conn.execute(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = %s, state = %s, "
                "next_at = %s WHERE delivery_id = %s",
                (
                    str(exc)[:500],
                    "failed" if failed else "pending",
                    now + timedelta(seconds=2**attempts),
                    delivery_id,
                ),
            )
    return sent


class Housekeeper:
    def __init__(self, database_url: str, every_s: float = 5.0) -> None:
        self.database_url = database_url
        self.every_s = every_s
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)

    def start(self) -> Housekeeper:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(10)

    def _run(self) -> None:
        conn = store.connect(self.database_url)
        backend = store.migrate(conn)
        listen = store.connect(self.database_url)
        listen.execute("LISTEN alerts")  # a new alert wakes webhook delivery at once
        client = httpx.Client()
        last_daily = 0.0
        last_health = 0.0
        warned: set[str] = set()
        while not self.stop_event.is_set():
            try:
                deliver_webhooks(conn, client)
                if time.monotonic() - last_health < self.every_s:
                    self._wait_for_alert(listen, self.every_s - (time.monotonic() - last_health))
                    continue
                last_health = time.monotonic()
                health.evaluate(conn)
                if time.monotonic() - last_daily > 3600:
                    partitions.ensure_partitions(conn, backend)
                    partitions.apply_retention(conn, backend)
                    last_daily = time.monotonic()
                for name, age in stale_lists(conn):
                    if name not in warned:
                        log.warning("hotlist %s is stale: last refreshed %.0f s ago", name, age)
                        warned.add(name)
            except psycopg.Error:
                log.exception("housekeeping failed; retrying")
                self.stop_event.wait(1)
                conn = store.connect(self.database_url)
                listen = store.connect(self.database_url)
                listen.execute("LISTEN alerts")
        client.close()
        conn.close()
        listen.close()

    def _wait_for_alert(self, listen: psycopg.Connection, timeout: float) -> None:
        for _ in listen.notifies(timeout=max(0.05, min(timeout, 1.0)), stop_after=1):
            pass
