"""The detector and the OCR reader a device profile asks for, built in one place so the agent, `anpr
read`, `profile check` and the benchmarks all run the same stages with the same settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.detect import PlateDetector
from edge.ocr import PlateReader
from edge.onnx_models import MODELS_DIR, LoadedModel, load
from edge.profiles import Profile


@dataclass(frozen=True)
class Stages:
    detector: PlateDetector
    reader: PlateReader
    models: dict[str, LoadedModel]  # "detector", "ocr": the files loaded, with their hashes


def build_stages(profile: Profile, models_dir: Path = MODELS_DIR) -> Stages:
    det = load(models_dir / profile.detector_model, profile.threads, tuple(profile.providers))
    ocr = load(models_dir / profile.ocr_model, profile.threads, tuple(profile.providers))
    return Stages(
        PlateDetector(
            det,
            profile.detector_input_width,
            profile.detector_threshold,
            extra_widths=tuple(profile.detector_extra_widths),
            second_look_width=profile.detector_second_look_width,
        ),
        PlateReader(ocr, min_confidence=profile.read_min_confidence, trims=tuple(profile.read_trims)),
        {"detector": det, "ocr": ocr},
    )
