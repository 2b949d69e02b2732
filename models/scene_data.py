"""Detector training scenes: plates on vehicle-like shapes at real scales, plus hard negatives.

Scenes are grey (the detector reads one channel: IR cameras give nothing else),
with each plate's four corners as ground truth.
"""

from __future__ import annotations

import random
import string

import cv2
import numpy as np

from models.camera import degrade, pose_homography, random_pose
from models.fonts import FontSpec
from models.plate_render import random_spec, render

SCENE = 320
# US plates (2:1) teach the corner head that not every plate is 4.7:1; the real photos we
# evaluate on are American, and the detector missed their colourful plates most.
FOREIGN_SHARE = 0.45
# Plate width at detector scale: 1080p plates of 40-400 px at 640 input are 13-133 px; up to 200
# so that a close, large plate (missed on real photos) is seen in training too.
PLATE_WIDTHS = (12.0, 200.0)


def _rand_colour(rng: random.Random) -> tuple[int, int, int]:
    return tuple(rng.randint(0, 255) for _ in range(3))  # type: ignore[return-value]


def _road(rng: random.Random, size: int) -> np.ndarray:
    img = np.empty((size, size, 3), np.uint8)
    horizon = rng.randint(0, size // 2)
    img[:horizon] = _rand_colour(rng)
    img[horizon:] = (rng.randint(40, 120),) * 3
    for _ in range(rng.randint(0, 6)):  # buildings, poles, hedges
        x, y = rng.randint(0, size), rng.randint(0, size)
        cv2.rectangle(img, (x, y), (x + rng.randint(5, 120), y + rng.randint(5, 120)), _rand_colour(rng), -1)
    for _ in range(rng.randint(0, 3)):  # lane markings
        x = rng.randint(0, size)
        cv2.line(img, (x, size), (x + rng.randint(-80, 80), horizon), (230, 230, 230), rng.randint(1, 4))
    if rng.random() < 0.5:  # foliage, gravel, brickwork: texture real backgrounds are full of
        nrng = np.random.default_rng(rng.randint(0, 2**31))
        tex = cv2.GaussianBlur(
            nrng.normal(0, 1, (size, size)).astype(np.float32), (0, 0), rng.uniform(0.5, 3)
        )
        tex = tex / max(1e-6, float(tex.std())) * rng.uniform(10, 45)
        region = np.zeros((size, size), np.float32)
        x, y = rng.randint(0, size), rng.randint(0, size)
        cv2.rectangle(region, (x, y), (x + rng.randint(40, size), y + rng.randint(40, size)), 1.0, -1)
        img = np.clip(img + (tex * region)[..., None], 0, 255).astype(np.uint8)
    return img


def _hard_negative(rng: random.Random, img: np.ndarray) -> None:
    """Text that is not a plate: road signs, van lettering, stickers."""
    size = img.shape[0]
    text = "".join(rng.choices(string.ascii_uppercase + string.digits + "  ", k=rng.randint(3, 12)))
    scale = rng.uniform(0.3, 1.2)
    x, y = rng.randint(0, size - 20), rng.randint(10, size)
    if rng.random() < 0.5:
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        cv2.rectangle(img, (x - 4, y - th - 4), (x + tw + 4, y + 6), _rand_colour(rng), -1)
    cv2.putText(
        img,
        text,
        (x, y),
        rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_TRIPLEX]),
        scale,
        _rand_colour(rng),
        2,
    )


