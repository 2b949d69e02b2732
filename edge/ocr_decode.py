"""CTC decoding of the OCR model's output: best path with per-character confidences, and
prefix beam search for the top-k alternatives. Pure numpy; no model in here."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # class k+1; class 0 is the blank


@dataclass(frozen=True)
class Decoded:
    text: str
    char_confidences: list[float]
    confidence: float  # geometric mean of the character confidences


def best_path(probs: np.ndarray) -> Decoded:
    """probs: (T, C). Collapse repeats, drop blanks; each character's confidence is its peak."""
    ids = probs.argmax(1)
    chars: list[str] = []
    confs: list[float] = []
    prev = 0
    for t, k in enumerate(ids):
        if k != 0 and k != prev:
            chars.append(ALPHABET[k - 1])
            confs.append(float(probs[t, k]))
        elif k != 0 and k == prev:
            confs[-1] = max(confs[-1], float(probs[t, k]))
        prev = k
    conf = math.exp(sum(math.log(max(c, 1e-9)) for c in confs) / len(confs)) if confs else 0.0
    return Decoded("".join(chars), confs, conf)


def beam_search(
    probs: np.ndarray, beam: int = 8, top_k: int = 5, prune: float = 1e-3
) -> list[tuple[str, float]]:
    """CTC prefix beam search; returns up to top_k (text, probability), most likely first."""
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}  # prefix -> (p_blank, p_nonblank)
    for t in range(probs.shape[0]):
        row = probs[t]
        active = np.nonzero(row > prune)[0]
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            for k in active:
                p = float(row[k])
                if k == 0:
                    e = nxt.setdefault(prefix, [0.0, 0.0])
                    e[0] += (pb + pnb) * p
                    continue
                ext = (*prefix, int(k))
                e = nxt.setdefault(ext, [0.0, 0.0])
                if prefix and prefix[-1] == k:
                    e[1] += pb * p  # a repeat needs a blank between
                    same = nxt.setdefault(prefix, [0.0, 0.0])
                    same[1] += pnb * p
                else:
                    e[1] += (pb + pnb) * p
        ranked = sorted(nxt.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:beam]
        beams = {k: (v[0], v[1]) for k, v in ranked}
    out = sorted(
        ((("".join(ALPHABET[i - 1] for i in pre)), pb + pnb) for pre, (pb, pnb) in beams.items()),
        key=lambda kv: -kv[1],
    )
    return [(text, p) for text, p in out if text][:top_k]
