"""A condensed plate face drawn in code after the US "license plate gothic" shapes.

None of the packaged faces we may ship draws the shapes that real American plates misread on:
the 4 open at the top (two uprights and a bar; in the light face the Californian 4, a stroke
slanting down to a bar low on the glyph and a short right upright from half way down, so it is an
L with a tick through its foot), a 7 that is a bar and one straight diagonal, a 2 with a straight
diagonal into a flat foot (so 2 and Z differ only at the top), a narrow stadium-shaped 0, an M
whose middle stops half way (and in the light face the Californian W, an upturned M), and serifed
I beside a flagged 1. Each character is a few strokes on a 60×100 grid (y down); strokes are
drawn with round caps, so joins come out rounded like stamped plates.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

Point = tuple[float, float]
PREFIX = "drawn:"
# Face name → stroke width as a share of character height (stamped US plates run 12–18 %).
FACES = {"us-gothic": 0.16, "us-gothic-light": 0.12}


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 14) -> list[Point]:
    """Points along an ellipse from angle a0 to a1 in degrees (0 = right, 90 = down)."""
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in np.linspace(a0, a1, n)
    ]


def _stadium(ry: float) -> list[Point]:
    return _arc(30, ry, 30, ry, 180, 360) + _arc(30, 100 - ry, 30, ry, 0, 180) + [(0, ry)]


STROKES: dict[str, list[list[Point]]] = {
    "0": [_stadium(24)],
    "1": [[(10, 20), (34, 0), (34, 100)]],
    "2": [[*_arc(30, 26, 30, 26, 195, 385), (0, 100), (62, 100)]],
    "3": [_arc(30, 25, 27, 25, 205, 450), _arc(30, 74, 30, 26, 270, 525)],
    "4": [[(4, 0), (0, 64), (62, 64)], [(46, 0), (46, 100)]],
    "5": [[(56, 0), (4, 0), (2, 44)], _arc(30, 69, 30, 31, 222, 520)],
    "6": [_arc(30, 70, 30, 30, 0, 360, 24), [(0, 70), (0, 32), *_arc(30, 32, 30, 32, 180, 322)]],
    "7": [[(0, 0), (60, 0), (20, 100)]],
    "8": [_arc(30, 24, 26, 24, 0, 360, 24), _arc(30, 73, 30, 27, 0, 360, 24)],
    "9": [_arc(30, 30, 30, 30, 0, 360, 24), [(60, 30), (60, 68), *_arc(30, 68, 30, 32, 0, 142)]],
    "A": [[(0, 100), (24, 0), (36, 0), (60, 100)], [(10, 66), (50, 66)]],
    "B": [
        [(0, 48), (0, 0), (28, 0), *_arc(28, 24, 26, 24, -90, 90), (0, 48), (32, 48)],
        [*_arc(32, 74, 28, 26, -90, 90), (0, 100), (0, 48)],
    ],
    "C": [[*_arc(30, 30, 30, 30, 330, 180), (0, 70), *_arc(30, 70, 30, 30, 180, 30)]],
    "D": [[(0, 0), (28, 0), *_arc(28, 30, 32, 30, -90, 0), *_arc(28, 70, 32, 30, 0, 90), (0, 100), (0, 0)]],
    "E": [[(60, 0), (0, 0), (0, 100), (60, 100)], [(0, 48), (46, 48)]],
    "F": [[(60, 0), (0, 0), (0, 100)], [(0, 48), (46, 48)]],
    "G": [[*_arc(30, 30, 30, 30, 330, 180), (0, 70), *_arc(30, 70, 30, 30, 180, 0), (60, 54), (34, 54)]],
    "H": [[(0, 0), (0, 100)], [(60, 0), (60, 100)], [(0, 48), (60, 48)]],
    "I": [[(30, 0), (30, 100)], [(12, 0), (48, 0)], [(12, 100), (48, 100)]],
    "J": [[(60, 0), (60, 70), *_arc(30, 70, 30, 30, 0, 180), (0, 64)]],
    "K": [[(0, 0), (0, 100)], [(60, 0), (0, 62)], [(20, 42), (60, 100)]],
    "L": [[(0, 0), (0, 100), (58, 100)]],
    "M": [[(0, 100), (0, 0), (30, 62), (60, 0), (60, 100)]],
    "N": [[(0, 100), (0, 0), (60, 100), (60, 0)]],
    "O": [_stadium(36)],
    "P": [[(0, 100), (0, 0), (32, 0), *_arc(32, 26, 28, 26, -90, 90), (0, 52)]],
    "Q": [_stadium(36), [(38, 78), (62, 104)]],
    "R": [[(0, 100), (0, 0), (32, 0), *_arc(32, 26, 28, 26, -90, 90), (0, 52)], [(30, 52), (60, 100)]],
    "S": [_arc(30, 26, 28, 24, 340, 90) + _arc(30, 74, 30, 26, 270, 520)],
    "T": [[(0, 0), (60, 0)], [(30, 0), (30, 100)]],
    "U": [[(0, 0), (0, 70), *_arc(30, 70, 30, 30, 180, 0), (60, 0)]],
    "V": [[(0, 0), (30, 100), (60, 0)]],
    "W": [[(0, 0), (12, 100), (30, 36), (48, 100), (60, 0)]],
    "X": [[(0, 0), (60, 100)], [(60, 0), (0, 100)]],
    "Y": [[(0, 0), (30, 52), (60, 0)], [(30, 52), (30, 100)]],
    "Z": [[(0, 0), (60, 0), (0, 100), (60, 100)]],
}


# Per-face glyphs that differ from STROKES, drawn to match the crops of real Californian plates.
# The OCR read 16-19 of their 4s as L and several Ws as M, N or H; an earlier Californian 4 (bar at
# 64 %, upright from a third down, a vertical left stroke) it read right on synthetic plates and
# still wrong on real ones. These it misreads the same way before training on them, so they are
# the shapes it lacks.
OVERRIDES: dict[str, dict[str, list[list[Point]]]] = {
    "us-gothic-light": {
        "4": [[(18, 0), (0, 74), (62, 74)], [(44, 46), (44, 100)]],
        "W": [[(0, 0), (5, 100), (30, 40), (55, 100), (60, 0)]],
    },
}


def is_drawn(font_path: str) -> bool:
    return font_path.startswith(PREFIX)


def glyph_mask(font_path: str, char: str) -> np.ndarray:
    """The character's ink (uint8 0..255) at 200 px tall, cropped to its strokes."""
    face = font_path.removeprefix(PREFIX)
    if face not in FACES:
        raise ValueError(f"unknown drawn face {face!r}; known: {', '.join(FACES)}")
    strokes = OVERRIDES.get(face, {}).get(char.upper(), STROKES.get(char.upper()))
    if strokes is None:
        raise ValueError(f"drawn face {face!r} has no glyph for {char!r}")
    scale, pad = 2.0, 40
    thickness = max(2, round(FACES[face] * 100 * scale))
    canvas = np.zeros((int(104 * scale) + 2 * pad, int(62 * scale) + 2 * pad), np.uint8)
    for stroke in strokes:
        pts = np.array([[pad + x * scale, pad + y * scale] for x, y in stroke], np.float32)
        cv2.polylines(canvas, [np.round(pts * 16).astype(np.int32)], False, 255, thickness, cv2.LINE_AA, 4)
    ys, xs = np.nonzero(canvas > 40)
    return canvas[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
