"""Export a trained torch model to ONNX and an int8 (dynamic-quantised) variant."""

from __future__ import annotations

from pathlib import Path

import torch


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


def quantize(fp32: Path, out: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
    return out


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
    return [fp32, quantize(fp32, out / "ocr.int8.onnx")]


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
    return [fp32, quantize(fp32, out / "detector.int8.onnx")]


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
