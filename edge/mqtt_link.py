"""The agent's MQTT connection: drains the outbox in order with QoS 1, deletes a read only when
central confirms it (an `ack` on the agent's own topic), keeps a retained status with a last
will, and sends heartbeats.

The broker's PUBACK only paces the sending (at most `window` unacknowledged publishes): a
broker killed with `kill -9` forgets what it acknowledged and had not saved. A read published
and still unconfirmed `confirm_timeout_s` later is published again, in order, and the wait
doubles at each try up to `confirm_backoff_max_s`; a publish cut off by a lost connection
before its PUBACK is sent again at once on the next. A fresh paho client is made for every
connection, so nothing is retransmitted behind the outbox's back; what is unconfirmed is kept
in memory only, so an agent that restarts replays its whole outbox, in order. Every copy is
harmless: central stores a read once by its id and confirms each copy.
"""

from __future__ import annotations

import logging
import math
import queue
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from anpr.mqtt_client import TlsFiles, new_client
from anpr.mqtt_url import parse_mqtt_url, redact
from anpr.protocol import AgentState, ProtocolError, ReadAck, Status, decode, encode, topics
from edge.config import BrokerConfig
from edge.outbox import Entry, Outbox
from edge.read_fit import fit

log = logging.getLogger(__name__)
# A cut link is retried at least this often: reads flow again within seconds of its return.
MAX_BACKOFF_S = 10.0


@dataclass
class Unconfirmed:
    """A published read central has not yet confirmed (monotonic times)."""

    first_sent: float
    attempts: int
    due: float  # when to publish it again; infinity while its PUBACK is awaited
    is_read: bool = True  # anything else carries no read id: its PUBACK is all it gets


