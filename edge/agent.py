"""The edge agent: cameras in, reads out through the durable outbox, heartbeats alongside."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from anpr import __version__
from anpr.protocol import CameraHealth, Heartbeat, ModelInfo, OutboxHealth, encode, topics
from edge.capture import Capture
from edge.clock_watch import ClockWatch
from edge.config import AgentConfig
from edge.health import cpu_temp_c, disk_free_bytes
from edge.metrics import AgentMetrics
from edge.mqtt_link import MqttLink
from edge.onnx_models import MODELS_DIR
from edge.outbox import Outbox
from edge.pipeline import CameraPipeline
from edge.profiles import load_profile
from edge.read_builder import ReadContext
from edge.stages import build_stages

log = logging.getLogger(__name__)


class Agent:
    def __init__(
        self, cfg: AgentConfig, models_dir: Path = MODELS_DIR, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self.cfg = cfg
        self.wall_clock = wall_clock  # the device's clock: frames and heartbeats are stamped by it
        self.clock = ClockWatch(wall=wall_clock)
        self.profile = load_profile(cfg.profile)
        p = self.profile
        stages = build_stages(p, models_dir)
        self.models = {key: ModelInfo(name=m.path.name, sha256=m.sha256) for key, m in stages.models.items()}
        detector, reader = stages.detector, stages.reader
        self.outbox = Outbox(cfg.outbox.path, int(cfg.outbox.quota_mb * 1024 * 1024))
        self.metrics = AgentMetrics()
        self.captures = {c.camera_id: Capture(c, clock=wall_clock) for c in cfg.cameras}
        self.pipelines = {
            c.camera_id: CameraPipeline(
                c,
                cfg.tracking,
                detector,
                reader,
                ReadContext(cfg.site_id, cfg.agent_id, c.camera_id, c.lane, self.models, __version__, p),
                clock_offset=self.clock.offset_s,
            )
            for c in cfg.cameras
        }
        for pipe in self.pipelines.values():
            pipe.clock.observer = lambda stage, s: self.metrics.stage.labels(stage).observe(s)
        self.link = MqttLink(
            cfg.broker,
            self.outbox,
            cfg.site_id,
            cfg.agent_id,
            list(self.captures),
            on_ack=lambda _seq: self.metrics.published.inc(),
            confirm_timeout_s=cfg.outbox.confirm_timeout_s,
            confirm_backoff_max_s=cfg.outbox.confirm_backoff_max_s,
        )
        self.started = time.monotonic()
        self.stop_event = threading.Event()
        self.metrics_port: int | None = None

    # -- running ------------------------------------------------------------------------------
    def run(self, exit_when_done: bool = False, drain_timeout_s: float = 60.0) -> None:
        if self.cfg.metrics_port is not None:
            self.metrics_port = self.metrics.serve(self.cfg.metrics_port)
        self.link.start()
        for cap in self.captures.values():
            cap.start()
        hb = threading.Thread(target=self._heartbeats, name="heartbeat", daemon=True)
        hb.start()
        flushed = False
        try:
            while not self.stop_event.is_set():
                busy = False
                for cam_id, cap in self.captures.items():
                    frame = cap.take()
                    if frame is None:
                        continue
                    busy = True
                    self.metrics.frames.labels(cam_id).inc()
                    self._store(cam_id, self.pipelines[cam_id].process(frame))
                if all(c.finished for c in self.captures.values()):
                    if not flushed:
                        for cam_id, pipe in self.pipelines.items():
                            self._store(cam_id, pipe.flush())
                        flushed = True
                    if exit_when_done:
                        self._drain(drain_timeout_s)
                        return
                if not busy:
                    time.sleep(0.005)
        finally:
            self.shutdown()

    def _store(self, cam_id: str, reads: list) -> None:  # type: ignore[type-arg]
        for read in reads:
            self.outbox.put(
                topics.read_topic(self.cfg.site_id, cam_id), encode(read), read.captured_at.timestamp()
            )
            self.captures[cam_id].stats.reads_total += 1
            self.metrics.reads.labels(cam_id).inc()
        if reads:
            self.link.wake()

    def _drain(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while self.outbox.stats().depth and time.monotonic() < deadline and not self.stop_event.is_set():
            time.sleep(0.05)

    def shutdown(self) -> None:
        if getattr(self, "_down", False):
            return
        self._down = True
        self.stop_event.set()
        for cam_id, pipe in self.pipelines.items():
            self._store(cam_id, pipe.flush())  # pending tracks reach the outbox, not the void
        for cap in self.captures.values():
            cap.stop()
        self.link.publish_now(
            topics.heartbeat_topic(self.cfg.site_id, self.cfg.agent_id), encode(self.heartbeat()), qos=1
        )
        self.link.stop()
        self.outbox.close()

    # -- heartbeats ---------------------------------------------------------------------------
    def heartbeat(self) -> Heartbeat:
        ob = self.outbox.stats()
        link = self.link.stats()
        self.metrics.outbox_depth.set(ob.depth)
        self.metrics.outbox_evicted.set(ob.evicted_total)
        self.metrics.outbox_unconfirmed.set(link.unconfirmed)
        self.metrics.outbox_oldest_unconfirmed.set(link.oldest_unconfirmed_s or 0.0)
        self.metrics.outbox_republished.set(link.republished_total)
        self.metrics.outbox_dead_letters.set(ob.dead_letters_total)
        self.metrics.connected.set(1 if self.link.connected.is_set() else 0)
        cams = []
        for cam_id, cap in self.captures.items():
            s = cap.stats
            self.metrics.frames_dropped.labels(cam_id).set(s.frames_dropped)
            self.metrics.frames_bad.labels(cam_id).set(s.frames_bad)
            cams.append(
                CameraHealth(
                    camera_id=cam_id,
                    state=s.state,
                    fps=round(s.fps, 2),
                    last_frame_at=s.last_frame_at,
                    frames_total=s.frames_total,
                    frames_dropped=s.frames_dropped,
                    frames_bad=s.frames_bad,
                    reads_total=s.reads_total,
                    error=(s.error or None) and s.error[:500],
                )
            )
        return Heartbeat(
            site_id=self.cfg.site_id,
            agent_id=self.cfg.agent_id,
            sent_at=datetime.fromtimestamp(self.wall_clock(), UTC),
            interval_s=self.cfg.heartbeat_interval_s,
            uptime_s=round(time.monotonic() - self.started, 1),
            cameras=cams,
            outbox=OutboxHealth(
                depth=ob.depth,
                bytes=ob.bytes,
                evicted_total=ob.evicted_total,
                oldest_at=datetime.fromtimestamp(ob.oldest_at, UTC) if ob.oldest_at else None,
                unconfirmed=link.unconfirmed,
                oldest_unconfirmed_s=link.oldest_unconfirmed_s,
                republished_total=link.republished_total,
                dead_letters_total=ob.dead_letters_total,
            ),
            disk_free_bytes=disk_free_bytes(self.cfg.outbox.path),
            cpu_temp_c=cpu_temp_c(),
            clock_offset_s=self.clock.offset_s(),
            models=self.models,
            agent_version=__version__,
        )

    def _heartbeats(self) -> None:
        topic = topics.heartbeat_topic(self.cfg.site_id, self.cfg.agent_id)
        self.link.connected.wait(self.cfg.heartbeat_interval_s)
        while not self.stop_event.is_set():
            try:
                self.link.publish_now(topic, encode(self.heartbeat()), qos=1)
            except Exception:  # a heartbeat failure must not stop the agent
                log.exception("heartbeat failed")
            self.stop_event.wait(self.cfg.heartbeat_interval_s)
