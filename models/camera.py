"""Camera realism: 3D pose of the plate, scale, lighting (day colour, night IR) and degradations."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np


def pose_homography(w: float, h: float, yaw: float, pitch: float, roll: float, focal: float) -> np.ndarray:
    """Homography taking a w×h plane (centred) to its image after rotation by yaw/pitch/roll (deg)."""
    y, p, r = (math.radians(a) for a in (yaw, pitch, roll))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    rot = rz @ ry @ rx
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    pts = np.c_[src - [w / 2, h / 2], np.zeros(4)] @ rot.T
    pts[:, 2] += focal
    dst = (pts[:, :2] * focal / pts[:, 2:3]).astype(np.float32)
    return cv2.getPerspectiveTransform(src, dst - dst.min(0))


def random_pose(rng: random.Random, wide: bool = True) -> tuple[float, float, float]:
    yaw_max = 45 if wide else 25
    return (
        rng.uniform(-yaw_max, yaw_max) * rng.random() ** 0.7,
        rng.uniform(-20, 20) * rng.random() ** 0.7,
        rng.uniform(-10, 10) * rng.random() ** 0.7,
    )


def background(rng: random.Random, h: int, w: int) -> np.ndarray:
    """Vehicle-like surroundings: paint colour, gradient, grille bars, noise."""
    base = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
    if rng.random() < 0.4:
        base = np.full(3, rng.randint(10, 80), np.float32)
    grad = np.linspace(rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.3), h, dtype=np.float32)[:, None, None]
    img = np.clip(base[None, None, :] * grad * np.ones((h, w, 1), np.float32), 0, 255)
    if rng.random() < 0.4:  # grille or bumper lines
        step = rng.randint(4, 14)
        shade = rng.uniform(0.3, 0.8)
        for yy in range(rng.randint(0, step), h, step):
            img[yy : yy + max(1, step // 3)] *= shade
    # float32 draws (here and in `degrade`): the noise was most of a training plate's cost, and
    # float64 bought it nothing. The seed is drawn before sigma, as it always was.
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    img += nrng.standard_normal(img.shape, np.float32) * rng.uniform(2, 10)
    return np.clip(img, 0, 255).astype(np.uint8)


def degrade(rng: random.Random, img: np.ndarray, plate_mask: np.ndarray | None = None) -> np.ndarray:
    """Lighting and sensor effects on an RGB uint8 image (returns RGB uint8)."""
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    out = img.astype(np.float32)
    night_ir = rng.random() < 0.35
    if night_ir:
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
        if plate_mask is not None:  # retro-reflective plate bright, surroundings dark
            dark = rng.uniform(0.1, 0.5)
            m = plate_mask.astype(np.float32)
            gray = gray * (dark + (1 - dark) * m) * rng.uniform(1.0, 1.3)
        out = np.repeat(gray[:, :, None], 3, axis=2)
    else:
        out *= rng.uniform(0.5, 1.3)
        out += rng.uniform(-30, 30)
    h, w = out.shape[:2]
    if rng.random() < 0.25:  # shadow across part of the plate
        x0 = rng.randint(0, w)
        out[:, x0:] *= rng.uniform(0.4, 0.8)
    if rng.random() < 0.2:  # glare
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.2, 0.8) * w
        yy, xx = np.mgrid[0:h, 0:w]
        out += rng.uniform(60, 200) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))[..., None]
    if rng.random() < 0.2:  # dirt
        for _ in range(rng.randint(1, 6)):
            cv2.circle(
                out,
                (rng.randint(0, w), rng.randint(0, h)),
                rng.randint(1, max(2, h // 12)),
                (rng.uniform(40, 110),) * 3,
                -1,
            )
    if rng.random() < 0.12:  # rain streaks
        for _ in range(rng.randint(5, 30)):
            x, y = rng.randint(0, w), rng.randint(0, h)
            cv2.line(out, (x, y), (x + rng.randint(-2, 2), y + rng.randint(3, 10)), (200,) * 3, 1)
    out = np.clip(out, 0, 255)
    if rng.random() < 0.35:  # motion blur
        k = rng.randint(2, 5)
        kernel = np.zeros((k, k), np.float32)
        if rng.random() < 0.5:
            kernel[k // 2, :] = 1
        else:
            kernel[:, k // 2] = 1
        out = cv2.filter2D(out, -1, kernel / k)
    if rng.random() < 0.35:  # defocus
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.2))
    sigma = rng.uniform(0, 14 if night_ir else 8)
    out = np.clip(out + nrng.standard_normal(out.shape, np.float32) * sigma, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:  # compression artefacts
        _ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(25, 90)])
        out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
        if out.ndim == 2:
            out = np.repeat(out[:, :, None], 3, axis=2)
    return out


def occlude(rng: random.Random, img: np.ndarray, quad: np.ndarray) -> None:
    """Tow bar across the bottom edge or a bike-rack bar: partial, never a whole character."""
    xs, ys = quad[:, 0], quad[:, 1]
    x1, x2, y1, y2 = int(xs.min()), int(xs.max()), int(ys.min()), int(ys.max())
    h = max(1, y2 - y1)
    if rng.random() < 0.5:
        cy = y2 - int(h * rng.uniform(0.0, 0.15))
        cv2.rectangle(img, (x1 - 5, cy), (x2 + 5, cy + max(1, int(h * 0.12))), (30, 30, 30), -1)
    else:
        cx = rng.randint(x1, max(x1 + 1, x2))
        cv2.rectangle(img, (cx, y1 - 5), (cx + max(1, (x2 - x1) // 60), y2 + 5), (40, 40, 40), -1)
