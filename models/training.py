"""What both trainers do before their first step: CPU threads, the device, and an optional
checkpoint to go on from (`models/<name>.pt`, written by the trainers)."""

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
