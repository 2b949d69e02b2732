"""Light replay agents: every site without a real agent still sends heartbeats and reads at a
realistic hour-of-day rhythm, so the board, the baselines and the reports have data."""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from anpr import __version__
from anpr.ids import uuid7
from anpr.mqtt_client import new_client
from anpr.protocol import (
    AgentState,
    CameraHealth,
    CameraState,
    Direction,
    Heartbeat,
    OutboxHealth,
    PlateColour,
    Read,
    ReadCandidate,
    Status,
    encode,
    topics,
)
from models.plate_text import random_uk_vrm

# A tiny valid JPEG (grey 8×8) stands in for the evidence images of replayed reads.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a"
    "1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080008000801011100ffc4001f"
    "0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203"
    "00041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a343536373839"
    "3a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4"
    "a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa"
    "ffda0008010100003f00fbfcffd9"
)


def traffic_per_hour(hour: float) -> float:
    """Relative traffic by hour of day: night trough, morning and evening peaks."""
    return (
        0.15
        + 0.9 * math.exp(-((hour - 8.0) ** 2) / 3)
        + 0.8 * math.exp(-((hour - 17.5) ** 2) / 4)
        + 0.35 * math.exp(-((hour - 13) ** 2) / 10)
    )


@dataclass
class ReplaySite:
    site_id: str
    cameras: list[str]
    agent_id: str = ""
    down_until: float = 0.0  # monotonic time until which this site's agent is "broken"
    reads: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.agent_id = self.agent_id or f"{self.site_id}-A1"


class ReplayFleet:
    def __init__(
        self,
        mqtt_url: str,
        sites: list[ReplaySite],
        hotlisted: list[str],
        reads_per_hour_peak: float = 120,
        heartbeat_s: float = 30,
        speed: float = 1.0,
        seed: int = 7,
    ) -> None:
        self.sites = sites
        self.hotlisted = hotlisted
        self.peak = reads_per_hour_peak
        self.heartbeat_s = heartbeat_s
        self.speed = speed
        self.rng = random.Random(seed)
        self.stop_event = threading.Event()
        self.sent = 0
        self.client, target = new_client(mqtt_url, f"anpr-demo-replay-{seed}")
        self.client.connect(target.host, target.port)
        self.client.loop_start()
        self.thread = threading.Thread(target=self._run, name="replay", daemon=True)

    def start(self) -> ReplayFleet:
        for s in self.sites:
            self._status(s, AgentState.ONLINE)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(5)
        for s in self.sites:
            self._status(s, AgentState.OFFLINE)
        self.client.loop_stop()
        self.client.disconnect()

    def fail(self, site_id: str, seconds: float) -> None:
        """The site's agent goes silent (power cut, link down): no heartbeats, no reads."""
        for s in self.sites:
            if s.site_id == site_id:
                s.down_until = time.monotonic() + seconds

    def _status(self, s: ReplaySite, state: AgentState) -> None:
        msg = Status(
            site_id=s.site_id,
            agent_id=s.agent_id,
            state=state,
            at=datetime.now(UTC) if state is AgentState.ONLINE else None,
            cameras=s.cameras,
        )
        self.client.publish(topics.status_topic(s.site_id, msg.agent_id), encode(msg), qos=1, retain=True)

    def _run(self) -> None:
        last_hb = 0.0
        tick = 1.0
        while not self.stop_event.wait(tick):
            now = time.monotonic()
            hour = datetime.now(UTC).hour + datetime.now(UTC).minute / 60
            rate = self.peak * traffic_per_hour(hour) / 3600 * self.speed  # reads per second per camera
            for s in self.sites:
                if now < s.down_until:
                    continue
                for cam in s.cameras:
                    n = self._poisson(rate * tick)
                    for _ in range(n):
                        self._read(s, cam)
            if now - last_hb >= self.heartbeat_s:
                last_hb = now
                for s in self.sites:
                    if now >= s.down_until:
                        self._heartbeat(s)

    def _poisson(self, lam: float) -> int:
        n, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= self.rng.random()
            if p <= limit:
                return n
            n += 1

    def _read(self, s: ReplaySite, cam: str) -> None:
        if self.hotlisted and self.rng.random() < 0.01:
            vrm, fmt = self.rng.choice(self.hotlisted), "current"
        else:
            v, f = random_uk_vrm(self.rng)
            vrm, fmt = v, f.value
        conf = round(self.rng.uniform(0.8, 0.995), 3)
        yellow = self.rng.random() < 0.5
        read = Read(
            read_id=uuid7(),
            site_id=s.site_id,
            camera_id=cam,
            agent_id=s.agent_id,
            lane=self.rng.randint(1, 2),
            captured_at=datetime.now(UTC),
            vrm=vrm,
            raw_text=vrm,
            format=fmt,
            confidence=conf,
            char_confidences=[conf] * len(vrm),
            candidates=[ReadCandidate(vrm=vrm, confidence=conf, format=fmt)],
            detector_confidence=0.9,
            box=(800, 600, 1000, 645),
            frames_seen=self.rng.randint(3, 20),
            plate_colour=PlateColour.YELLOW if yellow else PlateColour.WHITE,
            direction=Direction.RECEDING if yellow else Direction.APPROACHING,
            plate_jpeg=TINY_JPEG,
            overview_jpeg=TINY_JPEG,
            agent_version=f"{__version__}-replay",
        )
        self.client.publish(topics.read_topic(s.site_id, cam), encode(read), qos=1)
        s.reads[cam] = s.reads.get(cam, 0) + 1
        self.sent += 1

    def _heartbeat(self, s: ReplaySite) -> None:
        hb = Heartbeat(
            site_id=s.site_id,
            agent_id=s.agent_id,
            sent_at=datetime.now(UTC),
            interval_s=self.heartbeat_s,
            uptime_s=0,
            cameras=[
                CameraHealth(
                    camera_id=c,
                    state=CameraState.STREAMING,
                    fps=25.0,
                    last_frame_at=datetime.now(UTC),
                    reads_total=s.reads.get(c, 0),
                )
                for c in s.cameras
            ],
            outbox=OutboxHealth(depth=0),
            clock_offset_s=round(self.rng.uniform(-0.05, 0.05), 3),
            agent_version=f"{__version__}-replay",
        )
        self.client.publish(topics.heartbeat_topic(s.site_id, hb.agent_id), encode(hb), qos=1)
