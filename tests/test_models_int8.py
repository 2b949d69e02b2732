"""The int8 model files are statically quantised (integer activations too) and read like fp32."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from edge.detect import PlateDetector
from edge.ocr import PlateReader
from edge.onnx_models import MODELS_DIR, load
from models.eval_ocr import crops_of, split_data
from models.fonts import HELDOUT_FONTS, available
from models.scene_data import make_scenes

pytest.importorskip("PIL")


@pytest.mark.parametrize("name", ["ocr", "detector"])
def test_int8_files_quantise_activations_and_fit_a_device(name: str) -> None:
    path = MODELS_DIR / f"{name}.int8.onnx"
    ops = {n.op_type for n in onnx.load(str(path)).graph.node}
    # QDQ: every conv's input and weights pass through QuantizeLinear/DequantizeLinear, which
    # onnxruntime fuses into integer kernels; dynamic quantisation would show these instead.
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    assert not ops & {"DynamicQuantizeLinear", "ConvInteger", "MatMulInteger"}
    assert path.stat().st_size <= 10 * 1024 * 1024


def test_int8_ocr_reads_large_held_out_plates_like_fp32() -> None:
    plates = dict(split_data(40))["UK, 130-260 px wide"]
    crops, labels = crops_of(plates), [p.label for p in plates]
    fp32 = [r.text for r in PlateReader(load(MODELS_DIR / "ocr.onnx"))(crops)]
    int8 = [r.text for r in PlateReader(load(MODELS_DIR / "ocr.int8.onnx"))(crops)]
    assert np.mean([a == b for a, b in zip(int8, labels, strict=True)]) >= 0.85
    assert np.mean([a == b for a, b in zip(int8, fp32, strict=True)]) >= 0.9


def test_int8_detector_finds_held_out_scene_plates_like_fp32() -> None:
    scenes, truth = make_scenes(77, 24, available(HELDOUT_FONTS))

    def found(path: str) -> int:
        detector = PlateDetector(load(MODELS_DIR / path), input_width=320)
        hits = 0
        for img, plates in zip(scenes, truth, strict=True):
            centres = [d.corners.mean(0) for d in detector(img)]
            for quad in plates:
                size = float(np.linalg.norm(quad[1] - quad[0]))
                hits += any(np.linalg.norm(c - quad.mean(0)) < max(4.0, 0.3 * size) for c in centres)
        return hits

    total = sum(len(p) for p in truth)
    fp32, int8 = found("detector.onnx"), found("detector.int8.onnx")
    assert total >= 20 and fp32 >= 0.85 * total
    assert int8 >= fp32 - 0.1 * total
