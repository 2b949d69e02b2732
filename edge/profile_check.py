"""`anpr edge profile check`: measure a device profile on the device it runs on."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from edge.detect import Detection
from edge.gate import MotionGate
from edge.profiles import Profile
from edge.rectify import box_corners, rectify_variants
from edge.stages import build_stages

PLATE_XS = (500, 1250)
PLATE_BOXES = [(x, 760, x + 230, 810) for x in PLATE_XS]  # where test_frame draws its plates


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of `fn` over `repeats` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def test_frame(width: int = 1920, height: int = 1080, seed: int = 0) -> np.ndarray:
    """A 1080p road scene drawn with OpenCV alone (no training extras on a device)."""
    rng = np.random.default_rng(seed)
    frame = np.full((height, width, 3), 90, np.uint8)
    frame[: height // 3] = (170, 150, 120)
    frame += rng.integers(0, 12, frame.shape, dtype=np.uint8)
    for x0, text, bg in zip(
        PLATE_XS, ("AB51 ABC", "KX19 PLM"), ((230, 230, 230), (24, 200, 250)), strict=True
    ):
        cv2.rectangle(frame, (x0 - 150, 480), (x0 + 350, 900), (60, 60, 140), -1)
        cv2.rectangle(frame, (x0, 760), (x0 + 230, 810), bg, -1)
        cv2.putText(frame, text, (x0 + 8, 800), cv2.FONT_HERSHEY_SIMPLEX, 1.35, (20, 20, 20), 4, cv2.LINE_AA)
    return frame


@dataclass(frozen=True)
class ProfileFigures:
    profile: str
    threads: int
    input_widths: tuple[int, ...]  # the detector's main width, then any extra ones
    second_look_width: int  # 0: no second look at each plate read
    gate_ms: float
    detect_ms: float
    rectify_ms: float
    ocr_ms_per_plate: float
    second_look_ms: float  # per plate read; 0 without a second look
    plates_per_frame: int

    @property
    def frame_ms(self) -> float:
        return (
            self.gate_ms
            + self.detect_ms
            + (self.rectify_ms + self.ocr_ms_per_plate + self.second_look_ms) * self.plates_per_frame
        )

    @property
    def widths_label(self) -> str:
        widths = "+".join(str(w) for w in self.input_widths)
        return widths + (f" (second look {self.second_look_width})" if self.second_look_width else "")

    @property
    def fps(self) -> float:
        return 1000 / self.frame_ms if self.frame_ms else 0.0

    @property
    def idle_fps(self) -> float:
        """Frames per second when the gate finds an empty road."""
        return 1000 / self.gate_ms if self.gate_ms else 0.0


def measure(profile: Profile, repeats: int = 20, plates: int = 2) -> ProfileFigures:
    stages = build_stages(profile)
    detector, reader = stages.detector, stages.reader
    frame = test_frame()
    quads = [box_corners(b) for b in PLATE_BOXES]
    gate = MotionGate()

    t = [0.0]

    def gate_step() -> None:
        t[0] += 0.04
        gate.should_detect(frame, t[0], tracking=False)

    # Every input a plate is read from: one per layout, again for each of the profile's trims.
    crops = np.stack(rectify_variants(frame, quads[0], reader.trims))
    plate = Detection(PLATE_BOXES[0], quads[0], 1.0)
    return ProfileFigures(
        profile=profile.name,
        threads=profile.threads,
        input_widths=detector.widths,
        second_look_width=detector.second_look_width,
        gate_ms=median_ms(gate_step, repeats),
        detect_ms=median_ms(lambda: detector(frame), repeats),
        rectify_ms=median_ms(lambda: [rectify_variants(frame, q, reader.trims) for q in quads], repeats)
        / len(quads),
        ocr_ms_per_plate=median_ms(lambda: reader.probs(crops), repeats * 5),
        second_look_ms=median_ms(lambda: detector.second_look(frame, plate), repeats),
        plates_per_frame=plates,
    )
