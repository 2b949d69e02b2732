"""The held-out OCR evaluation generates each split as named and scores reads against their labels."""

from __future__ import annotations

import numpy as np
import pytest

from edge.ocr import PlateReader
from edge.onnx_models import MODELS_DIR, load
from models.eval_ocr import SPLITS, accuracy, split_data

pytest.importorskip("PIL")


@pytest.fixture(scope="module")
def data() -> list[tuple[str, np.ndarray, list[str]]]:
    return split_data(40)


def test_splits_are_the_named_ones_and_repeatable(data: list[tuple[str, np.ndarray, list[str]]]) -> None:
    assert [name for name, _, _ in data] == [s[0] for s in SPLITS]
    again = split_data(40)
    for (_, x1, y1), (_, x2, y2) in zip(data, again, strict=True):
        assert x1.shape == (40, 32, 128) and y1 == y2 and np.array_equal(x1, x2)


def test_committed_model_reads_large_plates_and_wrong_labels_score_zero(
    data: list[tuple[str, np.ndarray, list[str]]],
) -> None:
    reader = PlateReader(load(MODELS_DIR / "ocr.onnx"))
    by_name = {name: (x, y) for name, x, y in data}
    x, y = by_name["UK, 130-260 px wide"]
    assert accuracy(reader, x, y)["exact"] >= 0.85
    small_x, small_y = by_name["UK, 38-60 px wide"]
    assert accuracy(reader, small_x, small_y)["exact"] < accuracy(reader, x, y)["exact"]
    assert accuracy(reader, x, [label[::-1] + "Q" for label in y]) == {"exact": 0.0, "greedy": 0.0}
