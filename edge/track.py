"""One read per vehicle pass: associate plate sightings across frames, vote, pick the best shot.

Defaults follow vendor practice (domain notes): a plate unseen for 4.5 s has
left; a read is emitted at most 7.5 s after first sight even if the vehicle
is still in view; an emitted plate is remembered for 300 s so a queue is not
re-read. Time comes from the frames (the capture clock), never from here.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from edge.config import TrackingConfig
from edge.detect import iou
from edge.ocr import OcrResult


@dataclass(frozen=True)
class Sighting:
    t: float  # capture time, Unix seconds
    box: tuple[int, int, int, int]
    corners: np.ndarray
    det_score: float
    ocr: OcrResult
    frame: Any = None  # the frame image, kept only for the best shot
    colour: str = "unknown"


@dataclass
class Track:
    id: int
    sightings: list[Sighting] = field(default_factory=list)
    emitted: bool = False

    @property
    def first_t(self) -> float:
        return self.sightings[0].t

    @property
    def last(self) -> Sighting:
        return self.sightings[-1]

    def text(self) -> str:
        """The VRM most of the confidence mass agrees on."""
        votes: dict[str, float] = defaultdict(float)
        for s in self.sightings:
            votes[s.ocr.text] += s.ocr.confidence * s.det_score
        return max(votes.items(), key=lambda kv: kv[1])[0]

    def best(self) -> Sighting:
        """Highest-confidence sighting of the agreed text; bigger plates break ties."""
        text = self.text()
        same = [s for s in self.sightings if s.ocr.text == text and s.frame is not None]
        return max(same, key=shot_quality)

    def add(self, s: Sighting) -> None:
        """Append a sighting, keeping a frame only for the best shot of each text (memory bound)."""
        for i, other in enumerate(self.sightings):
            if other.ocr.text == s.ocr.text and other.frame is not None:
                if shot_quality(s) > shot_quality(other):
                    self.sightings[i] = replace(other, frame=None)
                else:
                    s = replace(s, frame=None)
                break
        self.sightings.append(s)

    def motion(self) -> tuple[float, float]:
        """(dy of the plate centre per second, relative growth of its height per second)."""
        a, b = self.sightings[0], self.sightings[-1]
        dt = b.t - a.t
        if dt <= 0:
            return 0.0, 0.0
        cy = lambda s: (s.box[1] + s.box[3]) / 2  # noqa: E731
        h = lambda s: max(1, s.box[3] - s.box[1])  # noqa: E731
        return (cy(b) - cy(a)) / dt, (h(b) / h(a) - 1) / dt


def shot_quality(s: Sighting) -> float:
    return s.ocr.confidence * min(1.0, (s.box[3] - s.box[1]) / 24)


def similarity(a: str, b: str) -> float:
    """1 − normalised edit distance."""
    if not a or not b:
        return 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1 - prev[-1] / max(len(a), len(b))


class Tracker:
    def __init__(self, cfg: TrackingConfig) -> None:
        self.cfg = cfg
        self.active: list[Track] = []
        self.memory: dict[str, float] = {}  # emitted VRM -> last time seen
        self._ids = itertools.count(1)

    def update(self, t: float, sightings: list[Sighting]) -> list[Track]:
        """Add one frame's sightings (possibly none); return the tracks that become reads."""
        unmatched = list(sightings)
        for track in sorted(self.active, key=lambda tr: -tr.last.t):
            if not unmatched:
                break
            best, score = None, 0.0
            for s in unmatched:
                ov = iou(track.last.box, s.box)
                sim = similarity(track.last.ocr.text, s.ocr.text)
                sc = ov + sim if (ov >= self.cfg.iou_match or sim >= 0.7) else 0.0
                if sc > score:
                    best, score = s, sc
            if best is not None:
                track.add(best)
                unmatched.remove(best)
        for s in unmatched:
            self.active.append(Track(next(self._ids), [s]))
        return self._due(t)

    def flush(self) -> list[Track]:
        """End of stream: everything still open is due."""
        return self._due(float("inf"))

    def _due(self, t: float) -> list[Track]:
        out: list[Track] = []
        keep: list[Track] = []
        for track in self.active:
            left = t - track.last.t > self.cfg.group_gap_s
            overdue = t - track.first_t >= self.cfg.max_delay_s
            if not track.emitted and (left or overdue) and self._worth_reading(track):
                track.emitted = True
                out.append(track)
            if left:
                if track.emitted:
                    self.memory[track.text()] = track.last.t
            else:
                keep.append(track)
        self.active = keep
        if t != float("inf"):
            self.memory = {k: v for k, v in self.memory.items() if t - v <= self.cfg.remember_s}
        return out

    def _worth_reading(self, track: Track) -> bool:
        if len(track.sightings) < self.cfg.min_frames:
            return False
        text = track.text()
        if any(o is not track and o.emitted and similarity(text, o.text()) >= 0.85 for o in self.active):
            return False
        # Seen and read moments ago (a queue, an occlusion): the same vehicle, not a new pass.
        return not any(
            similarity(text, seen) >= 0.85 and track.first_t - last <= self.cfg.remember_s
            for seen, last in self.memory.items()
        )
