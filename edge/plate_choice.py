"""One reading per plate: where detections overlap (one plate found at two detector widths, or a
plate and its holder, or framed again by a second look), the most confident reading stands for the
plate, or a fuller one almost as confident where a box cut short lost a character at an end.

The detector's own score cannot choose the reading between widths (a width's scores are not
calibrated against another's); the OCR model's own confidence can (not the stated one, which the
UK prior scales down for a read that is no UK mark: choosing by it lost 4.5 points of the US
photos end to end and gained one of 444 UK plates), and it prefers the box that frames the
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
# How much less confident a fuller reading of one plate may be and still stand (`fullest_reading`).
# On the openalpr_us photos every margin from 0.005 to 0.03 found the same plates (98.2 %) and read
# 75.2-75.7 % of them right; 0.05 began to prefer readings that took a mark beside the plate for
# one more character (PVLX039 for VLX039, T59CADID for 59CADI).
FULLER_MARGIN = 0.02


def one_reading_per_plate(pairs: Sequence[Pair], same_plate_iou: float = SAME_PLATE_IOU) -> list[Pair]:
    """The pairs kept, in their given order. Of overlapping ones the most confident reading stands,
    unless one of them reads it with more characters at either end and almost as confidently (the
    whole plate, see `fullest_reading`); where several of them read the text chosen, the detection
    the detector scored highest gives the box: a box cut short can read the text as confidently as
    the whole plate, but the detector scores it lower."""
    left = sorted(range(len(pairs)), key=lambda i: -pairs[i][1].model_confidence)
    kept: list[int] = []
    while left:
        plate = [
            j for j in left if j == left[0] or iou(pairs[j][0].box, pairs[left[0]][0].box) > same_plate_iou
        ]
        chosen = fullest_reading([pairs[j][1] for j in plate])
        kept.append(plate[chosen])
        left = [
            j
            for j in left
            if j not in plate and iou(pairs[j][0].box, pairs[plate[chosen]][0].box) <= same_plate_iou
        ]
    boxes: set[int] = set()
    for k in kept:
        alike = [
            j
            for j, (det, reading) in enumerate(pairs)
            if reading.text == pairs[k][1].text and iou(det.box, pairs[k][0].box) > same_plate_iou
        ]
        boxes.add(max(alike, key=lambda j: (pairs[j][0].score, pairs[j][1].model_confidence)))
    return [pairs[i] for i in sorted(boxes)]


def fullest_reading(readings: Sequence[OcrResult], margin: float = FULLER_MARGIN) -> int:
    """Index of the reading that stands for one plate; `readings[0]` is the most confident.

    A box cut short drops the character it cuts into and reads the rest a shade more confidently
    than the whole plate is read (OKTY1 at 0.999 where the whole box reads HLOKTY1 at 0.992), so
    a reading that holds the best one whole with more characters at its ends, within `margin` of
    its confidence, stands instead. Only added ends count: a reading with a character inserted
    inside is a misreading, not more of the plate."""
    best = 0
    while True:
        fuller = [
            j
            for j, r in enumerate(readings)
            if readings[best].text in r.text
            and len(r.text) > len(readings[best].text)
            and r.model_confidence >= readings[0].model_confidence - margin
        ]
        if not fuller:
            return best
        best = max(fuller, key=lambda j: readings[j].model_confidence)


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
