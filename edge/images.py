"""JPEG evidence within the national limits: plate patch ≤ 3 KB, overview ≤ 25 KB."""

from __future__ import annotations

import cv2
import numpy as np

from anpr.protocol.messages import MAX_OVERVIEW_JPEG_BYTES, MAX_PLATE_JPEG_BYTES
from edge.rectify import order_corners

PATCH_MAX_W, PATCH_MAX_H = 120, 60


def _encode_within(image: np.ndarray, limit: int, quality: int) -> bytes:
    """Step the quality down, then the size, until the JPEG fits."""
    img = image
    while True:
        for q in range(quality, 9, -10):
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
            if ok and len(buf) <= limit:
                return buf.tobytes()
        if img.shape[1] < 32:
            raise ValueError("image cannot be encoded within the limit")
        img = cv2.resize(
            img, (img.shape[1] * 3 // 4, max(1, img.shape[0] * 3 // 4)), interpolation=cv2.INTER_AREA
        )


def plate_patch(image: np.ndarray, corners: np.ndarray, quality: int = 70) -> bytes:
    """The plate's bounding box with a small margin, at most 120×60 px and 3 KB."""
    quad = order_corners(corners)
    x1, y1 = np.floor(quad.min(0)).astype(int)
    x2, y2 = np.ceil(quad.max(0)).astype(int)
    mx, my = max(2, (x2 - x1) // 12), max(2, (y2 - y1) // 6)
    h, w = image.shape[:2]
    crop = image[max(0, y1 - my) : min(h, y2 + my), max(0, x1 - mx) : min(w, x2 + mx)]
    if crop.size == 0:
        crop = image[:2, :2]
    scale = min(1.0, PATCH_MAX_W / crop.shape[1], PATCH_MAX_H / crop.shape[0])
    if scale < 1:
        crop = cv2.resize(
            crop,
            (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
            interpolation=cv2.INTER_AREA,
        )
    return _encode_within(crop, MAX_PLATE_JPEG_BYTES, quality)


def overview(
    image: np.ndarray, width: int = 640, quality: int = 50, box: tuple[int, int, int, int] | None = None
) -> bytes:
    """The whole scene, scaled to `width`, with the plate outlined, at most 25 KB."""
    scale = min(1.0, width / image.shape[1])
    small = (
        cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if scale < 1
        else image.copy()
    )
    if box is not None:
        x1, y1, x2, y2 = (round(v * scale) for v in box)
        cv2.rectangle(small, (x1 - 2, y1 - 2), (x2 + 2, y2 + 2), (0, 0, 255), 2)
    return _encode_within(small, MAX_OVERVIEW_JPEG_BYTES, quality)
