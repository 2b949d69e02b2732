"""One camera's pipeline, top to bottom: gate → detect → rectify → OCR → track → read.

Everything with a side effect (capture, outbox, network) is outside: this
takes frames and returns reads, so tests and benchmarks drive it directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from anpr.protocol import Read
from edge.capture import Frame
from edge.config import CameraConfig, TrackingConfig
from edge.detect import PlateDetector
from edge.direction import plate_colour
from edge.gate import MotionGate
from edge.ocr import PlateReader
from edge.plate_choice import read_plates
from edge.read_builder import ReadContext, build_read
from edge.track import Sighting, Tracker

STAGES = ("gate", "detect", "ocr", "track", "build")  # ocr includes rectification


@dataclass
class StageClock:
    """Cumulative milliseconds and calls per stage (metrics, `profile check`, benchmarks)."""

    ms: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    calls: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    observer: Callable[[str, float], None] | None = None

    def add(self, stage: str, seconds: float) -> None:
        self.ms[stage] += seconds * 1000
        self.calls[stage] += 1
        if self.observer:
            self.observer(stage, seconds)


class CameraPipeline:
    def __init__(
        self,
        camera: CameraConfig,
        tracking: TrackingConfig,
        detector: PlateDetector,
        reader: PlateReader,
        ctx: ReadContext,
        clock_offset: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.camera = camera
        self.gate = MotionGate(roi=camera.roi)
        self.detector = detector
        self.reader = reader
        self.tracker = Tracker(tracking)
        self.ctx = ctx
        self.clock_offset = clock_offset
        self.clock = StageClock()

    def process(self, frame: Frame) -> list[Read]:
        t = frame.captured_at.timestamp()
        tick = time.perf_counter

        t0 = tick()
        run = self.gate.should_detect(frame.image, t, tracking=bool(self.tracker.active))
        self.clock.add("gate", tick() - t0)
        sightings: list[Sighting] = []
        if run:
            t0 = tick()
            dets = [
                d
                for d in self.detector(frame.image)
                if self.gate.inside((d.box[0] + d.box[2]) / 2, (d.box[1] + d.box[3]) / 2)
            ]
            self.clock.add("detect", tick() - t0)
            if dets:
                t0 = tick()
                plates = read_plates(self.reader, frame.image, dets, self.detector.second_look)
                self.clock.add("ocr", tick() - t0)
                sightings = [
                    Sighting(
                        t,
                        d.box,
                        d.corners,
                        d.score,
                        r,
                        frame.image,
                        plate_colour(frame.image, d.corners).value,
                    )
                    for d, r in plates
                ]
        t0 = tick()
        done = self.tracker.update(t, sightings)
        self.clock.add("track", tick() - t0)
        return self._build(done)

    def flush(self) -> list[Read]:
        return self._build(self.tracker.flush())

    def _build(self, tracks: list) -> list[Read]:  # type: ignore[type-arg]
        if not tracks:
            return []
        t0 = time.perf_counter()
        reads = [build_read(tr, self.ctx, self.clock_offset()) for tr in tracks]
        self.clock.add("build", time.perf_counter() - t0)
        return reads
