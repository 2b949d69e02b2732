"""How far this device's clock is from true time, as well as the device can tell.

chrony's offset where chrony runs (asked at most once a minute: `chronyc` is cheap, not free).
Between two questions, and where there is no chrony at all, a step of the wall clock shows as a
change of wall − monotonic: the monotonic clock never jumps, so a wall clock set by hand, by a
bad RTC after a power cut or by a GPS fix moves one and not the other. Reads taken after such a
jump are marked `time_suspect` and the heartbeat carries the offset, so central shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from edge.health import clock_offset_s

# Below this a change of wall − monotonic is scheduling noise, not a step.
STEP_NOISE_S = 0.5
CHRONY_EVERY_S = 60.0


class ClockWatch:
    def __init__(
        self,
        wall: Callable[[], float] = time.time,
        mono: Callable[[], float] = time.monotonic,
        chrony: Callable[[], float | None] = clock_offset_s,
    ) -> None:
        self.wall = wall
        self.mono = mono
        self.chrony = chrony
        self._chrony_offset: float | None = None
        self._asked_at: float | None = None
        self._base = self._skew()  # wall − monotonic when chrony was last asked (or at start)

    def _skew(self) -> float:
        return self.wall() - self.mono()

    def step_s(self) -> float:
        """How far the wall clock has stepped since chrony was last asked (or since start)."""
        return self._skew() - self._base

    def offset_s(self) -> float | None:
        """Local clock minus true time in seconds; None when nothing can be said."""
        now = self.mono()
        if self._asked_at is None or now - self._asked_at >= CHRONY_EVERY_S:
            self._chrony_offset, self._asked_at = self.chrony(), now
            if self._chrony_offset is not None:
                self._base = self._skew()  # chrony has seen any step up to now
        step = self.step_s()
        if self._chrony_offset is not None:
            return round(self._chrony_offset + (step if abs(step) > STEP_NOISE_S else 0.0), 3)
        return round(step, 3) if abs(step) > STEP_NOISE_S else None
