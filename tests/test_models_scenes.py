"""Detector scenes: a plate in a holder keeps its own corners as truth, and scenes repeat by seed."""

from __future__ import annotations

import random

import numpy as np
import pytest

from models.fonts import TRAIN_FONTS, available
from models.plate_render import PlateSpec, render
from models.scene_data import _frame, make_scenes

pytest.importorskip("PIL")


def test_a_holder_surrounds_the_plate_and_the_corners_are_the_plates_own() -> None:
    plate = render(
        PlateSpec(text="7ABC123", label="7ABC123", style="us", font=available(TRAIN_FONTS)[0])
    ).image
    h, w = plate.shape[:2]
    framed_seen = plain_seen = 0
    for seed in range(30):
        framed, inner = _frame(random.Random(seed), plate)
        x0, y0 = (int(v) for v in inner[0])
        assert np.array_equal(inner[2] - inner[0], [w, h])
        assert np.array_equal(framed[y0 : y0 + h, x0 : x0 + w], plate)
        if framed.shape == plate.shape:
            plain_seen += 1
        else:
            framed_seen += 1
            assert framed.shape[0] > h and framed.shape[1] > w and x0 > 0 and y0 > 0
    assert framed_seen >= 5 and plain_seen >= 10


def test_scenes_repeat_by_seed_and_their_plates_lie_inside() -> None:
    fonts = available(TRAIN_FONTS)
    x1, y1 = make_scenes(3, 12, fonts)
    x2, y2 = make_scenes(3, 12, fonts)
    assert np.array_equal(x1, x2)
    assert all(np.array_equal(a, b) for p, q in zip(y1, y2, strict=True) for a, b in zip(p, q, strict=True))
    plates = [q for scene in y1 for q in scene]
    assert plates, "12 scenes without a single plate"
    for q in plates:
        centre = q.mean(0)
        assert (centre >= 0).all() and (centre < x1.shape[1]).all()