@dataclass(frozen=True)
class LinkStats:
    unconfirmed: int
    oldest_unconfirmed_s: float | None
    republished_total: int
    confirmed_total: int


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
        confirm_timeout_s: float = 30.0,
        confirm_backoff_max_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.broker = broker
        self.outbox = outbox
        self.site_id = site_id
        self.agent_id = agent_id
        self.camera_ids = camera_ids
        self.window = window
        self.on_ack = on_ack  # called with each read's outbox place as central confirms it
        self.confirm_timeout_s = confirm_timeout_s
        self.confirm_backoff_max_s = confirm_backoff_max_s
        self.clock = clock
        self.connected = threading.Event()
        self.acked_total = 0  # reads confirmed by central
        self.republished_total = 0
        self.connects = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._confirms: queue.SimpleQueue[list[str]] = queue.SimpleQueue()
        self._client: mqtt.Client | None = None
        self._inflight: dict[int, int] = {}  # packet id -> outbox place, until the PUBACK
        self._unconfirmed: dict[int, Unconfirmed] = {}  # outbox place -> state; oldest first
        self._stats = LinkStats(0, None, 0, 0)
        self._last_sent = 0
        self._thread = threading.Thread(target=self._run, name="mqtt-link", daemon=True)

    # -- public -------------------------------------------------------------------------------
    def start(self) -> MqttLink:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stats(self) -> LinkStats:
        """What the heartbeat and metrics report; a snapshot the drain thread keeps current."""
        return self._stats

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

    def _ack_topic(self) -> str:
        return topics.ack_topic(self.site_id, self.agent_id)

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
        client.on_message = self._on_message
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            log.warning("broker refused connection: %s", reason_code)
            return
        client.subscribe(self._ack_topic(), qos=1)
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

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:  # type: ignore[no-untyped-def]
        try:
            ack = decode(msg.payload, ReadAck)
        except ProtocolError as exc:
            log.warning("ignored a malformed acknowledgement on %s: %s", msg.topic, exc)
            return
        assert isinstance(ack, ReadAck)
        self._confirms.put([str(r) for r in ack.read_ids()])
        self._wake.set()

    def _wait_for(self, attempts: int) -> float:
        return min(self.confirm_backoff_max_s, self.confirm_timeout_s * 2 ** max(0, attempts - 1))

    def _settle_acks(self) -> None:
        """PUBACKs start each read's confirmation clock; central's acks forget the reads."""
        while True:
            try:
                mid = self._acks.get_nowait()
            except queue.Empty:
                break
            seq = self._inflight.pop(mid, None)  # None: a status publish, or one from a lost connection
            state = self._unconfirmed.get(seq) if seq is not None else None
            if state is not None and not state.is_read:
                self.outbox.ack(seq)  # type: ignore[arg-type]
                del self._unconfirmed[seq]  # type: ignore[arg-type]
            elif state is not None:
                state.due = self.clock() + self._wait_for(state.attempts)
        while True:
            try:
                read_ids = self._confirms.get_nowait()
            except queue.Empty:
                break
            for seq in self.outbox.confirm(read_ids):
                self._unconfirmed.pop(seq, None)
                self.acked_total += 1
                if self.on_ack:
                    self.on_ack(seq)
        oldest = next(iter(self._unconfirmed.values()), None)
        self._stats = LinkStats(
            len(self._unconfirmed),
            round(self.clock() - oldest.first_sent, 1) if oldest else None,
            self.republished_total,
            self.acked_total,
        )

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
            # What the lost connection had in flight may never have reached the broker: send it
            # again now. What the broker acknowledged keeps its confirmation clock.
            for seq in self._inflight.values():
                if seq in self._unconfirmed:
                    self._unconfirmed[seq].due = 0.0
            self._inflight.clear()
            self._acks = queue.SimpleQueue()
            self._drain(client)
            client.loop_stop()
            self._client = None

    def _due(self, room: int) -> list[Entry]:
        """Unconfirmed reads whose wait has run out, oldest first (they go before new ones)."""
        now = self.clock()
        seqs = [seq for seq, st in self._unconfirmed.items() if st.due <= now][:room]
        if not seqs:
            return []
        entries = self.outbox.entries(seqs)
        for gone in set(seqs) - {e.seq for e in entries}:  # evicted by the quota meanwhile
            self._unconfirmed.pop(gone, None)
        return entries

    def _publish(self, client: mqtt.Client, entry: Entry) -> bool:
        """Publish one entry (shrunk, or kept back as a dead letter, if over the size limit)."""
        payload = entry.payload
        fitted = fit(entry.topic, payload)
        if fitted.payload is None:
            log.error("outbox entry %d kept as a dead letter: %s", entry.seq, fitted.reason)
            self.outbox.dead_letter(entry.seq, fitted.reason)
            self._unconfirmed.pop(entry.seq, None)
            return True
        if fitted.payload is not payload:
            log.warning(
                "outbox entry %d shrunk from %d to %d bytes", entry.seq, len(payload), len(fitted.payload)
            )
            self.outbox.replace(entry.seq, fitted.payload)
            payload = fitted.payload
        info = client.publish(entry.topic, payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return False
        self._inflight[info.mid] = entry.seq
        state = self._unconfirmed.get(entry.seq)
        if state is None:
            self._unconfirmed[entry.seq] = Unconfirmed(
                self.clock(), 1, math.inf, entry.topic.endswith("/read")
            )
        else:
            state.attempts += 1
            state.due = math.inf
        return True

    def _drain(self, client: mqtt.Client) -> None:
        """Keep up to `window` publishes in flight, in order: first reads due again, then new ones.
        This thread alone owns the in-flight and unconfirmed maps."""
        while not self._stop.is_set() and self.connected.is_set():
            self._wake.clear()
            self._settle_acks()
            room = self.window - len(self._inflight)
            for entry in self._due(room):
                if not self._publish(client, entry):
                    break
                self.republished_total += 1
                room -= 1
            if room > 0:
                for entry in self.outbox.pending(self._last_sent, room):
                    if not self._publish(client, entry):
                        break
                    self._last_sent = entry.seq
            self._settle_acks()
            self._wake.wait(0.5)
