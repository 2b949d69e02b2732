"""Rectify a detected plate quad into the OCR model's input.

The training code builds its samples with this same function, so what the
OCR model sees in training and at the edge cannot drift apart.
"""

from __future__ import annotations

import cv2
import numpy as np

OCR_HEIGHT = 32
OCR_WIDTH = 128
# Below this width/height ratio (after rectification) a plate has two lines:
# square 285×203 mm is 1.4, motorcycle 229×178 mm is 1.3, a 1-line plate 4.7.
TWO_LINE_MAX_ASPECT = 2.4
# A US-style 2:1 plate carries its characters in a band across the middle, between a state name
# and a slogan that the OCR may read as extra characters. That band alone, rectified as one line,
# is worth reading beside the whole plate; two bands 70 % of the height, a little above and a
# little below the middle, because the band's centre varies from state to state.
CHARACTER_BANDS = ((0.12, 0.82), (0.18, 0.88))


def box_corners(box: tuple[int, int, int, int]) -> np.ndarray:
    """The 4 corners (TL TR BR BL, float32) of an axis-aligned x1, y1, x2, y2 box."""
    x1, y1, x2, y2 = box
    return np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]], np.float32)


def order_corners(corners: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(corners, np.float32).reshape(4, 2)
    s = pts.sum(1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], np.float32)


def quad_size(corners: np.ndarray) -> tuple[float, float]:
    tl, tr, br, bl = order_corners(corners)
    w = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    return float(w), float(h)


def lines_of(corners: np.ndarray) -> int:
    w, h = quad_size(corners)
    return 2 if h > 0 and w / h < TWO_LINE_MAX_ASPECT else 1


def to_gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def rectify(image: np.ndarray, corners: np.ndarray, lines: int | None = None) -> np.ndarray:
    """OCR input (OCR_HEIGHT × OCR_WIDTH, uint8 gray); 2-line plates are laid out as one line."""
    gray = to_gray(image)
    quad = order_corners(corners)
    lines = lines or lines_of(quad)
    if lines == 1:
        dst = np.array([[0, 0], [OCR_WIDTH, 0], [OCR_WIDTH, OCR_HEIGHT], [0, OCR_HEIGHT]], np.float32)
        m = cv2.getPerspectiveTransform(quad, dst)
        return cv2.warpPerspective(
            gray, m, (OCR_WIDTH, OCR_HEIGHT), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
        )
    tall = OCR_HEIGHT * 2
    dst = np.array([[0, 0], [OCR_WIDTH, 0], [OCR_WIDTH, tall], [0, tall]], np.float32)
    m = cv2.getPerspectiveTransform(quad, dst)
    plate = cv2.warpPerspective(
        gray, m, (OCR_WIDTH, tall), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )
    joined = np.hstack([plate[:OCR_HEIGHT], plate[OCR_HEIGHT:]])
    return cv2.resize(joined, (OCR_WIDTH, OCR_HEIGHT), interpolation=cv2.INTER_AREA)


def band(corners: np.ndarray, top: float, bottom: float) -> np.ndarray:
    """The quad of a horizontal band of a plate, from `top` to `bottom` as shares of its height."""
    tl, tr, br, bl = order_corners(corners)
    return np.array(
        [tl + (bl - tl) * top, tr + (br - tr) * top, tr + (br - tr) * bottom, tl + (bl - tl) * bottom],
        np.float32,
    )


def trim(corners: np.ndarray, share: float) -> np.ndarray:
    """The quad narrowed by `share` of its width at each side (widened where `share` is negative)."""
    tl, tr, br, bl = order_corners(corners)
    return np.array(
        [tl + (tr - tl) * share, tr - (tr - tl) * share, br - (br - bl) * share, bl + (br - bl) * share],
        np.float32,
    )


def rectify_variants(
    image: np.ndarray, corners: np.ndarray, trims: tuple[float, ...] = ()
) -> list[np.ndarray]:
    """The OCR inputs worth trying for one plate: a long plate is one line; a squarish one may be
    a 2-line UK square or motorcycle plate, or a 1-line US-style plate (2:1) whose characters fill
    only a band across its middle, so each layout is tried and the OCR keeps the most confident.
    With `trims` each layout is also tried on the quad narrowed or widened by those shares: a
    detector's box that takes in the holder's edge, or cuts into the first character, reads
    better from one of them."""
    out: list[np.ndarray] = []
    for quad in [corners, *(trim(corners, share) for share in trims)]:
        if lines_of(quad) == 1:
            out.append(rectify(image, quad, 1))
            continue
        bands = [rectify(image, band(quad, top, bottom), 1) for top, bottom in CHARACTER_BANDS]
        out += [rectify(image, quad, 2), rectify(image, quad, 1), *bands]
    return out
