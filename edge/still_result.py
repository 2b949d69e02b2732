"""The JSON shape of `anpr read --json`: one object per image."""

from __future__ import annotations

from pathlib import Path

import cv2
from pydantic import BaseModel

from edge.still_reader import StillReader


class CandidateOut(BaseModel):
    vrm: str
    confidence: float
    format: str
    penalty: int


class PlateOut(BaseModel):
    text: str
    raw_text: str
    confidence: float
    char_confidences: list[float]
    detector_confidence: float
    box: list[int]
    corners: list[list[float]]
    format: str
    candidates: list[CandidateOut]


class ImageResult(BaseModel):
    image: str
    plates: list[PlateOut]
    error: str | None = None


def read_file(reader: StillReader, path: Path) -> ImageResult:
    if not path.exists():
        return ImageResult(image=str(path), plates=[], error="file not found")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        return ImageResult(
            image=str(path), plates=[], error="not a readable image (unknown format or corrupt)"
        )
    plates = []
    for found in reader.read(image):
        o, d = found.ocr, found.detection
        plates.append(
            PlateOut(
                text=o.text,
                raw_text=o.raw.text,
                confidence=round(o.confidence, 4),
                char_confidences=[round(c, 4) for c in o.char_confidences],
                detector_confidence=round(d.score, 4),
                box=list(d.box),
                corners=[[round(float(x), 1), round(float(y), 1)] for x, y in d.corners],
                format=o.format.value,
                candidates=[
                    CandidateOut(
                        vrm=c.vrm, confidence=round(c.confidence, 4), format=c.format.value, penalty=c.penalty
                    )
                    for c in o.candidates
                ],
            )
        )
    return ImageResult(image=str(path), plates=plates)
