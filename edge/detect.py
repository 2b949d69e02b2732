"""Plate detection: letterbox a frame, run the detector, decode peaks into plate quads."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge.onnx_models import LoadedModel

STRIDE = 4
CORNER_SCALE = 64.0
# Boxes overlapping more than this are one plate.
SAME_PLATE_IOU = 0.3
# A second look takes in this share of the detection's width and height beyond each side of its box.
SECOND_LOOK_MARGIN = 0.5


@dataclass(frozen=True)
class Detection:
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in frame pixels
    corners: np.ndarray  # 4×2 float32, frame pixels, TL TR BR BL order as predicted
    score: float


def letterbox(frame: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """Grey image `width` wide (height padded to a multiple of 32) and the scale applied."""
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    scale = width / w
    nh = max(32, round(h * scale))
    resized = cv2.resize(gray, (width, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    ph = (nh + 31) // 32 * 32
    if ph != nh:
        resized = cv2.copyMakeBorder(resized, 0, ph - nh, 0, 0, cv2.BORDER_CONSTANT, value=0)
    return resized, scale


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class PlateDetector:
    def __init__(
        self,
        model: LoadedModel,
        input_width: int = 640,
        threshold: float = 0.3,
        max_plates: int = 16,
        extra_widths: tuple[int, ...] = (),
        second_look_width: int = 0,
    ) -> None:
        self.model = model
        self.input_width = input_width
        self.threshold = threshold
        self.max_plates = max_plates
        self.extra_widths = extra_widths
        self.second_look_width = second_look_width

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.input_width, *self.extra_widths)

    def __call__(self, frame: np.ndarray) -> list[Detection]:
        """Detections at every input width, main width first. One plate found at two widths gives two
        overlapping detections: `edge.plate_choice` keeps the one that reads best."""
        return [d for width in self.widths for d in self.run(frame, width)]

    def run(self, frame: np.ndarray, width: int) -> list[Detection]:
        """One detector run on the frame scaled to `width`."""
        image, scale = letterbox(frame, width)
        peaks, corners = self.model.session.run(None, {"image": image[None, None].astype(np.float32) / 255})
        return decode(peaks[0, 0], corners[0], scale, frame.shape[:2], self.threshold, self.max_plates)

    def second_look(self, frame: np.ndarray, found: Detection) -> list[Detection]:
        """The detector again on the detection's surroundings (its box grown by SECOND_LOOK_MARGIN of
        its size at each side), enlarged to `second_look_width` (0: no second look): a box round a
        plate's holder or the recess it sits in, or round part of a plate, is framed again. Only
        boxes that overlap the first as one plate are kept, so a second look competes with the first
        box (`edge.plate_choice.read_plates`) and never adds a plate of its own (a sticker or a word
        inside it)."""
        if not self.second_look_width:
            return []
        x1, y1, x2, y2 = found.box
        mx, my = SECOND_LOOK_MARGIN * (x2 - x1), SECOND_LOOK_MARGIN * (y2 - y1)
        fh, fw = frame.shape[:2]
        cx1, cy1 = max(0, int(x1 - mx)), max(0, int(y1 - my))
        cx2, cy2 = min(fw, int(x2 + mx) + 1), min(fh, int(y2 + my) + 1)
        moved = [
            Detection(
                (d.box[0] + cx1, d.box[1] + cy1, d.box[2] + cx1, d.box[3] + cy1),
                d.corners + np.array([cx1, cy1], np.float32),
                d.score,
            )
            for d in self.run(frame[cy1:cy2, cx1:cx2], self.second_look_width)
        ]
        return [d for d in moved if iou(d.box, found.box) > SAME_PLATE_IOU]


def decode(
    peaks: np.ndarray,
    corners: np.ndarray,
    scale: float,
    frame_hw: tuple[int, int],
    threshold: float,
    max_plates: int,
) -> list[Detection]:
    ys, xs = np.nonzero(peaks > threshold)
    order = np.argsort(-peaks[ys, xs])[: max_plates * 3]
    found: list[Detection] = []
    fh, fw = frame_hw
    for k in order:
        y, x = ys[k], xs[k]
        centre = np.array([(x + 0.5) * STRIDE, (y + 0.5) * STRIDE], np.float32)
        quad = (corners[:, y, x].reshape(4, 2) * CORNER_SCALE + centre) / scale
        quad[:, 0] = quad[:, 0].clip(0, fw - 1)
        quad[:, 1] = quad[:, 1].clip(0, fh - 1)
        box = (
            int(quad[:, 0].min()),
            int(quad[:, 1].min()),
            int(np.ceil(quad[:, 0].max())),
            int(np.ceil(quad[:, 1].max())),
        )
        if box[2] - box[0] < 4 or box[3] - box[1] < 2:
            continue
        if any(iou(box, d.box) > SAME_PLATE_IOU for d in found):
            continue
        found.append(Detection(box, quad.astype(np.float32), float(peaks[y, x])))
        if len(found) == max_plates:
            break
    return found
