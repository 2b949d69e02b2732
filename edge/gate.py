"""Motion and region gating: an empty road costs one small frame difference, not a detector run."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

GATE_WIDTH = 160


@dataclass
class MotionGate:
    roi: list[tuple[float, float]] | None = None
    min_changed_fraction: float = 0.002
    pixel_threshold: int = 18
    # Run the detector at least this often (s) so a vehicle stopped in a queue stays tracked.
    heartbeat_s: float = 1.0

    def __post_init__(self) -> None:
        self._prev: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._scale = 1.0
        self._last_open = -1e9

    def _small(self, frame: np.ndarray) -> np.ndarray:
        gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        self._scale = GATE_WIDTH / gray.shape[1]
        small = cv2.resize(
            gray, (GATE_WIDTH, max(1, round(gray.shape[0] * self._scale))), interpolation=cv2.INTER_AREA
        )
        return cv2.GaussianBlur(small, (5, 5), 0)

    def _roi_mask(self, shape: tuple[int, int]) -> np.ndarray:
        if self._mask is None or self._mask.shape != shape:
            mask = np.zeros(shape, np.uint8)
            if self.roi:
                pts = (np.array(self.roi, np.float32) * self._scale).astype(np.int32)
                cv2.fillPoly(mask, [pts], 1)
            else:
                mask[:] = 1
            self._mask = mask
        return self._mask

    def should_detect(self, frame: np.ndarray, t: float, tracking: bool) -> bool:
        small = self._small(frame)
        prev, self._prev = self._prev, small
        if prev is None or prev.shape != small.shape or tracking:
            self._last_open = t
            return True
        mask = self._roi_mask(small.shape)
        changed = (cv2.absdiff(small, prev) > self.pixel_threshold) & (mask > 0)
        fraction = float(changed.sum()) / max(1, int(mask.sum()))
        if fraction >= self.min_changed_fraction or t - self._last_open >= self.heartbeat_s:
            self._last_open = t
            return True
        return False

    def inside(self, x: float, y: float) -> bool:
        if not self.roi:
            return True
        poly = np.array(self.roi, np.float32)
        return cv2.pointPolygonTest(poly, (float(x), float(y)), False) >= 0
