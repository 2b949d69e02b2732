"""The refresher swaps newly generated plates into the training set at fixed steps, the same
plates into the same places whatever the workers' speed; a long EU mark fits its plate."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from models.fonts import TRAIN_FONTS, available
from models.ocr_data import make_batch
from models.plate_render import PlateSpec, render
from models.refresh import Refresher

pytest.importorskip("PIL")

CHUNK = 4


def test_refresher_puts_chunk_k_into_slot_k_mod_slots_at_fixed_steps() -> None:
    fonts = (available(TRAIN_FONTS)[0],)
    x = np.zeros((3 * CHUNK, 32, 128), np.uint8)
    y = ["-"] * len(x)
    fresh = Refresher(make_batch, (fonts,), x, y, first_seed=1000, chunk=CHUNK, every=2, workers=1)
    try:
        fresh.after_step(1)  # not a refresh step: nothing changes
        assert not x.any() and y == ["-"] * len(x)
        for step in range(2, 9):  # refresh steps 2, 4, 6, 8 bring chunks 0..3
            fresh.after_step(step)
    finally:
        fresh.close()
    assert fresh.next_chunk == 4
    expected = {slot: make_batch(1000 + k, CHUNK, fonts) for k, slot in ((3, 0), (1, 1), (2, 2))}
    for slot, (xs, ys) in expected.items():
        part = slice(slot * CHUNK, (slot + 1) * CHUNK)
        assert np.array_equal(x[part], xs) and y[part] == ys
    assert "-" not in y


def test_no_refresh_leaves_the_set_alone() -> None:
    x = np.ones((8, 32, 128), np.uint8)
    fresh = Refresher(make_batch, ((),), x, ["a"] * 8, first_seed=0, chunk=4, every=0, workers=1)
    for step in range(1, 10):
        fresh.after_step(step)
    fresh.close()
    assert fresh.next_chunk == 0 and x.all()


def test_a_long_eu_mark_is_narrowed_to_fit_inside_the_plate() -> None:
    """Before, characters past the right edge were left out while the label still named them."""
    font = available(TRAIN_FONTS)[0]
    plate = render(PlateSpec(text="ABC-DE 9999", label="ABCDE9999", style="eu", font=font))
    h, w = plate.image.shape[:2]
    ink = (plate.image[10 : h - 10, 70:].max(axis=2) < 100).astype(np.uint8)  # right of the band
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    glyphs = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] > 100]
    assert len(glyphs) == 9, f"{len(glyphs)} of 9 characters drawn"
    assert max(s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH] for s in glyphs) + 70 <= w - 8
