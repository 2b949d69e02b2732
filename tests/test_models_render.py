"""The plate renderer draws every format, and the committed OCR model reads each one back."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from anpr.plates import PlateFormat, check_vrm
from edge.ocr import PlateReader
from edge.onnx_models import MODELS_DIR, load
from models.fonts import HELDOUT_FONTS, TRAIN_FONTS, available
from models.plate_render import PICTURES, SEPARATORS, PlateSpec, draw_emblem, render
from models.plate_text import TODAY, groups, random_uk_vrm

pytest.importorskip("PIL")


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    return PlateReader(load(MODELS_DIR / "ocr.onnx"))


def read_back(reader: PlateReader, image: np.ndarray) -> str:
    """Put the plate on a car-coloured background, then read it through the edge's own path."""
    h, w = image.shape[:2]
    canvas = np.full((h + 40, w + 40, 3), (90, 60, 40), np.uint8)
    canvas[20 : 20 + h, 20 : 20 + w] = image[:, :, ::-1]
    small = cv2.resize(canvas, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    quad = np.array([[10, 10], [10 + w / 2, 10], [10 + w / 2, 10 + h / 2], [10, 10 + h / 2]], np.float32)
    return reader.read_quads(small, [quad])[0].text


@pytest.mark.parametrize("fmt", [f for f in PlateFormat if f is not PlateFormat.OTHER])
@pytest.mark.parametrize("layout", ["single", "square"])
def test_every_uk_format_renders_and_reads_back(fmt: PlateFormat, layout: str, reader: PlateReader) -> None:
    rng = random.Random(hash((fmt.value, layout)) & 0xFFFF)
    fonts = available(TRAIN_FONTS)
    ok = 0
    for i in range(3):
        vrm, _ = random_uk_vrm(rng, fmt)
        assert check_vrm(vrm, today=TODAY).valid and check_vrm(vrm, today=TODAY).format is fmt
        parts = groups(vrm, fmt)
        if layout == "square" and len(parts) < 2:
            continue
        spec = PlateSpec(
            text=" ".join(parts),
            label=vrm,
            style=("uk-front", "uk-rear")[i % 2],
            layout=layout,
            font=fonts[i % len(fonts)],
            band=("none", "uk", "gb")[i % 3],
        )
        plate = render(spec)
        assert plate.label == vrm and plate.lines == (1 if layout == "single" else 2)
        assert plate.image.dtype == np.uint8 and plate.image.ndim == 3
        ok += read_back(reader, plate.image) == vrm
    assert ok >= 2, f"{fmt} {layout}: only {ok} of 3 read back"


def test_foreign_plates_render_and_read(reader: PlateReader) -> None:
    for text, label, style in (("M-AB 1234", "MAB1234", "eu"), ("7ABC123", "7ABC123", "us")):
        plate = render(PlateSpec(text=text, label=label, style=style))
        assert plate.style == style
        assert read_back(reader, plate.image) == label


def test_us_plates_vary_and_keep_every_character(reader: PlateReader) -> None:
    """US-style plates differ by label and font (state, colours, separators), and even a
    7-character mark in the widest training font fits the plate and reads back."""
    fonts = available(TRAIN_FONTS)
    rng = random.Random(5)
    labels = ["".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", k=7)) for _ in range(6)]
    images = [render(PlateSpec(text=t, label=t, style="us", font=f)).image for t in labels for f in fonts]
    assert all(im.shape == (152, 305, 3) for im in images)
    assert len({im.tobytes() for im in images}) == len(images)
    ok = sum(
        read_back(reader, render(PlateSpec(text=t, label=t, style="us", font=fonts[i % len(fonts)])).image)
        == t
        for i, t in enumerate(labels)
    )
    assert ok >= 4, f"only {ok} of {len(labels)} US-style plates read back"


def test_heldout_font_is_never_a_training_font() -> None:
    assert not {f.name for f in TRAIN_FONTS} & {f.name for f in HELDOUT_FONTS}
    assert {f.path for f in TRAIN_FONTS}.isdisjoint({f.path for f in HELDOUT_FONTS})


@pytest.mark.parametrize("shape", SEPARATORS + PICTURES)
def test_emblems_draw_inside_their_room(shape: str) -> None:
    """A separator or state picture is drawn around its centre and no wider than 2r (so the margin
    kept for it protects the characters), nor taller than 2.8r."""
    canvas = np.full((200, 200, 3), 240, np.uint8)
    cx, cy, r = 100, 100, 18
    draw_emblem(random.Random(shape), canvas, cx, cy, r, (20, 20, 20), (shape,))
    ys, xs = np.nonzero((canvas < 200).any(-1))
    assert len(xs) > r, f"{shape} drew nothing"
    t = max(2, r // 3) + 2  # line caps reach past the end points by half the stroke
    assert xs.min() >= cx - r - t and xs.max() <= cx + r + t
    assert ys.min() >= cy - 1.4 * r - t and ys.max() <= cy + 1.4 * r + t
