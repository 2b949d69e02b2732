"""The strongest open plate OCR, run beside ours in benchmarks only: fast-plate-ocr's
`cct-xs-v1-global` (MIT), from `../shared/peers/fast-plate-ocr/`. The product never ships, loads
or depends on it; without `../shared` the benchmarks skip it and say so.

How it reads (its published config): the crop resized to 128x64 RGB uint8, no aspect kept; nine
character slots over `0-9A-Z_` (`_` pads); text = argmax per slot without `_`.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks.baselines import BaselineFound, TextRead, crop_box
from edge.still_reader import StageTimes

PEER_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "peers" / "fast-plate-ocr"
PEER_MODEL = PEER_DIR / "cct_xs_v1_global.onnx"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
# Its best framing on real photos (its README: 84.7 % on the exact truth boxes, 93.2 % padded
# by 10 %): the peer is given its best, so a lead over it is not an artefact of cropping.
PEER_MARGIN = 0.10
NAME = "fast-plate-ocr cct-xs"


def missing() -> str | None:
    return None if PEER_MODEL.exists() else f"peer OCR not found at {PEER_MODEL} (../shared is absent)"


class PeerOcr:
    name = NAME

    def __init__(self, path: Path = PEER_MODEL, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name

    def read_crop(self, crop: np.ndarray) -> TextRead:
        if crop.size == 0:
            return TextRead("", 0.0)
        rgb = (
            cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
            if crop.ndim == 3
            else cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB)
        )
        x = cv2.resize(rgb, (128, 64), interpolation=cv2.INTER_LINEAR)[None].astype(np.uint8)
        probs = self.session.run(None, {self.input: x})[0][0]  # (9, 37)
        best = probs.argmax(-1)
        text = "".join(ALPHABET[i] for i in best if ALPHABET[i] != "_")
        return TextRead(text, float(probs.max(-1).mean()))


class PeerOnBoxes:
    """Another reader's detections (ours) read by the peer's OCR: what our boxes are worth with the
    strongest open OCR on them, and the peer's OCR alone on any box (`read_box`)."""

    def __init__(self, boxes_from, ocr: PeerOcr | None = None, margin: float = PEER_MARGIN) -> None:  # type: ignore[no-untyped-def]
        self.boxes_from = boxes_from
        self.ocr = ocr or PeerOcr()
        self.margin = margin

    def read(self, image: np.ndarray, times: StageTimes | None = None) -> list[BaselineFound]:
        inner = StageTimes()
        found = self.boxes_from.read(image, inner)
        t0 = time.perf_counter()
        out = [
            BaselineFound(f.detection, self.ocr.read_crop(crop_box(image, f.detection.box, self.margin)))
            for f in found
        ]
        if times is not None:
            times.detect_ms += inner.detect_ms
            times.ocr_ms += (time.perf_counter() - t0) * 1000
            times.ocr_plates += len(found)
        return [f for f in out if f.ocr.text]

    def read_box(self, image: np.ndarray, box: tuple[int, int, int, int]) -> str:
        return self.ocr.read_crop(crop_box(image, box, self.margin)).text
