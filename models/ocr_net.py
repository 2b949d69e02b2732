"""The OCR network: a small fully convolutional CTC recogniser over the rectified plate line.

No recurrent layers: 1-D convolutions give the sequence context, which keeps
the ONNX graph simple and fast on a Raspberry Pi's CPU.
"""

from __future__ import annotations

import torch
from torch import nn

from models.ocr_data import ALPHABET

NUM_CLASSES = len(ALPHABET) + 1  # + CTC blank at index 0


def _block(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class OcrNet(nn.Module):
    def __init__(self, width: int = 1) -> None:
        super().__init__()
        c = [16 * width, 32 * width, 64 * width, 96 * width]
        self.features = nn.Sequential(
            *_block(1, c[0]),
            nn.MaxPool2d(2),  # 16×64
            *_block(c[0], c[1]),
            nn.MaxPool2d(2),  # 8×32
            *_block(c[1], c[2]),
            *_block(c[2], c[2]),
            nn.MaxPool2d((2, 1)),  # 4×32
            *_block(c[2], c[3]),
            nn.MaxPool2d((2, 1)),  # 2×32
            nn.Conv2d(c[3], c[3], (2, 1), bias=False),
            nn.BatchNorm2d(c[3]),
            nn.ReLU(inplace=True),
        )
        self.sequence = nn.Sequential(
            nn.Conv1d(c[3], 96, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv1d(96, 96, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv1d(96, NUM_CLASSES, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 1, 32, 128) in 0..1 → per-step class probabilities (B, T=32, C)."""
        f = self.features(x).squeeze(2)  # (B, C, T)
        logits = self.sequence(f)
        return logits.permute(0, 2, 1)
