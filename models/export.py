"""Export a trained torch model to ONNX and an int8 variant, statically quantised on synthetic data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

# Calibration inputs are drawn from the training fonts with their own seed, never from real photos.
CALIBRATION_SEED = 20_261_130


class _WithSoftmax(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x).softmax(-1)


def export_onnx(
    model: torch.nn.Module,
    example: torch.Tensor,
    path: Path,
    *,
    input_name: str,
    output_name: str | list[str],
    softmax: bool = False,
    dynamic_hw: bool = False,
) -> Path:
    net = _WithSoftmax(model) if softmax else model
    outputs = [output_name] if isinstance(output_name, str) else output_name
    axes: dict[str, dict[int, str]] = {input_name: {0: "batch"}}
    if dynamic_hw:
        axes[input_name].update({2: "height", 3: "width"})
    for name in outputs:
        axes[name] = {0: "batch"}
    torch.onnx.export(
        net,
        (example,),
        str(path),
        input_names=[input_name],
        output_names=outputs,
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )
    return path


def quantize(fp32: Path, out: Path, calibration: list[np.ndarray]) -> Path:
    """int8 weights and activations (QDQ, per-channel weights, activation ranges at the 0.001-99.999
    percentiles of `calibration`). Dynamic quantisation, used before, left activations in float and
    ran 10-20x slower than fp32 on x86; on this x86 VM this runs the OCR 1.4x faster than fp32 for
    about 2 points of held-out accuracy, the detector still slower than fp32 (see the model cards)."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Batches(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches: Iterator[np.ndarray] = iter(calibration)

        def get_next(self) -> dict[str, np.ndarray] | None:
            x = next(self.batches, None)
            return None if x is None else {"image": x}

    pre = out.with_suffix(".pre.onnx")
    quant_pre_process(str(fp32), str(pre))
    try:
        quantize_static(
            str(pre),
            str(out),
            Batches(),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            # 7-bit weights: x86 cores without VNNI multiply u8 by s8 in 16-bit pairs that saturate
            # with 8-bit weights; on such a core (AVX-512F, no VNNI) the 8-bit OCR read 82.5 % of
            # large held-out plates where fp32 read all of them.
            reduce_range=True,
            calibrate_method=CalibrationMethod.Percentile,
        )
    finally:
        pre.unlink(missing_ok=True)
    return out


def ocr_calibration(n: int = 512, batch: int = 32) -> list[np.ndarray]:
    from models.fonts import TRAIN_FONTS, available
    from models.ocr_data import make_batch

    x, _ = make_batch(CALIBRATION_SEED, n, available(TRAIN_FONTS))
    return [x[i : i + batch, None].astype(np.float32) / 255 for i in range(0, n, batch)]


def detector_calibration(n: int = 64) -> list[np.ndarray]:
    from models.fonts import TRAIN_FONTS, available
    from models.scene_data import make_scenes

    x, _ = make_scenes(CALIBRATION_SEED, n, available(TRAIN_FONTS))
    return [s[None, None].astype(np.float32) / 255 for s in x]


def export_ocr(model: torch.nn.Module, out: Path) -> list[Path]:
    """ocr.onnx (per-step softmax over the alphabet) and ocr.int8.onnx, from a model on the CPU."""
    fp32 = export_onnx(
        model.cpu().eval(),
        torch.zeros(1, 1, 32, 128),
        out / "ocr.onnx",
        input_name="image",
        output_name="probs",
        softmax=True,
    )
    return [fp32, quantize(fp32, out / "ocr.int8.onnx", ocr_calibration())]


def export_detector(model: torch.nn.Module, out: Path) -> list[Path]:
    """detector.onnx (peaks after NMS, corner offsets; any input size) and detector.int8.onnx."""
    from models.detector_net import DetectorExport

    fp32 = export_onnx(
        DetectorExport(model.cpu().eval()),
        torch.zeros(1, 1, 320, 320),
        out / "detector.onnx",
        input_name="image",
        output_name=["peaks", "corners"],
        dynamic_hw=True,
    )
    return [fp32, quantize(fp32, out / "detector.int8.onnx", detector_calibration())]


def main() -> None:
    """Export a checkpoint the trainers wrote (models/<name>.pt), e.g. one trained on a lent GPU
    machine whose onnx/onnxruntime differ from the ones that will run it."""
    import argparse

    from models.detector_net import DetectorNet
    from models.ocr_net import OcrNet

    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["ocr", "detector"])
    ap.add_argument("--out", type=Path, default=Path("models"))
    args = ap.parse_args()
    net = OcrNet() if args.model == "ocr" else DetectorNet()
    net.load_state_dict(torch.load(args.out / f"{args.model}.pt", map_location="cpu"))
    for path in (export_ocr if args.model == "ocr" else export_detector)(net, args.out):
        print(path)


if __name__ == "__main__":
    main()