def _vehicle(rng: random.Random, img: np.ndarray, cx: int, cy: int, w: int) -> tuple[int, int]:
    """Draw a vehicle front/back of width w centred on (cx, cy); returns the plate mount point."""
    h = int(w * rng.uniform(0.55, 0.9))
    x1, y1 = cx - w // 2, cy - h // 2
    body = _rand_colour(rng)
    cv2.rectangle(img, (x1, y1 + h // 3), (x1 + w, y1 + h), body, -1)
    cv2.rectangle(
        img, (x1 + w // 8, y1), (x1 + 7 * w // 8, y1 + h // 3), tuple(int(c * 0.6) for c in body), -1
    )
    cv2.rectangle(img, (x1 + w // 6, y1 + h // 20), (x1 + 5 * w // 6, y1 + h // 3 - 2), (40, 50, 60), -1)
    lamp = (250, 250, 220) if rng.random() < 0.5 else (200, 30, 30)
    for lx in (x1 + w // 10, x1 + 9 * w // 10):
        cv2.ellipse(img, (lx, y1 + h // 2), (max(2, w // 14), max(2, w // 24)), 0, 0, 360, lamp, -1)
    if rng.random() < 0.5:  # grille
        gy = y1 + h // 2
        for yy in range(gy - h // 10, gy + h // 10, max(2, h // 30)):
            cv2.line(img, (cx - w // 5, yy), (cx + w // 5, yy), (30, 30, 30), 1)
    return cx, y1 + int(h * rng.uniform(0.68, 0.85))


def _frame(rng: random.Random, plate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The plate in a dealer's or owner's holder a third of the time: a black, chrome or coloured
    surround, deeper at the bottom where the dealer's name is; (image, the plate's own corners
    in it). The detector must find the plate, not the holder."""
    h, w = plate.shape[:2]
    inner = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    if rng.random() > 0.33:
        return plate, inner
    side, top = int(w * rng.uniform(0.02, 0.07)), int(h * rng.uniform(0.04, 0.15))
    bottom = int(h * rng.uniform(0.08, 0.3))
    colour = rng.choice([(20, 20, 20), (190, 190, 195), (140, 20, 20), (20, 20, 120), _rand_colour(rng)])
    framed = np.empty((h + top + bottom, w + 2 * side, 3), np.uint8)
    framed[:] = colour
    framed[top : top + h, side : side + w] = plate
    if bottom >= 6 and rng.random() < 0.7:
        text = "".join(rng.choices(string.ascii_uppercase + "  ", k=rng.randint(6, 16)))
        scale = bottom / 40
        (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        ink = (230, 230, 230) if sum(colour) < 380 else (20, 20, 20)
        cv2.putText(
            framed,
            text,
            (max(0, (framed.shape[1] - tw) // 2), top + h + int(bottom * 0.75)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            ink,
            max(1, bottom // 12),
            cv2.LINE_AA,
        )
    return framed, inner + np.array([side, top], np.float32)


def scene(
    rng: random.Random, fonts: tuple[FontSpec, ...], size: int = SCENE
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(grey scene size×size uint8, list of 4×2 corner arrays in pixel coordinates)."""
    img = _road(rng, size)
    for _ in range(rng.randint(0, 3)):
        _hard_negative(rng, img)
    plates: list[np.ndarray] = []
    mask = np.zeros((size, size), np.uint8)
    mounts: list[tuple[int, int, int]] = []
    for _ in range(rng.choices([0, 1, 2, 3], [0.08, 0.55, 0.27, 0.1])[0]):
        pw = int(np.exp(rng.uniform(*np.log(PLATE_WIDTHS))))
        vw = int(pw * rng.uniform(3.2, 4.5))
        cx, cy = rng.randint(-vw // 4, size + vw // 4), rng.randint(0, size)
        mx, my = _vehicle(rng, img, cx, cy, vw)
        if rng.random() > 0.1:  # some vehicles show no plate
            mounts.append((mx, my, pw))
    # Plates go on after every vehicle is drawn so none is painted over.
    for mx, my, pw in mounts:
        plate = render(random_spec(rng, fonts, foreign_share=FOREIGN_SHARE)).image
        pre = min(1.0, 3 * pw / plate.shape[1])
        plate = cv2.resize(plate, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA)
        framed, inner = _frame(rng, plate)
        fh, fw = framed.shape[:2]
        hom = pose_homography(fw, fh, *random_pose(rng), focal=fw * rng.uniform(1.5, 4))
        posed = cv2.perspectiveTransform(inner[None], hom)[0]
        m_scale = pw / max(1.0, float(np.ptp(posed[:, 0])))
        shift = np.array([mx, my]) - posed.mean(0) * m_scale
        # Frame to scene: the pose, then scale and shift so the plate itself is pw wide at the mount.
        m = np.array([[m_scale, 0, shift[0]], [0, m_scale, shift[1]], [0, 0, 1]]) @ hom
        corners = cv2.perspectiveTransform(inner[None], m)[0].astype(np.float32)
        warped = cv2.warpPerspective(framed, m, (size, size), flags=cv2.INTER_AREA)
        pm = cv2.warpPerspective(np.ones((fh, fw), np.uint8), m, (size, size), flags=cv2.INTER_NEAREST)
        img[pm > 0] = warped[pm > 0]
        mask |= pm
        # Count a plate only if most of it (the holder aside) is inside the scene.
        inside = cv2.fillConvexPoly(np.zeros((size, size), np.uint8), corners.round().astype(np.int32), 1)
        if inside.sum() > 0.6 * cv2.contourArea(corners) and inside.sum() > 20:
            plates.append(corners)
    img = degrade(rng, img, mask)
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), plates


def make_scenes(seed: int, n: int, fonts: tuple[FontSpec, ...]) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    rng = random.Random(seed)
    xs = np.empty((n, SCENE, SCENE), np.uint8)
    ys = []
    for i in range(n):
        xs[i], plates = scene(rng, fonts)
        ys.append(plates)
    return xs, ys
