"""What both trainers share: CPU threads, the device and an optional checkpoint to go on from
(`models/<name>.pt`, written by the trainers); and the per-batch photometric augmentation."""

from __future__ import annotations

from pathlib import Path

import torch


def prepare(model: torch.nn.Module, init: Path | None, threads: int) -> tuple[torch.nn.Module, str]:
    """(model on its device, device name); threads 0 leaves torch's default (all cores)."""
    if threads:
        torch.set_num_threads(threads)
    if init:
        model.load_state_dict(torch.load(init, map_location="cpu"))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return model.to(device), device


def photometric(xb: torch.Tensor) -> torch.Tensor:
    """Contrast down to a quarter (dirty plates, dusk, a dark grey plate at night: the plates both
    models missed most on real photos) and brightness 0.6-1.2, per image of a (B, 1, H, W) batch."""
    b = len(xb)
    u = torch.rand(b, 2, device=xb.device)
    mean = xb.mean((1, 2, 3), keepdim=True)
    contrast = (0.25 + 0.95 * u[:, 0]).view(b, 1, 1, 1)
    brightness = (0.6 + 0.6 * u[:, 1]).view(b, 1, 1, 1)
    return ((xb - mean) * contrast + mean * brightness).clamp(0, 1)
