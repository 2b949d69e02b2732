"""One reading per plate: where detections overlap (one plate found at two detector widths, or a
plate and its holder, or framed again by a second look), the most confident reading stands for the
plate.

The detector's own score cannot choose the reading between widths (a width's scores are not
calibrated against another's); the OCR's confidence can, and it prefers the box that frames the
characters best. Between boxes that read the same text the detector's score is the better guide to
which frames the whole plate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from edge.detect import SAME_PLATE_IOU, Detection, iou
from edge.ocr import OcrResult, PlateReader

Pair = TypeVar("Pair", bound=tuple[Detection, OcrResult])
LookAgain = Callable[[np.ndarray, Detection], list[Detection]]


def one_reading_per_plate(pairs: Sequence[Pair], same_plate_iou: float = SAME_PLATE_IOU) -> list[Pair]:
    """The pairs kept, in their given order. Of overlapping ones the most confident reading stands;
    where several of them read that same text, the detection the detector scored highest gives the
    box: a box cut short can read the text as confidently as the whole plate, but the detector
    scores it lower."""
    by_confidence = sorted(range(len(pairs)), key=lambda i: -pairs[i][1].confidence)
    kept: list[int] = []
    for i in by_confidence:
        if all(iou(pairs[i][0].box, pairs[k][0].box) <= same_plate_iou for k in kept):
            kept.append(i)
    chosen: set[int] = set()
    for k in kept:
        alike = [
            j
            for j, (det, reading) in enumerate(pairs)
            if reading.text == pairs[k][1].text and iou(det.box, pairs[k][0].box) > same_plate_iou
        ]
        chosen.add(max(alike, key=lambda j: (pairs[j][0].score, pairs[j][1].confidence)))
    return [pairs[i] for i in sorted(chosen)]


def read_plates(
    reader: PlateReader, image: np.ndarray, detections: list[Detection], look_again: LookAgain | None = None
) -> list[tuple[Detection, OcrResult]]:
    """Read every detection in one batch; the readings that are plate reads, one per plate.

    `look_again` (`PlateDetector.second_look`) frames the box of each reading kept anew; what it
    frames is read too and competes with the first. It looks only where the first reading was kept:
    on the openalpr_us photos, second looks standing in for dropped readings added 15 false
    detections (signs, grilles and stickers framed anew) for two more plates found, both misread."""
    pairs = plate_reads(reader, image, detections)
    if look_again is not None:
        pairs += plate_reads(reader, image, [again for det, _ in pairs for again in look_again(image, det)])
    return one_reading_per_plate(pairs)


def plate_reads(
    reader: PlateReader, image: np.ndarray, detections: list[Detection]
) -> list[tuple[Detection, OcrResult]]:
    results = reader.read_quads(image, [d.corners for d in detections])
    return [(d, r) for d, r in zip(detections, results, strict=True) if reader.accepts(r)]
