"""OCR training samples: a rendered plate, posed, degraded, then rectified by the edge's own code."""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

from edge.rectify import CHARACTER_BANDS, OCR_HEIGHT, OCR_WIDTH, band, rectify
from models.camera import background, degrade, occlude, pose_homography, random_pose
from models.fonts import FontSpec
from models.plate_render import random_spec, render

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # index 0 of the model output is the CTC blank
# Foreign cars pass UK cameras too; more than one sample in five is an EU- or US-style plate.
FOREIGN_SHARE = 0.22


# Plate width on the sensor in pixels, drawn log-uniformly: weighted towards the small end where
# reading is hard. Above 260 px a plate is only downscaled to the OCR's 128 px, so no wider is drawn.
WIDTHS = (38.0, 260.0)
BAND_HEIGHT = CHARACTER_BANDS[0][1] - CHARACTER_BANDS[0][0]


@dataclass(frozen=True)
class PosedPlate:
    """A plate as a camera saw it: the frame around it (BGR), the corners a detector would give
    (jittered), its number of lines and its text."""

    image: np.ndarray
    quad: np.ndarray
    lines: int
    label: str
    style: str


def posed_plate(
    rng: random.Random,
    fonts: tuple[FontSpec, ...],
    widths: tuple[float, float] = WIDTHS,
    foreign_share: float = FOREIGN_SHARE,
) -> PosedPlate:
    plate = render(random_spec(rng, fonts, foreign_share=foreign_share))
    target_px = math_exp_uniform(rng, *widths)
    # Work at no more than 2.5× the final size: the detail beyond it is thrown away anyway.
    pre = min(1.0, 2.5 * target_px / plate.image.shape[1])
    plate_img = cv2.resize(plate.image, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA)
    ph, pw = plate_img.shape[:2]
    margin = int(0.4 * ph) + 8
    canvas = background(rng, ph + 2 * margin, pw + 2 * margin)
    canvas[margin : margin + ph, margin : margin + pw] = plate_img
    mask = np.zeros(canvas.shape[:2], np.uint8)
    mask[margin : margin + ph, margin : margin + pw] = 1
    quad = np.array(
        [[margin, margin], [margin + pw, margin], [margin + pw, margin + ph], [margin, margin + ph]],
        np.float32,
    )

    ch, cw = canvas.shape[:2]
    hom = pose_homography(cw, ch, *random_pose(rng), focal=cw * rng.uniform(1.5, 4))
    target = target_px / pw
    scale = np.diag([target, target, 1.0]).astype(np.float32)
    hom = scale @ hom
    warped_corners = cv2.perspectiveTransform(
        np.array([[[0, 0], [cw, 0], [cw, ch], [0, ch]]], np.float32), hom
    )[0]
    out_w, out_h = (int(v) + 2 for v in warped_corners.max(0))
    img = cv2.warpPerspective(canvas, hom, (out_w, out_h), flags=cv2.INTER_AREA)
    pmask = cv2.warpPerspective(mask, hom, (out_w, out_h), flags=cv2.INTER_NEAREST)
    pquad = cv2.perspectiveTransform(quad[None], hom)[0]
    if rng.random() < 0.1:
        occlude(rng, img, pquad)
    img = degrade(rng, img, pmask)
    # The detector's corners are never exact: jitter them by a few percent of the plate height.
    qh = float(np.linalg.norm(pquad[3] - pquad[0]))
    noisy = pquad + np.array(
        [[rng.gauss(0, 0.06 * qh), rng.gauss(0, 0.06 * qh)] for _ in range(4)], np.float32
    )
    return PosedPlate(cv2.cvtColor(img, cv2.COLOR_RGB2BGR), noisy, plate.lines, plate.label, plate.style)


def ocr_sample(
    rng: random.Random,
    fonts: tuple[FontSpec, ...],
    widths: tuple[float, float] = WIDTHS,
    foreign_share: float = FOREIGN_SHARE,
    band_share: float = 0.0,
) -> tuple[np.ndarray, str]:
    """One rectified plate and its text; `band_share` of the US-style plates are cut to the band
    across their middle that holds the characters, as the edge also reads them
    (`edge.rectify.CHARACTER_BANDS`, as tall, its top a little more varied; our US plates keep
    their characters within 26-76 % of the height, so every band drawn here holds them whole)."""
    posed = posed_plate(rng, fonts, widths, foreign_share)
    quad = posed.quad
    if band_share and posed.style == "us" and rng.random() < band_share:
        top = rng.uniform(0.1, 0.2)
        quad = band(quad, top, top + BAND_HEIGHT)
    return rectify(posed.image, quad, posed.lines), posed.label


def math_exp_uniform(rng: random.Random, lo: float, hi: float) -> float:
    import math

    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def make_batch(
    seed: int,
    n: int,
    fonts: tuple[FontSpec, ...],
    widths: tuple[float, float] = WIDTHS,
    foreign_share: float = FOREIGN_SHARE,
    band_share: float = 0.0,
) -> tuple[np.ndarray, list[str]]:
    rng = random.Random(seed)
    xs = np.empty((n, OCR_HEIGHT, OCR_WIDTH), np.uint8)
    labels = []
    for i in range(n):
        xs[i], label = ocr_sample(rng, fonts, widths, foreign_share, band_share)
        labels.append(label)
    return xs, labels
