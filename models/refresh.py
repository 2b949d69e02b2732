"""A training set kept fresh while training runs: generated chunks replace old ones at fixed steps."""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

# Seeds of chunks generated during training start this far above the training set's own
# (seed * 100_003 + i), far below the next set's ((seed + 1) * 100_003): no sample is drawn twice.
FRESH_SEED_OFFSET = 50_000


def add_arguments(ap: argparse.ArgumentParser, *, every: int, chunk: int, what: str) -> None:
    """--refresh-every, --refresh-chunk and --refresh-workers, the same in both trainers."""
    ap.add_argument(
        "--refresh-every",
        type=int,
        default=every,
        help=f"replace --refresh-chunk training {what} with new ones every N steps (0: fixed set)",
    )
    ap.add_argument("--refresh-chunk", type=int, default=chunk)
    ap.add_argument("--refresh-workers", type=int, default=1)


def _one_thread() -> None:
    import cv2

    cv2.setNumThreads(1)


class Refresher:
    """Overwrites one slot of `chunk` samples of the training set every `every` steps with newly
    generated ones, so that a long run sees many more distinct samples than it holds in memory.

    A fixed buffer read for many epochs is memorised (the OCR's training loss fell to 0.05 while
    validation stayed at 84 %). Chunk k always has seed `first_seed + k` and always lands at step
    `(k + 1) * every` in slot `k % slots`: the run stays reproducible, however fast the workers are.
    """

    def __init__(
        self,
        make: Callable[..., tuple[np.ndarray, list[Any]]],
        args: tuple[Any, ...],
        x: np.ndarray,
        y: list[Any],
        first_seed: int,
        chunk: int,
        every: int,
        workers: int,
    ) -> None:
        self.make, self.args, self.x, self.y = make, args, x, y
        self.first_seed, self.chunk, self.every = first_seed, chunk, every
        self.slots = len(x) // chunk
        self.next_chunk = self.submitted = 0
        self.waited_s = 0.0
        # spawn, not fork: the trainer has torch's thread pool running, which a forked child inherits.
        self.pending: deque[Future[tuple[np.ndarray, list[Any]]]] = deque()
        if every <= 0:
            self.pool = None
            return
        self.pool = ProcessPoolExecutor(
            workers, multiprocessing.get_context("spawn"), initializer=_one_thread
        )
        for _ in range(4 * workers):  # deep enough to keep the workers busy through an evaluation
            self._submit()

    @classmethod
    def from_args(
        cls,
        make: Callable[..., tuple[np.ndarray, list[Any]]],
        make_args: tuple[Any, ...],
        x: np.ndarray,
        y: list[Any],
        args: argparse.Namespace,
    ) -> Refresher:
        """The refresher a trainer's parsed arguments (`add_arguments`, --seed) ask for."""
        return cls(
            make,
            make_args,
            x,
            y,
            first_seed=args.seed * 100_003 + FRESH_SEED_OFFSET,
            chunk=args.refresh_chunk,
            every=args.refresh_every,
            workers=args.refresh_workers,
        )

    def _submit(self) -> None:
        assert self.pool is not None
        seed = self.first_seed + self.submitted
        self.pending.append(self.pool.submit(self.make, seed, self.chunk, *self.args))
        self.submitted += 1

    def after_step(self, step: int) -> None:
        if self.pool is None or step % self.every:
            return
        t = time.monotonic()
        xs, ys = self.pending.popleft().result()
        self.waited_s += time.monotonic() - t
        slot = self.next_chunk % self.slots
        self.x[slot * self.chunk : (slot + 1) * self.chunk] = xs
        self.y[slot * self.chunk : (slot + 1) * self.chunk] = ys
        self.next_chunk += 1
        self._submit()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
