"""Rectification: which OCR inputs a plate quad gives, and that a band is the part of the plate named."""

from __future__ import annotations

import numpy as np
import pytest

from edge.rectify import (
    CHARACTER_BANDS,
    OCR_HEIGHT,
    OCR_WIDTH,
    band,
    box_corners,
    rectify,
    rectify_variants,
    trim,
)


def rows_image(h: int = 200, w: int = 600) -> np.ndarray:
    """Each row's grey level is its y, so a crop tells which rows it came from."""
    return np.repeat(np.linspace(0, 199, h).astype(np.uint8)[:, None], w, axis=1)


def test_band_is_the_named_share_of_the_height_on_a_tilted_plate() -> None:
    quad = np.array([[100, 50], [300, 70], [300, 170], [100, 150]], np.float32)  # 100 px tall, sheared
    b = band(quad, 0.2, 0.7)
    assert np.allclose(b[0], [100, 70]) and np.allclose(b[1], [300, 90])
    assert np.allclose(b[2], [300, 140]) and np.allclose(b[3], [100, 120])


@pytest.mark.parametrize(("top", "bottom"), CHARACTER_BANDS)
def test_band_variant_reads_only_the_middle_rows(top: float, bottom: float) -> None:
    img = rows_image()
    plate = (100, 20, 500, 180)  # 2.5:1 -> squarish: bands are tried
    crop = rectify(img, band(box_corners(plate), top, bottom), 1)
    assert crop.shape == (OCR_HEIGHT, OCR_WIDTH)
    y_top, y_bottom = 20 + 160 * top, 20 + 160 * bottom
    assert abs(float(crop[0].mean()) - y_top) < 4
    assert abs(float(crop[-1].mean()) - y_bottom) < 4


def test_a_long_plate_is_read_one_way_a_squarish_one_every_way() -> None:
    img = rows_image()
    long_plate = box_corners((50, 80, 550, 180))  # 5:1, a UK 1-line plate
    square = box_corners((200, 40, 400, 140))  # 2:1, a US plate or a UK 2-line plate
    assert len(rectify_variants(img, long_plate)) == 1
    variants = rectify_variants(img, square)
    assert len(variants) == 2 + len(CHARACTER_BANDS)
    whole, *bands = variants[1:]
    # The whole plate spans rows 40-140; every band starts lower and ends higher than it.
    for crop in bands:
        assert crop[0].mean() > whole[0].mean() + 5 and crop[-1].mean() < whole[-1].mean() - 5


def cols_image(h: int = 200, w: int = 600) -> np.ndarray:
    """Each column's grey level is x / 3, so a crop tells which columns it came from."""
    return np.repeat((np.arange(w) / 3).astype(np.uint8)[None, :], h, axis=0)


def test_trim_narrows_or_widens_a_tilted_plate_along_its_own_width() -> None:
    quad = np.array([[100, 50], [300, 70], [300, 170], [100, 150]], np.float32)
    narrow = trim(quad, 0.1)
    assert np.allclose(narrow[0], [120, 52]) and np.allclose(narrow[1], [280, 68])
    assert np.allclose(narrow[2], [280, 168]) and np.allclose(narrow[3], [120, 152])
    assert np.allclose(trim(quad, -0.1)[0], [80, 48])


def test_trims_read_each_layout_again_from_the_narrowed_and_widened_plate() -> None:
    img = cols_image()
    long_plate = box_corners((150, 80, 450, 140))
    plain, narrow, wide = rectify_variants(img, long_plate, (0.1, -0.1))
    left = [float(c[:, 0].mean()) for c in (plain, narrow, wide)]
    assert left[1] == pytest.approx((150 + 30) / 3, abs=2) and left[2] == pytest.approx((150 - 30) / 3, abs=2)
    assert left[0] == pytest.approx(150 / 3, abs=2)
    square = box_corners((200, 40, 400, 140))
    assert len(rectify_variants(img, square, (0.04, -0.04))) == 3 * (2 + len(CHARACTER_BANDS))
