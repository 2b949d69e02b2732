"""Detection recall and end-to-end read accuracy on still photos (`anpr bench accuracy`)."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from benchmarks.datasets import Still, fold
from edge.detect import Detection, iou
from edge.still_reader import StageTimes
from edge.track import similarity


class _Text(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def confidence(self) -> float: ...


class _Found(Protocol):
    @property
    def detection(self) -> Detection: ...
    @property
    def ocr(self) -> _Text: ...


class Reader(Protocol):
    """Ours (`edge.still_reader.StillReader`) or a baseline (`benchmarks.baselines`)."""

    def read(self, image: np.ndarray, times: StageTimes | None = None) -> Sequence[_Found]: ...

    def read_box(self, image: np.ndarray, box: tuple[int, int, int, int]) -> str: ...


@dataclass(frozen=True)
class PlateOutcome:
    """One truth plate: what the reader made of it, for finding out what went wrong where."""

    image: str
    truth: str
    read: str | None  # None: no detection overlapped it at IoU ≥ 0.5
    iou: float  # the best overlap of a detection not already matched to another plate
    read_on_truth_box: str  # the OCR alone, given the truth box
    read_on_padded_box: str = ""  # the OCR alone, given the truth box padded by 10 % of its size
    width_covered: float = 0.0  # share of the plate's width inside the matched detection's box
    confidence: float = 0.0  # the read's confidence, as the reader states it

    @property
    def outcome(self) -> str:
        if self.read is None:
            return "missed"
        return "right" if fold(self.read) == fold(self.truth) else "misread"


@dataclass
class StillsReport:
    images: int = 0
    false_detections: int = 0
    unreadable: int = 0
    ms: dict[str, list[float]] = field(default_factory=lambda: {"detect": [], "ocr": []})
    outcomes: list[PlateOutcome] = field(default_factory=list)  # every figure on plates counts these

    def figures(self) -> dict[str, float]:
        plates = len(self.outcomes)
        n = max(1, plates)
        read = [o for o in self.outcomes if o.read is not None]
        right = sum(o.outcome == "right" for o in read)
        return {
            "images": self.images,
            "plates": plates,
            "detection_recall": len(read) / n,
            "end_to_end_exact_strict": sum(o.read == o.truth for o in read) / n,
            "end_to_end_exact_folded": right / n,
            "read_accuracy_folded_of_detected": right / max(1, len(read)),
            "ocr_on_truth_box_folded": sum(fold(o.read_on_truth_box) == fold(o.truth) for o in self.outcomes)
            / n,
            "ocr_on_padded_truth_box_folded": sum(
                fold(o.read_on_padded_box) == fold(o.truth) for o in self.outcomes
            )
            / n,
            "boxes_iou_0.7": sum(o.iou >= 0.7 for o in read) / n,
            "boxes_cover_95pct_width": sum(o.width_covered >= 0.95 for o in read) / n,
            # Of the reads stated at 0.9 or more, the share that is wrong (exact, not folded): an
            # alert and a hotlist hit lean on confidence meaning something.
            "wrong_of_confident_0.9": sum(o.read != o.truth for o in read if o.confidence >= 0.9)
            / max(1, sum(o.confidence >= 0.9 for o in read)),
            "confident_0.9_share": sum(o.confidence >= 0.9 for o in read) / n,
            "char_accuracy": sum(similarity(fold(o.read or ""), fold(o.truth)) for o in read) / n,
            "false_detections_per_image": self.false_detections / max(1, self.images),
            "detect_ms_median": statistics.median(self.ms["detect"]) if self.ms["detect"] else 0.0,
            "ocr_ms_per_plate_median": statistics.median(self.ms["ocr"]) if self.ms["ocr"] else 0.0,
        }


def width_covered(truth: tuple[int, int, int, int], box: tuple[int, int, int, int]) -> float:
    """How much of the plate's width a box spans: a box cut short loses the end characters."""
    inside = min(truth[2], box[2]) - max(truth[0], box[0])
    return max(0.0, inside) / max(1, truth[2] - truth[0])


def pad(box: tuple[int, int, int, int], share: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A box grown by `share` of its width and height on every side, kept inside the image: how
    a detector's looser box frames a plate."""
    x1, y1, x2, y2 = box
    mx, my = int((x2 - x1) * share), int((y2 - y1) * share)
    return max(0, x1 - mx), max(0, y1 - my), min(shape[1], x2 + mx), min(shape[0], y2 + my)


def evaluate(reader: Reader, stills: list[Still], progress=None) -> StillsReport:  # type: ignore[no-untyped-def]
    rep = StillsReport()
    for still in stills:
        image = cv2.imread(str(still.image))
        if progress:
            progress()
        if image is None:
            rep.unreadable += 1
            continue
        rep.images += 1
        times = StageTimes()
        found = reader.read(image, times)
        rep.ms["detect"].append(times.detect_ms)
        if times.ocr_plates:
            rep.ms["ocr"].append(times.ocr_ms / times.ocr_plates)
        used: set[int] = set()
        for truth in still.plates:
            best, best_iou = None, 0.0
            for i, f in enumerate(found):
                ov = iou(truth.box, f.detection.box)
                if ov > best_iou and i not in used:
                    best, best_iou = i, ov
            text, covered, conf = None, 0.0, 0.0
            if best is not None and best_iou >= 0.5:
                used.add(best)
                text, conf = found[best].ocr.text, float(found[best].ocr.confidence)
                covered = width_covered(truth.box, found[best].detection.box)
            on_truth_box = reader.read_box(image, truth.box)
            on_padded = reader.read_box(image, pad(truth.box, 0.10, image.shape))
            rep.outcomes.append(
                PlateOutcome(
                    str(still.image),
                    truth.text,
                    text,
                    round(best_iou, 3),
                    on_truth_box,
                    on_padded,
                    round(covered, 3),
                    round(conf, 4),
                )
            )
        rep.false_detections += len(found) - len(used)
    return rep


def save(report: StillsReport, path: Path, meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "meta": meta,
                "figures": report.figures(),
                "plates": [{**asdict(o), "outcome": o.outcome} for o in report.outcomes],
            },
            indent=2,
        )
        + "\n"
    )
