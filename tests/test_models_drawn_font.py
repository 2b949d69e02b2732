"""The code-drawn US plate face: every character, the shapes it exists for, and its share of US plates."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from models import drawn_font
from models.fonts import TRAIN_FONTS, available
from models.ocr_data import ALPHABET
from models.plate_render import US_GOTHIC_SHARE, random_spec

FACES = [drawn_font.PREFIX + name for name in drawn_font.FACES]


def normalised(face: str, char: str) -> np.ndarray:
    return cv2.resize(drawn_font.glyph_mask(face, char), (40, 64), interpolation=cv2.INTER_AREA) > 127


@pytest.mark.parametrize("face", FACES)
def test_every_character_draws_and_no_two_look_the_same(face: str) -> None:
    masks = {c: normalised(face, c) for c in ALPHABET}
    assert all(m.any() for m in masks.values())
    for a in ALPHABET:
        for b in ALPHABET:
            # O and 0 may share a shape on real plates, but here O is rounder; everything else must
            # differ in at least 3 % of its pixels, or the OCR is taught that they are one.
            if a < b:
                assert (masks[a] != masks[b]).mean() > 0.03, f"{a} and {b} look the same in {face}"


def test_light_face_has_thinner_strokes() -> None:
    bold, light = (drawn_font.glyph_mask(f, "H") for f in FACES)
    assert (bold > 127).mean() > (light > 127).mean()


def test_four_is_open_at_the_top_and_two_differs_from_z_only_above() -> None:
    four = normalised(FACES[0], "4")
    top = four[: four.shape[0] // 5]
    inked = np.nonzero(top.any(0))[0]
    gaps = np.setdiff1d(np.arange(inked.min(), inked.max() + 1), inked)
    assert len(gaps) > 0, "the top of the 4 is closed"
    two, z = normalised(FACES[0], "2"), normalised(FACES[0], "Z")
    half = two.shape[0] // 2
    assert (two[:half] != z[:half]).mean() > 2 * (two[half:] != z[half:]).mean()


def test_light_face_draws_the_californian_four_an_l_with_a_short_upright() -> None:
    four, ell = normalised(FACES[1], "4"), normalised(FACES[1], "L")
    h = four.shape[0]
    # At the top only the left upright is inked; lower down the right upright crosses the bar.
    top_runs = np.count_nonzero(np.diff(four[: h // 6].any(0).astype(np.int8)) == 1) + four[: h // 6, 0].any()
    assert top_runs == 1
    assert (
        four[h // 2 :, four.shape[1] * 2 // 3].any() and not ell[: h * 3 // 4, four.shape[1] * 2 // 3].any()
    )
    assert (four != ell).mean() > 0.05
    # Its left stroke slants: inked further right at the top than where it meets the bar.
    assert np.nonzero(four[1])[0].min() > np.nonzero(four[h * 2 // 3])[0].min() + 3
    assert not np.array_equal(four, normalised(FACES[0], "4"))


def test_unknown_face_or_character_is_named() -> None:
    with pytest.raises(ValueError, match="us-serif"):
        drawn_font.glyph_mask(drawn_font.PREFIX + "us-serif", "A")
    with pytest.raises(ValueError, match="'#'"):
        drawn_font.glyph_mask(FACES[0], "#")


def test_us_plates_take_the_drawn_face_more_often_than_other_faces() -> None:
    fonts = available(TRAIN_FONTS)
    rng = random.Random(3)
    specs = [random_spec(rng, fonts, foreign_share=1.0) for _ in range(3000)]
    us = [s for s in specs if s.style == "us"]
    drawn = sum(drawn_font.is_drawn(s.font.path) for s in us) / len(us)
    drawn_faces = sum(drawn_font.is_drawn(f.path) for f in fonts)
    expected = US_GOTHIC_SHARE + (1 - US_GOTHIC_SHARE) * drawn_faces / len(fonts)
    assert abs(drawn - expected) < 0.05
    eu = [s for s in specs if s.style == "eu"]
    assert sum(drawn_font.is_drawn(s.font.path) for s in eu) / len(eu) < 0.3


def test_light_face_draws_the_californian_w_an_upturned_m() -> None:
    """Its outer strokes stand almost upright, so its feet sit near the sides (the bold face's
    slant in); the OCR read such Ws on real plates as M, N or H."""
    light, bold = (normalised(f, "W") for f in (FACES[1], FACES[0]))
    h, w = light.shape

    def feet_span(mask: np.ndarray) -> int:
        xs = np.nonzero(mask[h - 4])[0]
        return int(xs.max() - xs.min())

    assert feet_span(light) > 0.8 * w > feet_span(bold)
    m = normalised(FACES[1], "M")
    assert (m != light[::-1]).mean() < (normalised(FACES[0], "M") != bold[::-1]).mean()
