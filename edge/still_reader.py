"""Read plates in one still image: detect → rectify → OCR. `anpr read` and the benchmarks use it;
the agent's video pipeline uses the same three stages frame by frame."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.detect import Detection
from edge.ocr import OcrResult
from edge.onnx_models import MODELS_DIR
from edge.plate_choice import read_plates
from edge.profiles import Profile, load_profile
from edge.rectify import box_corners
from edge.stages import build_stages


@dataclass(frozen=True)
class PlateFound:
    detection: Detection
    ocr: OcrResult


@dataclass
class StageTimes:
    detect_ms: float = 0.0
    ocr_ms: float = 0.0  # rectification included
    ocr_plates: int = 0  # detections read, whether or not the reading was kept


class StillReader:
    def __init__(self, profile: Profile, models_dir: Path = MODELS_DIR) -> None:
        self.profile = profile
        stages = build_stages(profile, models_dir)
        self.detector = stages.detector
        self.reader = stages.reader
        self.models = stages.models

    @classmethod
    def from_profile_name(cls, name: str) -> StillReader:
        return cls(load_profile(name))

    def read(self, image: np.ndarray, times: StageTimes | None = None) -> list[PlateFound]:
        times = times or StageTimes()
        looked_ms = 0.0

        def look_again(frame: np.ndarray, found: Detection) -> list[Detection]:
            # A second look is the detector's time, and the boxes it gives are plates read.
            nonlocal looked_ms
            t = time.perf_counter()
            again = self.detector.second_look(frame, found)
            looked_ms += (time.perf_counter() - t) * 1000
            times.ocr_plates += len(again)
            return again

        t0 = time.perf_counter()
        dets = self.detector(image)
        t1 = time.perf_counter()
        plates = read_plates(self.reader, image, dets, look_again)
        t2 = time.perf_counter()
        times.detect_ms += (t1 - t0) * 1000 + looked_ms
        times.ocr_ms += (t2 - t1) * 1000 - looked_ms
        times.ocr_plates += len(dets)
        return [PlateFound(d, r) for d, r in plates]

    def read_box(self, image: np.ndarray, box: tuple[int, int, int, int]) -> str:
        """OCR alone on a given box (the benchmarks pass the truth box, leaving the detector out)."""
        return self.reader.read_quads(image, [box_corners(box)])[0].text
