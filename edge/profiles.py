"""Device profiles (`firmware_profiles/*.yaml`): model variant, input size, threads, providers, caps."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field

# Inside the installed package (a wheel keeps package data as plain files beside the code).
PROFILES_DIR = Path(str(files("firmware_profiles")))


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    detector_model: str = Field("detector.onnx", description="file under models/")
    ocr_model: str = Field("ocr.onnx", description="file under models/")
    detector_input_width: int = Field(640, ge=160, le=1920, multiple_of=32)
    detector_extra_widths: list[Annotated[int, Field(ge=160, le=1920, multiple_of=32)]] = Field(
        default_factory=list,
        description="more input widths the detector also runs at, each adding its own time: a "
        "smaller one finds plates too large for the main width (the detector learnt plates up to "
        "200 px wide at its input), a larger one small, distant plates",
    )
    detector_second_look_width: int = Field(
        0,
        ge=0,
        le=1920,
        multiple_of=32,
        description="0: off. Otherwise the detector runs again on the surroundings of each detection "
        "whose reading is kept, enlarged to this width, and the plate it frames there competes with "
        "the first box (edge/plate_choice.py): a box round a plate's holder or recess, or round part "
        "of a plate, is framed again; one more small detector run per plate read",
    )
    detector_threshold: float = Field(0.3, gt=0, lt=1)
    read_min_confidence: float = Field(
        0.5,
        ge=0,
        lt=1,
        description="a plate read less confident than this (geometric mean over its characters) is "
        "dropped: grilles, stickers and signage read as text rarely reach it",
    )
    read_trims: list[Annotated[float, Field(gt=-0.2, lt=0.2)]] = Field(
        default_factory=list,
        description="each plate is also read from its quad narrowed (positive) or widened (negative) "
        "by these shares of its width at each side, and the most confident reading wins; every "
        "share adds one OCR run per layout",
    )
    threads: int = Field(1, ge=1, le=64)
    providers: list[str] = Field(default_factory=lambda: ["CPUExecutionProvider"])
    max_fps: float = Field(25, gt=0, le=120)
    plate_jpeg_quality: int = Field(70, ge=10, le=100)
    overview_jpeg_quality: int = Field(50, ge=10, le=100)
    overview_width: int = Field(640, ge=160, le=1920)


def load_profile(name_or_path: str) -> Profile:
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")))
        raise FileNotFoundError(f"no device profile {name_or_path!r}; known: {known}")
    data = yaml.safe_load(path.read_text()) or {}
    return Profile.model_validate(data)
