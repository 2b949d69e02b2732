"""The plate detector: a small single-stage, anchor-free network (CenterNet-style).

One grey input; outputs at stride 4 a plate-centre heatmap and, for each cell,
the offsets of the plate's four corners, so the edge can rectify the plate
without a second model. Peak extraction (3×3 max-pool NMS) is part of the
exported graph.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

STRIDE = 4
CORNER_SCALE = 64.0  # corner offsets are predicted in units of 64 input pixels


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


def _dw(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """Depthwise-separable 3×3: cheap on a CPU."""
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False),
        nn.BatchNorm2d(cin),
        nn.ReLU(inplace=True),
        nn.Conv2d(cin, cout, 1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class DetectorNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.s2 = _conv(1, 16, 2)
        self.s4 = nn.Sequential(_dw(16, 32, 2), _dw(32, 32))
        self.s8 = nn.Sequential(_dw(32, 64, 2), _dw(64, 64))
        self.s16 = nn.Sequential(_dw(64, 96, 2), _dw(96, 96))
        self.s32 = nn.Sequential(_dw(96, 128, 2), _dw(128, 128))
        self.lat16 = nn.Conv2d(96, 64, 1)
        self.lat8 = nn.Conv2d(64, 64, 1)
        self.top32 = nn.Conv2d(128, 64, 1)
        self.lat4 = nn.Conv2d(32, 32, 1)
        self.fuse8 = _dw(64, 32)
        self.head = _dw(32, 32)
        self.heat = nn.Conv2d(32, 1, 1)
        self.corners = nn.Conv2d(32, 8, 1)
        nn.init.constant_(self.heat.bias, -4.0)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f4 = self.s4(self.s2(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        f32 = self.s32(f16)
        p16 = self.lat16(f16) + F.interpolate(self.top32(f32), size=f16.shape[2:], mode="nearest")
        p8 = self.lat8(f8) + F.interpolate(p16, size=f8.shape[2:], mode="nearest")
        p4 = self.lat4(f4) + F.interpolate(self.fuse8(p8), size=f4.shape[2:], mode="nearest")
        h = self.head(p4)
        return self.heat(h), self.corners(h)


class DetectorExport(nn.Module):
    """What the edge runs: sigmoid heatmap with non-peaks zeroed, and corner offsets."""

    def __init__(self, net: DetectorNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, corners = self.net(x)
        heat = torch.sigmoid(logits)
        peaks = heat * (F.max_pool2d(heat, 3, 1, 1) == heat).float()
        return peaks, corners
