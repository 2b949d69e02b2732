"""OCR samples: the character-band share cuts US-style plates only, and leaves the text alone."""

from __future__ import annotations

import random

import numpy as np
import pytest

from models.fonts import TRAIN_FONTS, available
from models.ocr_data import WIDTHS, make_batch, ocr_sample, posed_plate

pytest.importorskip("PIL")


def test_band_share_cuts_us_plates_only_and_keeps_their_text() -> None:
    fonts = available(TRAIN_FONTS)
    styles = []
    for seed in range(16):
        style = posed_plate(random.Random(seed), fonts, WIDTHS, 1.0).style
        whole, label = ocr_sample(random.Random(seed), fonts, WIDTHS, 1.0, 0.0)
        cut, cut_label = ocr_sample(random.Random(seed), fonts, WIDTHS, 1.0, 1.0)
        assert cut_label == label
        assert np.array_equal(whole, cut) == (style != "us"), style
        styles.append(style)
    assert "us" in styles and set(styles) - {"us"}  # both kinds were drawn


def test_no_band_share_is_the_data_as_before() -> None:
    fonts = available(TRAIN_FONTS)
    x0, y0 = make_batch(3, 8, fonts, WIDTHS, 0.5)
    x1, y1 = make_batch(3, 8, fonts, WIDTHS, 0.5, 0.0)
    assert y0 == y1 and np.array_equal(x0, x1)
