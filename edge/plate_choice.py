"""One reading per plate: where detections overlap (one plate found at two detector widths, or a
plate and its holder), the most confident reading stands for the plate.

The detector's own score cannot choose between widths (a width's scores are not calibrated against
another's); the OCR's confidence can, and it prefers the box that frames the characters best.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from edge.detect import SAME_PLATE_IOU, Detection, iou
from edge.ocr import OcrResult, PlateReader

Pair = TypeVar("Pair", bound=tuple[Detection, OcrResult])


def one_reading_per_plate(pairs: Sequence[Pair], same_plate_iou: float = SAME_PLATE_IOU) -> list[Pair]:
    """The pairs kept, in their given order; of overlapping ones the most confident reading."""
    by_confidence = sorted(range(len(pairs)), key=lambda i: -pairs[i][1].confidence)
    kept: list[int] = []
    for i in by_confidence:
        if all(iou(pairs[i][0].box, pairs[k][0].box) <= same_plate_iou for k in kept):
            kept.append(i)
    return [pairs[i] for i in sorted(kept)]


def read_plates(
    reader: PlateReader, image: np.ndarray, detections: list[Detection]
) -> list[tuple[Detection, OcrResult]]:
    """Read every detection in one batch; the readings that are plate reads, one per plate."""
    results = reader.read_quads(image, [d.corners for d in detections])
    return one_reading_per_plate(
        [(d, r) for d, r in zip(detections, results, strict=True) if reader.accepts(r)]
    )
