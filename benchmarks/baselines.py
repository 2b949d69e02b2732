"""The straightforward pipelines we compare ourselves with: OpenCV's Haar plate cascade as the
detector, and RapidOCR (PP-OCRv4 recogniser, ONNX, shipped in its wheel) or Debian's Tesseract
reading the cropped box. They return the same shape as `StillReader.read`, so one evaluation
scores all of them.

Installed by `make test` (apt `tesseract-ocr`; pip `rapidocr-onnxruntime`, the cascade file comes
with OpenCV 4). `available()` says which are missing and why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from edge.detect import Detection
from edge.rectify import box_corners
from edge.still_reader import StageTimes

CASCADE_NAME = "haarcascade_russian_plate_number.xml"
_KEEP = re.compile(r"[^A-Z0-9]")


@dataclass(frozen=True)
class TextRead:
    text: str
    confidence: float


@dataclass(frozen=True)
class BaselineFound:
    detection: Detection
    ocr: TextRead


class CropReader(Protocol):
    name: str

    def read_crop(self, crop: np.ndarray) -> TextRead: ...


def cascade_path() -> Path | None:
    """The cascade file OpenCV's wheel ships (4.x; 5.0 dropped cascades altogether)."""
    data = getattr(cv2, "data", None)
    path = Path(data.haarcascades) / CASCADE_NAME if data is not None else None
    return path if path is not None and path.exists() else None


def clean(text: str) -> str:
    return _KEEP.sub("", text.upper())


class CascadeDetector:
    """detectMultiScale with the settings most tutorials use, on the grey frame."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or cascade_path()
        if path is None:
            raise FileNotFoundError(f"{CASCADE_NAME} not found: OpenCV 4.x ships it (5.0 does not)")
        self.cascade = cv2.CascadeClassifier(str(path))
        if self.cascade.empty():
            raise RuntimeError(f"OpenCV could not load {path}")

    def __call__(self, image: np.ndarray) -> list[Detection]:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        boxes = self.cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(40, 12))
        out = []
        for x, y, w, h in boxes if len(boxes) else []:
            box = (int(x), int(y), int(x + w), int(y + h))
            out.append(Detection(box, box_corners(box), 1.0))
        return out


class RapidOcrReader:
    name = "RapidOCR"

    def __init__(self, threads: int | None = None) -> None:
        from rapidocr_onnxruntime import RapidOCR

        kw = {"intra_op_num_threads": threads, "inter_op_num_threads": 1} if threads else {}
        self.engine = RapidOCR(**kw)

    def read_crop(self, crop: np.ndarray) -> TextRead:
        img = crop if crop.ndim == 3 else cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
        result, _ = self.engine(img, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return TextRead("", 0.0)
        text, score = result[0]
        return TextRead(clean(text), float(score))


class TesseractReader:
    """One text line (--psm 7), plate characters only."""

    name = "Tesseract"

    def __init__(self) -> None:
        if shutil.which("tesseract") is None:
            raise FileNotFoundError("tesseract not found: install Debian's tesseract-ocr")

    def read_crop(self, crop: np.ndarray) -> TextRead:
        ok, png = cv2.imencode(".png", crop)
        if not ok:
            return TextRead("", 0.0)
        run = subprocess.run(
            [
                "tesseract", "stdin", "stdout", "--psm", "7", "-l", "eng",
                "-c", "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            ],
            input=png.tobytes(),
            capture_output=True,
            timeout=30,
            check=False,
        )  # fmt: skip
        return TextRead(clean(run.stdout.decode(errors="replace")), 0.0)


def crop_box(image: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.06) -> np.ndarray:
    x1, y1, x2, y2 = box
    mx, my = int((x2 - x1) * margin), int((y2 - y1) * margin)
    h, w = image.shape[:2]
    return image[max(0, y1 - my) : min(h, y2 + my), max(0, x1 - mx) : min(w, x2 + mx)]


class BaselineReader:
    """Cascade → crop → OCR: the reader interface `benchmarks.stills_accuracy.evaluate` scores."""

    def __init__(self, ocr: CropReader, detector: CascadeDetector | None = None) -> None:
        self.detector = detector or CascadeDetector()
        self.ocr = ocr
        self.name = f"cascade + {ocr.name}"

    def read(self, image: np.ndarray, times: StageTimes | None = None) -> list[BaselineFound]:
        t0 = time.perf_counter()
        dets = self.detector(image)
        t1 = time.perf_counter()
        found = [BaselineFound(d, self.ocr.read_crop(crop_box(image, d.box))) for d in dets]
        t2 = time.perf_counter()
        if times is not None:
            times.detect_ms += (t1 - t0) * 1000
            times.ocr_ms += (t2 - t1) * 1000
            times.ocr_plates += len(dets)
        return [f for f in found if f.ocr.text]

    def read_box(self, image: np.ndarray, box: tuple[int, int, int, int]) -> str:
        return self.ocr.read_crop(crop_box(image, box)).text


def _rapidocr_missing() -> str | None:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return "rapidocr-onnxruntime is not installed"
    return None


# Each baseline: how to make its OCR, and why it cannot run here (None when it can).
OCRS: dict[str, tuple[Callable[[], CropReader], Callable[[], str | None]]] = {
    "cascade + RapidOCR": (RapidOcrReader, _rapidocr_missing),
    "cascade + Tesseract": (
        TesseractReader,
        lambda: None if shutil.which("tesseract") else "tesseract not found",
    ),
}


def available() -> dict[str, str | None]:
    """Each baseline and why it cannot run here (None when it can)."""
    cascade = None if cascade_path() else f"{CASCADE_NAME} not found (OpenCV 5 dropped it)"
    return {name: cascade or missing() for name, (_, missing) in OCRS.items()}


def make(name: str) -> BaselineReader:
    return BaselineReader(OCRS[name][0]())
