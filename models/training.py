"""What both trainers share: CPU threads, the device and an optional checkpoint to go on from
(`models/<name>.pt`, written by the trainers); the per-batch photometric augmentation; and the
one-cycle learning-rate schedule, by steps or within a time budget."""

from __future__ import annotations

import argparse
import math
import time
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


class OneCycle:
    """OneCycleLR's shape (cosine up from max/25 over `pct_start`, cosine down to max/25e4) driven by
    progress = max(step / steps, elapsed / budget_s). Without a budget it is the step schedule of a
    reproducible run; with one, a run on a lent machine anneals in the time it has, whatever the
    machine's speed, and stops there (its train.json then records the steps it reached)."""

    def __init__(
        self, opt: torch.optim.Optimizer, max_lr: float, steps: int, pct_start: float, budget_s: float = 0
    ) -> None:
        self.opt, self.max_lr, self.steps = opt, max_lr, steps
        self.pct_start, self.budget_s = pct_start, budget_s
        self.t0 = time.monotonic()
        self.ended_by = ""  # "steps" or "budget", once done() has said so
        self.set_lr(0)

    def progress(self, step: int) -> float:
        by_steps = step / self.steps
        if self.budget_s <= 0:
            return by_steps
        return max(by_steps, (time.monotonic() - self.t0) / self.budget_s)

    def lr_at(self, progress: float) -> float:
        start, peak, end = self.max_lr / 25, self.max_lr, self.max_lr / 25e4
        if progress < self.pct_start:
            return _cosine(start, peak, progress / self.pct_start)
        return _cosine(peak, end, min(1.0, (progress - self.pct_start) / (1 - self.pct_start)))

    def set_lr(self, step: int) -> None:
        """The learning rate for the step after `step`."""
        for group in self.opt.param_groups:
            group["lr"] = self.lr_at(self.progress(step))

    def done(self, step: int) -> bool:
        if self.progress(step) < 1:
            return False
        # Recorded here, not derived later: the final evaluation and export take time too.
        self.ended_by = "steps" if step >= self.steps else "budget"
        return True


def _cosine(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2 * (1 + math.cos(math.pi * pct))


def add_schedule_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--budget-s",
        type=float,
        default=0,
        help="anneal and stop within this many seconds of training even before --steps (0: steps only)",
    )
