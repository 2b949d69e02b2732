"""The OCR stage: rectified plate → text, per-character confidences, ranked candidates.

UK first: when the model's own best path is not a valid UK mark, the most probable path that
spells one (every UK shape of a near length, each position held to its characters) is read
instead, if the model gives it real probability (at most `UK_FIRST_MAX_LOSS` nats below its
best path). A foreign plate has no such path and keeps its read. The model's best path is
always kept as the raw read, and the beam's alternatives stay as candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from anpr.plates import PlateFormat, check_vrm
from anpr.plates.formats import SHAPES
from edge.ocr_decode import (
    Constrained,
    Decoded,
    beam_search,
    best_path,
    constrained_best,
    geometric_mean,
)
from edge.onnx_models import LoadedModel
from edge.rectify import rectify_variants

# How much less likely (in log-probability) an invalid mark must be before a valid one wins.
INVALID_FORMAT_COST = 1.5
# Log-probability cost of each unit of a grammar correction's penalty (`anpr.plates.confusables`).
# Above INVALID_FORMAT_COST, so a one-character correction alone never overrides the model's own
# read: foreign plates are never UK-valid, and at 1 per unit the corrections turned 6 % of the
# synthetic EU/US plates into UK marks while adding nothing measurable on UK ones.
CORRECTION_COST = 2.0
# How much less probable (natural log) than the model's own best path the best path spelling a
# valid UK mark may be and still be read: about 1 in 20. Set on the synthetic held-out-font split
# (models.eval_ocr), UK plates against EU and US ones, not on the dev set.
UK_FIRST_MAX_LOSS = 3.0
# ... and every character of it must be a real alternative where it stands (its peak probability),
# not one of the many the model spreads its doubt over.
UK_FIRST_MIN_CHAR = 0.05
# A read that is no valid UK mark is a foreign plate or a misread (a box cut short, a character
# too many); on UK roads the second is common enough that such a read is never stated as sure:
# its confidence is scaled by this, so it stays under 0.9 (on the UK dev set 2 of the 5 reads
# wrong at >= 0.9 were invalid marks read at 1.0).
NOT_UK_CONFIDENCE = 0.85
# The shortest marks (UK `A 1`, `1 A`) have two characters.
MIN_PLATE_CHARS = 2


@dataclass(frozen=True)
class OcrCandidate:
    vrm: str
    confidence: float
    format: PlateFormat
    penalty: int = 0


@dataclass(frozen=True)
class OcrResult:
    text: str  # the chosen VRM
    raw: Decoded  # the model's best path, kept whatever the grammar says
    format: PlateFormat
    confidence: float
    char_confidences: list[float]
    candidates: list[OcrCandidate] = field(default_factory=list)
    # The confidence before the UK prior (`NOT_UK_CONFIDENCE`): what chooses between readings of
    # one plate's layouts and trims.
    model_confidence: float = 0.0


class PlateReader:
    def __init__(
        self, model: LoadedModel, top_k: int = 5, min_confidence: float = 0.0, trims: tuple[float, ...] = ()
    ) -> None:
        self.model = model
        self.top_k = top_k
        self.min_confidence = min_confidence
        self.trims = trims  # `edge.rectify.rectify_variants`: each plate also read narrowed or widened

    def accepts(self, result: OcrResult) -> bool:
        """Whether a reading is a plate read at all: two characters or more (no plate has fewer),
        read at least `min_confidence` confidently. On the openalpr_us photos a threshold of 0.5
        dropped 88 % of the detections that were not plates (grilles, stickers, dealer frames) and
        not one read of a plate."""
        # The model's own confidence: the UK prior on the stated one must not drop foreign plates.
        return len(result.text) >= MIN_PLATE_CHARS and result.model_confidence >= self.min_confidence

    def probs(self, crops: np.ndarray) -> np.ndarray:
        """crops: (N, 32, 128) uint8 → (N, T, C) probabilities."""
        x = crops[:, None].astype(np.float32) / 255
        return self.model.session.run(None, {"image": x})[0]

    def __call__(self, crops: np.ndarray) -> list[OcrResult]:
        if len(crops) == 0:
            return []
        return [interpret(p, self.top_k) for p in self.probs(crops)]

    def read_quads(self, image: np.ndarray, quads: list[np.ndarray]) -> list[OcrResult]:
        """Rectify and read each plate quad in one batch; per plate the most confident layout wins."""
        variants = [rectify_variants(image, q, self.trims) for q in quads]
        flat = [v for vs in variants for v in vs]
        if not flat:
            return []
        results = self(np.stack(flat))
        out, i = [], 0
        for vs in variants:
            out.append(max(results[i : i + len(vs)], key=variant_rank))
            i += len(vs)
        return out


def variant_rank(r: OcrResult) -> tuple:
    """Which reading of one plate's variants (layouts, trims) stands: the one the model is surest
    of. (Preferring a valid UK mark among them read US photos' stacked and banded layouts as UK
    marks: 72 % of their truth boxes read right became 14 %.)"""
    return (r.model_confidence * (len(r.text) >= MIN_PLATE_CHARS), len(r.text))


def interpret(probs: np.ndarray, top_k: int = 5) -> OcrResult:
    raw = best_path(probs)
    beams = beam_search(probs, top_k=top_k) or [(raw.text, raw.confidence)]
    scored: list[tuple[float, OcrCandidate]] = []
    for text, p in beams:
        chk = check_vrm(text)
        score = math.log(max(p, 1e-12)) - (0 if chk.valid else INVALID_FORMAT_COST)
        scored.append((score, OcrCandidate(text, p, chk.format)))
    raw_chk = check_vrm(raw.text)
    if not raw_chk.valid:  # offer the grammar's positional corrections too, at a cost
        # The raw read's sequence probability, on the beams' scale (not its per-character mean).
        p_raw = dict(beams).get(raw.text, raw.confidence ** max(1, len(raw.text)))
        for c in raw_chk.candidates[:3]:
            if all(c.vrm != s[1].vrm for s in scored):
                p = p_raw * math.exp(-CORRECTION_COST * c.penalty)
                scored.append((math.log(max(p, 1e-12)), OcrCandidate(c.vrm, p, c.format, c.penalty)))
    scored.sort(key=lambda s: -s[0])
    best = scored[0][1]
    uk = None if check_vrm(best.vrm).valid else uk_first(probs, raw)
    if uk is not None:
        chk = check_vrm(uk.text)
        conf = geometric_mean(uk.char_confidences)
        best = OcrCandidate(uk.text, conf, chk.format)
        scored = [(0.0, best)] + [s for s in scored if s[1].vrm != uk.text]
        confs = uk.char_confidences
    elif best.vrm == raw.text:
        confs = raw.char_confidences
        conf = raw.confidence
    else:
        conf = min(1.0, best.confidence)
        confs = [conf] * len(best.vrm)
    model_conf = conf
    if best.format is PlateFormat.OTHER:
        conf *= NOT_UK_CONFIDENCE
    return OcrResult(
        text=best.vrm,
        raw=raw,
        format=best.format,
        confidence=conf,
        char_confidences=confs,
        candidates=[s[1] for s in scored[:top_k]],
        model_confidence=model_conf,
    )


def uk_first(probs: np.ndarray, raw: Decoded) -> Constrained | None:
    """The most probable path spelling a valid UK mark of a length near the raw read's, when it
    is within `UK_FIRST_MAX_LOSS` of the model's best path; else None."""
    if len(raw.text) < MIN_PLATE_CHARS:
        return None
    n = len(raw.text)
    shapes = [s.slots for s in SHAPES if abs(len(s.slots) - n) <= 1]
    best_log = float(np.log(np.maximum(probs.max(1), 1e-30)).sum())
    for r in constrained_best(probs, shapes):
        if best_log - r.log_prob > UK_FIRST_MAX_LOSS:
            break
        if min(r.char_confidences) >= UK_FIRST_MIN_CHAR and check_vrm(r.text).valid:
            # the shape fits; the age identifier or NI code must too
            return r
    return None
