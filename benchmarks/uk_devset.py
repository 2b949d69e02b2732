"""The UK real-scene dev set: UK plates in typefaces no model was trained on, pasted into real
road photos, built by code from a seed (never committed as images).

Each photo of `../shared/data/openalpr_us` keeps its scene; its plate is covered by a rendered
UK plate of a random current or older format (front white or rear yellow, bands, dealer text,
1- and 2-line) in one of `models.fonts.DEVSET_FONTS`, at the same centre and width, with the UK
plate's own aspect, a small perspective, the scene's light, and blur, noise and JPEG matched to
its size. A second copy of every photo has a night/IR look (grey, dark scene, bright
retroreflective plate, sensor noise). The output is in the openalpr layout, so
`anpr bench accuracy --dataset DIR` reads it like any dataset.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from benchmarks.datasets import Still, load_openalpr
from models.fonts import DEVSET_FONTS, FontSpec, available
from models.plate_render import random_spec, render

LOOKS = ("day", "night")


@dataclass(frozen=True)
class DevPlate:
    image: str
    look: str
    font: str
    text: str
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in the written image


US_PLATE_MM = 305  # a US plate's width: the truth boxes are US plates


def _placed_corners(
    rng: random.Random, truth: tuple[int, int, int, int], plate_shape: tuple[int, ...], shape: tuple[int, int]
) -> np.ndarray:
    """Where the UK plate goes: centred on the US plate it replaces, at the size a UK plate has at
    that distance (renders are 1 px per mm: a 520 mm plate is 1.7 times a 305 mm US one), each
    corner moved by up to 3 % of the width (a camera not square on)."""
    x1, y1, x2, y2 = truth
    ph, pw = plate_shape[:2]
    w = min((x2 - x1) * pw / US_PLATE_MM, shape[1] - 2)
    h = w * ph / pw
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    cx = min(max(cx, w / 2 + 1), shape[1] - w / 2 - 1)
    quad = np.array(
        [
            [cx - w / 2, cy - h / 2],
            [cx + w / 2, cy - h / 2],
            [cx + w / 2, cy + h / 2],
            [cx - w / 2, cy + h / 2],
        ],
        np.float32,
    )
    quad += np.array(
        [[rng.uniform(-0.03, 0.03) * w, rng.uniform(-0.03, 0.03) * w] for _ in range(4)], np.float32
    )
    height, width = shape
    quad[:, 0] = quad[:, 0].clip(0, width - 1)
    quad[:, 1] = quad[:, 1].clip(0, height - 1)
    return quad


def erase(scene: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The US plate painted out (its text must not show round a smaller UK plate)."""
    x1, y1, x2, y2 = box
    mx, my = max(2, (x2 - x1) // 25), max(2, (y2 - y1) // 25)
    mask = np.zeros(scene.shape[:2], np.uint8)
    mask[max(0, y1 - my) : y2 + my, max(0, x1 - mx) : x2 + mx] = 255
    return cv2.inpaint(scene, mask, 5, cv2.INPAINT_TELEA)


def paste(rng: random.Random, scene: np.ndarray, plate_rgb: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The plate warped onto the scene at `quad`, lit like the place it covers, softened and
    noised as a plate of that size is in a photo."""
    ph, pw = plate_rgb.shape[:2]
    plate = cv2.cvtColor(plate_rgb, cv2.COLOR_RGB2BGR).astype(np.float32)
    x1, y1 = np.floor(quad.min(0)).astype(int)
    x2, y2 = np.ceil(quad.max(0)).astype(int)
    region = scene[max(0, y1) : y2 + 1, max(0, x1) : x2 + 1]
    if region.size:
        # The scene's light on the plate: a plate in shade is darker, never brighter than lit.
        light = float(np.clip(region.mean() / 150.0, 0.45, 1.05))
        plate *= light
    # Shrinking to the target size with area averaging first (as a lens and sensor do), then the
    # perspective: a 500 px render warped straight down to 60 px would alias.
    target_w = max(8, int(np.linalg.norm(quad[1] - quad[0])))
    scale = target_w / pw
    small = cv2.resize(plate, (target_w, max(4, int(ph * scale))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(small, m, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((sh, sw), np.float32), m, size, flags=cv2.INTER_LINEAR)[..., None]
    out = scene.astype(np.float32) * (1 - mask) + warped * mask
    sigma = rng.uniform(0.0, 0.9) * max(0.5, target_w / 150)
    if sigma > 0.3:
        blurred = cv2.GaussianBlur(out, (0, 0), sigma)
        out = out * (1 - mask) + blurred * mask
    out += (
        rng.uniform(1.5, 5.0) * np.random.default_rng(rng.randrange(2**32)).standard_normal(out.shape) * mask
    )
    return out.clip(0, 255).astype(np.uint8)


def night(rng: random.Random, image: np.ndarray, quads: list[np.ndarray]) -> np.ndarray:
    """An IR camera at night: grey, the scene dark, the retroreflective plate bright, noise."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    dark = grey * rng.uniform(0.18, 0.35)
    mask = np.zeros(grey.shape, np.float32)
    for q in quads:
        cv2.fillConvexPoly(mask, q.astype(np.int32), 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), 2)
    lit = np.clip(grey * rng.uniform(1.0, 1.25) + 20, 0, 255)
    out = dark * (1 - mask) + lit * mask
    out += rng.uniform(3, 9) * np.random.default_rng(rng.randrange(2**32)).standard_normal(out.shape)
    return cv2.cvtColor(out.clip(0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def build(
    photos: Path,
    out: Path,
    seed: int = 2026,
    fonts: tuple[FontSpec, ...] = DEVSET_FONTS,
    looks: tuple[str, ...] = LOOKS,
    limit: int = 0,
) -> list[DevPlate]:
    """Write the dev set into `out` (openalpr layout) and return what was placed where."""
    fonts = available(fonts)
    stills: list[Still] = load_openalpr(photos)[: limit or None]
    if not stills:
        raise FileNotFoundError(f"no photos with truth in {photos}")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    placed: list[DevPlate] = []
    for i, still in enumerate(stills):
        scene = cv2.imread(str(still.image))
        if scene is None:
            continue
        font = fonts[i % len(fonts)]  # every face an equal share
        image, quads, rows = scene, [], []
        for truth in still.plates:
            spec = random_spec(rng, (font,), foreign_share=0.0)
            plate = render(spec).image
            image = erase(image, truth.box)
            quad = _placed_corners(rng, truth.box, plate.shape, scene.shape[:2])
            image = paste(rng, image, plate, quad)
            quads.append(quad)
            x1, y1 = quad.min(0)
            x2, y2 = quad.max(0)
            rows.append((int(x1), int(y1), int(np.ceil(x2)), int(np.ceil(y2)), spec.label))
        for look in looks:
            shot = image if look == "day" else night(rng, image, quads)
            name = f"{still.image.stem}-{look}"
            quality = rng.randint(70, 92)
            cv2.imwrite(str(out / f"{name}.jpg"), shot, [cv2.IMWRITE_JPEG_QUALITY, quality])
            (out / f"{name}.txt").write_text(
                "".join(f"{name}.jpg\t{x1}\t{y1}\t{x2 - x1}\t{y2 - y1}\t{t}\n" for x1, y1, x2, y2, t in rows)
            )
            placed += [DevPlate(name, look, font.name, t, (x1, y1, x2, y2)) for x1, y1, x2, y2, t in rows]
    return placed
