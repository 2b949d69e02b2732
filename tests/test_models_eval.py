"""The held-out OCR evaluation generates each split as named and scores reads against their labels."""

from __future__ import annotations

import numpy as np
import pytest

from edge.ocr import PlateReader
from edge.onnx_models import MODELS_DIR, load
from models.eval_ocr import SEED, SPLITS, accuracy, crops_of, split_data
from models.fonts import HELDOUT_FONTS, available
from models.ocr_data import PosedPlate, make_batch

pytest.importorskip("PIL")


Data = list[tuple[str, list[PosedPlate]]]


@pytest.fixture(scope="module")
def data() -> Data:
    return split_data(40)


def test_splits_are_the_named_ones_repeatable_and_the_training_crops(data: Data) -> None:
    assert [name for name, _ in data] == [s[0] for s in SPLITS]
    again = split_data(40)
    for (_, p1), (_, p2) in zip(data, again, strict=True):
        assert [p.label for p in p1] == [p.label for p in p2]
        assert np.array_equal(crops_of(p1), crops_of(p2))
    # The crops are the ones the trainer's make_batch builds from the same seed and fonts.
    name, widths, foreign = SPLITS[-1]
    x, y = make_batch(SEED + len(SPLITS) - 1, 40, available(HELDOUT_FONTS), widths, foreign)
    assert data[-1][0] == name and y == [p.label for p in data[-1][1]]
    assert np.array_equal(x, crops_of(data[-1][1]))


def test_committed_model_reads_large_plates_and_wrong_labels_score_zero(data: Data) -> None:
    reader = PlateReader(load(MODELS_DIR / "ocr.onnx"))
    by_name = dict(data)
    large = accuracy(reader, by_name["UK, 130-260 px wide"])
    assert large["exact"] >= 0.85 and large["frame"] >= 0.85
    small = accuracy(reader, by_name["UK, 38-60 px wide"])
    assert small["exact"] < large["exact"]
    wrong = [p.label[::-1] + "Q" for p in by_name["UK, 130-260 px wide"]]
    assert accuracy(reader, by_name["UK, 130-260 px wide"], wrong) == {
        "exact": 0.0,
        "greedy": 0.0,
        "frame": 0.0,
    }
