"""The UK real-scene dev set and the peer OCR beside ours: built by code from the real photos in
`../shared` (skipped without it), in fonts no model trains on; the peer is a benchmark baseline
the product never loads."""

from __future__ import annotations

import ast
from pathlib import Path

import cv2
import numpy as np
import pytest

from anpr.plates import check_vrm
from benchmarks.datasets import load_openalpr
from models.fonts import DEVSET_FONTS, HELDOUT_FONTS, TRAIN_FONTS, available, family

REPO = Path(__file__).resolve().parent.parent
PHOTOS = REPO.parent / "shared" / "data" / "openalpr_us"


def test_dev_set_fonts_are_whole_families_never_trained_on() -> None:
    dev = {family(f) for f in DEVSET_FONTS}
    assert len(dev) >= 3
    assert not dev & {family(f) for f in TRAIN_FONTS + HELDOUT_FONTS}


@pytest.mark.skipif(not PHOTOS.exists(), reason="needs ../shared/data/openalpr_us")
def test_dev_set_places_valid_uk_plates_over_the_real_plates(tmp_path: Path) -> None:
    from benchmarks.uk_devset import build

    # `make test` has the training fonts, not the dev set's: the machinery is the same.
    placed = build(PHOTOS, tmp_path, seed=7, fonts=available(TRAIN_FONTS)[:2], limit=3)
    again = build(PHOTOS, tmp_path / "again", seed=7, fonts=available(TRAIN_FONTS)[:2], limit=3)
    assert placed == again  # seeded: the same set every time
    stills = load_openalpr(tmp_path)
    assert len(stills) == 6 and {p.look for p in placed} == {"day", "night"}
    originals = {s.image.stem: s for s in load_openalpr(PHOTOS)}
    for still in stills:
        (plate,) = still.plates
        assert check_vrm(plate.text).valid, plate.text
        image = cv2.imread(str(still.image))
        x1, y1, x2, y2 = plate.box
        assert 0 <= x1 < x2 <= image.shape[1] and 0 <= y1 < y2 <= image.shape[0]
        # A UK plate is wider than tall by far (a 2-line one about 1.4: 285 x 203 mm).
        assert (x2 - x1) / (y2 - y1) > 1.2
        name = still.image.stem.rsplit("-", 1)[0]
        before = cv2.imread(str(originals[name].image))
        if still.image.stem.endswith("-day"):
            assert np.abs(image[y1:y2, x1:x2].astype(int) - before[y1:y2, x1:x2]).mean() > 10
        else:  # night: grey
            assert np.array_equal(image[..., 0], image[..., 1])


def test_the_product_never_imports_the_peer() -> None:
    for package in ("edge", "central", "anpr", "hotlists", "models", "firmware_profiles"):
        for path in (REPO / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
            names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
            assert not any("peer" in n for n in names), f"{path} imports {names}"


@pytest.mark.skipif(not PHOTOS.exists(), reason="needs ../shared/peers")
def test_peer_ocr_reads_a_clear_plate() -> None:
    import random

    from benchmarks.peer_ocr import PeerOcr, missing
    from models.plate_render import PlateSpec, render

    if why := missing():
        pytest.skip(why)
    rng = random.Random(3)
    font = rng.choice(available(TRAIN_FONTS))
    plate = render(PlateSpec(text="AB51 ABC", label="AB51ABC", style="uk-front", font=font)).image
    crop = cv2.cvtColor(cv2.resize(plate, (260, 56), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR)
    read = PeerOcr().read_crop(crop)
    # It reads; whether it reads our renders perfectly is not this test's business.
    assert len(read.text) == 7 and sum(a == b for a, b in zip(read.text, "AB51ABC", strict=True)) >= 6
    assert 0.3 < read.confidence <= 1.0
