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


def geometric_mean(values: list[float]) -> float:
    """A read's confidence from its characters': one doubtful character pulls it down."""
    return math.exp(sum(math.log(max(v, 1e-9)) for v in values) / len(values)) if values else 0.0


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
    return Decoded("".join(chars), confs, geometric_mean(confs))


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


@dataclass(frozen=True)
class Constrained:
    """The most probable single CTC path that spells a string of a given shape."""

    shape: int  # index into the shapes given
    text: str
    log_prob: float  # of that path
    char_confidences: list[float]


# Characters that are one shape on a plate in most typefaces: where a position allows only one
# of a pair (digits at a current mark's age identifier), the other's probability is its own.
TWINS = {"0": "O", "O": "0", "1": "I", "I": "1"}


def constrained_best(probs: np.ndarray, shapes: list[tuple[str, ...]]) -> list[Constrained]:
    """For each shape (a tuple of allowed characters per position), the most probable CTC path
    whose text fits it: Viterbi over the CTC lattice with each position's characters restricted.
    At a position that allows one of a pair of `TWINS` and not the other, the pair's
    probabilities count as one (an O read where only a digit can stand is a 0). All shapes run
    together (one numpy step per time frame), so asking every UK shape of a plausible length
    costs about as much as asking one. Returns one result per shape that any path can spell,
    best first."""
    if not shapes:
        return []
    T, C = probs.shape
    K, L, N = len(shapes), max(len(s) for s in shapes), C - 1
    neg = -1e30
    logp = np.log(np.maximum(probs, 1e-30))
    allowed = np.zeros((K, L, N), bool)
    for k, shape in enumerate(shapes):
        for j, chars in enumerate(shape):
            allowed[k, j, [ALPHABET.index(c) for c in chars]] = True
    # Per position, each allowed character's probability, with its twin's where the twin is not.
    merged = np.broadcast_to(probs[:, None, None, 1:], (T, K, L, N)).copy()
    for a, b in TWINS.items():
        ia, ib = ALPHABET.index(a), ALPHABET.index(b)
        lend = allowed[:, :, ia] & ~allowed[:, :, ib]  # (K, L)
        merged[:, lend, ia] += probs[:, None, ib + 1].repeat(int(lend.sum()), 1) if lend.any() else 0
    emit = np.where(allowed[None], np.log(np.maximum(merged, 1e-30)), neg)  # (T, K, L, N)
    sc = np.full((K, L, N), neg)  # in position j's character, which is c
    sb = np.full((K, L + 1), neg)  # in the blank before position j (L: after the last)
    sc[:, 0] = emit[0, :, 0]
    sb[:, 0] = logp[0, 0]
    came = np.zeros((T, K, L, N), np.int8)  # 0 stayed, 1 from the blank before, 2 from position j-1
    came_char = np.zeros((T, K, L, N), np.int8)  # position j-1's character, when came == 2
    blank_from = np.full((T, K, L + 1), -1, np.int8)  # position j-1's character, or -1: stayed
    chars_idx = np.arange(N)[None, None, :]
    for t in range(1, T):
        first_c = sc.argmax(2)
        first = np.take_along_axis(sc, first_c[..., None], 2)[..., 0]
        runner_up = np.where(chars_idx == first_c[..., None], neg, sc)
        second_c = runner_up.argmax(2)
        second = np.take_along_axis(runner_up, second_c[..., None], 2)[..., 0]
        # From position j-1 only with a different character (the same one needs a blank between).
        same = chars_idx == first_c[:, :-1, None]
        from_prev = np.full((K, L, N), neg)
        from_prev[:, 1:] = np.where(same, second[:, :-1, None], first[:, :-1, None])
        prev_char = np.zeros((K, L, N), np.int8)
        prev_char[:, 1:] = np.where(same, second_c[:, :-1, None], first_c[:, :-1, None])
        options = np.stack([sc, np.broadcast_to(sb[:, :L, None], sc.shape), from_prev])
        came[t] = options.argmax(0)
        came_char[t] = prev_char
        into_blank = np.concatenate([np.full((K, 1), neg), first], axis=1)
        moved = into_blank > sb
        blank_from[t] = np.where(moved, np.concatenate([np.zeros((K, 1), int), first_c], axis=1), -1)
        sc = options.max(0) + emit[t]
        sb = np.maximum(sb, into_blank) + logp[t, 0]
    out = []
    for k, shape in enumerate(shapes):
        n = len(shape)
        end_c = int(sc[k, n - 1].argmax())
        end_char, end_blank = float(sc[k, n - 1, end_c]), float(sb[k, n])
        score = max(end_char, end_blank)
        if score <= neg / 2:
            continue
        chars, peaks = [0] * n, [0.0] * n
        blank, j, c = (True, n, -1) if end_blank >= end_char else (False, n - 1, end_c)
        for t in range(T - 1, -1, -1):
            if blank:
                if blank_from[t, k, j] >= 0:
                    blank, j, c = False, j - 1, int(blank_from[t, k, j])
                continue
            chars[j] = c
            peaks[j] = max(peaks[j], float(merged[t, k, j, c]))
            how = came[t, k, j, c]
            if how == 1:
                blank = True
            elif how == 2:
                j, c = j - 1, int(came_char[t, k, j, c])
        out.append(Constrained(k, "".join(ALPHABET[i] for i in chars), score, peaks))
    out.sort(key=lambda r: -r.log_prob)
    return out
