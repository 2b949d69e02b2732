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
