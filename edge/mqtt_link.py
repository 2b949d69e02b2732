"""The agent's MQTT connection: drains the outbox in order with QoS 1, deletes each entry only
on the broker's PUBACK, keeps a retained status with a last will, and sends heartbeats.

A fresh paho client is made for every connection, so nothing is retransmitted
behind the outbox's back: after a reconnect the outbox replays from its oldest
unacknowledged entry, in order. The broker may see a read twice across a cut
(QoS 1); the central store absorbs that by read id.
"""

from __future__ import annotations

import logging
import queue
import ssl
import threading
from collections.abc import Callable

import paho.mqtt.client as mqtt

from anpr.mqtt_client import TlsFiles, new_client
from anpr.mqtt_url import parse_mqtt_url, redact
from anpr.protocol import AgentState, Status, encode, topics
from edge.config import BrokerConfig
from edge.outbox import Outbox

log = logging.getLogger(__name__)
# A cut link is retried at least this often: reads flow again within seconds of its return.
MAX_BACKOFF_S = 10.0


class MqttLink:
    def __init__(
        self,
        broker: BrokerConfig,
        outbox: Outbox,
        site_id: str,
        agent_id: str,
        camera_ids: list[str],
        window: int = 20,
        on_ack: Callable[[int], None] | None = None,
    ) -> None:
        self.broker = broker
        self.outbox = outbox
        self.site_id = site_id
        self.agent_id = agent_id
        self.camera_ids = camera_ids
        self.window = window
        self.on_ack = on_ack
        self.connected = threading.Event()
        self.acked_total = 0
        self.connects = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._client: mqtt.Client | None = None
        self._inflight: dict[int, int] = {}
        self._last_sent = 0
        self._thread = threading.Thread(target=self._run, name="mqtt-link", daemon=True)

    # -- public -------------------------------------------------------------------------------
    def start(self) -> MqttLink:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def publish_now(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False) -> bool:
        """Best-effort publish outside the outbox (heartbeats): dropped while disconnected."""
        client = self._client
        if client is None or not self.connected.is_set():
            return False
        return client.publish(topic, payload, qos=qos, retain=retain).rc == mqtt.MQTT_ERR_SUCCESS

    def stop(self, timeout: float = 5.0) -> None:
        """Mark the agent offline (a clean stop is not a failure), then disconnect."""
        self._stop.set()
        self._wake.set()
        client = self._client
        if client is not None and self.connected.is_set():
            info = client.publish(self._status_topic(), self._status(AgentState.OFFLINE), qos=1, retain=True)
            info.wait_for_publish(timeout)
            client.disconnect()
        self._thread.join(timeout)

    # -- internals ----------------------------------------------------------------------------
    def _status_topic(self) -> str:
        return topics.status_topic(self.site_id, self.agent_id)

    def _status(self, state: AgentState) -> bytes:
        from datetime import UTC, datetime

        at = datetime.now(UTC) if state is AgentState.ONLINE else None
        return encode(
            Status(site_id=self.site_id, agent_id=self.agent_id, state=state, at=at, cameras=self.camera_ids)
        )

    def _new_client(self) -> mqtt.Client:
        tls = self.broker.tls
        client, _ = new_client(
            self.broker.url,
            client_id=f"anpr-edge-{self.site_id}-{self.agent_id}",
            clean_session=True,
            tls=TlsFiles(tls.ca_file, tls.cert_file, tls.key_file) if tls else None,
            username=self.broker.username,
            password=self.broker.password,
        )
        # The broker publishes this, retained, if we vanish without a DISCONNECT.
        client.will_set(self._status_topic(), self._status(AgentState.OFFLINE), qos=1, retain=True)
        client.max_inflight_messages_set(self.window)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            log.warning("broker refused connection: %s", reason_code)
            return
        client.publish(self._status_topic(), self._status(AgentState.ONLINE), qos=1, retain=True)
        self.connects += 1
        self.connected.set()
        self._wake.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.connected.clear()
        self._wake.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        # paho calls this holding its own message lock, which client.publish() also takes: take no
        # lock here. The drain thread, the only owner of the in-flight map, settles the ack.
        self._acks.put(mid)
        self._wake.set()

    def _settle_acks(self) -> None:
        while True:
            try:
                mid = self._acks.get_nowait()
            except queue.Empty:
                return
            seq = self._inflight.pop(mid, None)  # None: a status publish, or one from a lost connection
            if seq is not None:
                self.outbox.ack(seq)
                self.acked_total += 1
                if self.on_ack:
                    self.on_ack(seq)

    def _run(self) -> None:
        target = parse_mqtt_url(self.broker.url)
        backoff = 0.5
        while not self._stop.is_set():
            client = self._new_client()
            try:
                client.connect(target.host, target.port, keepalive=self.broker.keepalive_s)
            except (OSError, ssl.SSLError) as exc:
                log.warning(
                    "broker %s unreachable (%s); retry in %.1f s", redact(self.broker.url), exc, backoff
                )
                self._stop.wait(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)
                continue
            self._client = client
            client.loop_start()
            if not self.connected.wait(10):
                client.loop_stop()
                client.disconnect()
                self._stop.wait(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)
                continue
            backoff = 0.5
            self._inflight.clear()
            self._acks = queue.SimpleQueue()
            self._last_sent = 0  # replay from the oldest unacknowledged entry
            self._drain(client)
            client.loop_stop()
            self._client = None

    def _drain(self, client: mqtt.Client) -> None:
        """Keep up to `window` outbox entries in flight, in order; this thread alone owns the map."""
        while not self._stop.is_set() and self.connected.is_set():
            self._wake.clear()
            self._settle_acks()
            room = self.window - len(self._inflight)
            if room > 0:
                for entry in self.outbox.pending(self._last_sent, room):
                    info = client.publish(entry.topic, entry.payload, qos=1)
                    if info.rc != mqtt.MQTT_ERR_SUCCESS:
                        break
                    self._inflight[info.mid] = entry.seq
                    self._last_sent = entry.seq
            self._settle_acks()
            self._wake.wait(0.5)
