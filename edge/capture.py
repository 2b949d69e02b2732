"""Frames from a camera: RTSP/HTTP stream, video file, /dev/videoN or a folder of images.

One thread per camera reads frames into a one-frame mailbox. A live source
never waits for the pipeline: if the previous frame was not taken yet it is
replaced and counted as dropped, so nothing queues without bound. A file
source in non-realtime mode hands over every frame (benchmarks, tests).
Streams that drop are reopened with exponential back-off.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from anpr.protocol import CameraState
from edge.config import CameraConfig

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


@dataclass(frozen=True)
class Frame:
    camera_id: str
    index: int
    captured_at: datetime  # from the capture clock
    image: np.ndarray  # BGR


@dataclass
class CameraStats:
    state: CameraState = CameraState.RECONNECTING
    frames_total: int = 0
    frames_dropped: int = 0
    frames_bad: int = 0
    reads_total: int = 0
    fps: float = 0.0
    last_frame_at: datetime | None = None
    error: str | None = None


def source_kind(source: str) -> str:
    if "://" in source:
        return "stream"
    if source.startswith("/dev/video"):
        return "device"
    if Path(source).is_dir():
        return "folder"
    return "file"


class Capture:
    def __init__(
        self, cfg: CameraConfig, clock: Callable[[], float] = time.time, max_backoff_s: float = 30.0
    ) -> None:
        self.cfg = cfg
        self.kind = source_kind(cfg.source)
        self.stats = CameraStats()
        self.clock = clock
        self.max_backoff_s = max_backoff_s
        self._slot: Frame | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"capture-{cfg.camera_id}", daemon=True)
        # Live sources drop; files in non-realtime mode hand over every frame.
        self.lossless = self.kind in ("file", "folder") and not cfg.realtime

    def start(self) -> Capture:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=5)

    @property
    def finished(self) -> bool:
        return self._finished.is_set() and self._slot is None

    def take(self, timeout: float = 0.0) -> Frame | None:
        with self._cond:
            if self._slot is None and timeout > 0:
                self._cond.wait(timeout)
            frame, self._slot = self._slot, None
            self._cond.notify_all()
            return frame

    def _put(self, frame: Frame) -> None:
        with self._cond:
            if self._slot is not None:
                if self.lossless:
                    while self._slot is not None and not self._stop.is_set():
                        self._cond.wait(0.1)
                else:
                    self.stats.frames_dropped += 1
            self._slot = frame
            self._cond.notify_all()
        s = self.stats
        s.frames_total += 1
        now = frame.captured_at
        if s.last_frame_at is not None:
            dt = (now - s.last_frame_at).total_seconds()
            if dt > 0:
                s.fps = 0.9 * s.fps + 0.1 * (1 / dt) if s.fps else 1 / dt
        s.last_frame_at = now
        s.state = CameraState.STREAMING
        s.error = None

    def _run(self) -> None:
        try:
            if self.kind == "folder":
                self._run_folder()
            else:
                self._run_video()
        except Exception as exc:  # a capture thread must never take the agent down
            log.exception("capture %s failed", self.cfg.camera_id)
            self.stats.state, self.stats.error = CameraState.DOWN, f"capture failed: {exc}"
        finally:
            self._finished.set()
            with self._cond:
                self._cond.notify_all()

    def _frame_period(self) -> float:
        return 1.0 / self.cfg.expected_fps

    def _run_folder(self) -> None:
        files = sorted(p for p in Path(self.cfg.source).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        index = 0
        while not self._stop.is_set():
            for path in files:
                if self._stop.is_set():
                    return
                t0 = time.monotonic()
                image = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if image is None:
                    self.stats.frames_bad += 1
                    self.stats.error = f"unreadable image {path.name}"
                    continue
                self._put(Frame(self.cfg.camera_id, index, datetime.fromtimestamp(self.clock(), UTC), image))
                index += 1
                if self.cfg.realtime:
                    time.sleep(max(0.0, self._frame_period() - (time.monotonic() - t0)))
            if not self.cfg.loop:
                self.stats.state = CameraState.STOPPED
                return

    def _open(self) -> cv2.VideoCapture | None:
        src: str | int = self.cfg.source
        if self.kind == "device":
            src = int(str(src).removeprefix("/dev/video"))
        if self.kind == "stream":
            cap = cv2.VideoCapture(
                src,
                cv2.CAP_FFMPEG,
                [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 5000],
            )
        else:
            cap = cv2.VideoCapture(src)
        return cap if cap.isOpened() else None

    def _run_video(self) -> None:
        backoff = 1.0
        index = 0
        while not self._stop.is_set():
            cap = self._open()
            if cap is None:
                self.stats.state = CameraState.RECONNECTING if self.kind != "file" else CameraState.DOWN
                self.stats.error = f"cannot open {self.cfg.source}"
                if self.kind == "file" and not Path(self.cfg.source).exists():
                    self.stats.error = f"file not found: {self.cfg.source}"
                log.warning("camera %s: %s; retry in %.0f s", self.cfg.camera_id, self.stats.error, backoff)
                if self._stop.wait(backoff):
                    return
                backoff = min(self.max_backoff_s, backoff * 2)
                continue
            backoff = 1.0
            index = self._pump(cap, index)
            cap.release()
            if self.kind == "file" and not self.cfg.loop:
                if self.stats.state != CameraState.DOWN:
                    self.stats.state = CameraState.STOPPED
                return
            if self.kind != "file":
                self.stats.state = CameraState.RECONNECTING
                self.stats.error = "stream ended; reconnecting"

    def _pump(self, cap: cv2.VideoCapture, index: int) -> int:
        start_wall = self.clock()
        start_mono = time.monotonic()
        expected = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if self.kind == "file" else 0
        read_in_file = 0
        failures = 0
        while not self._stop.is_set():
            ok, image = cap.read()
            if not ok or image is None:
                failures += 1
                # A file that ends early (truncated) is counted and reported; a stream retries.
                if self.kind == "file" and expected and read_in_file + failures < expected and failures < 25:
                    self.stats.frames_bad += 1
                    continue
                if self.kind == "file" and expected and read_in_file < expected * 0.98:
                    self.stats.frames_bad += max(0, expected - read_in_file - failures)
                    self.stats.error = f"video ended after {read_in_file} of {expected} frames (truncated?)"
                    self.stats.state = CameraState.DOWN
                return index
            failures = 0
            if self.kind == "file":
                pos = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                when = start_wall + pos
                if self.cfg.realtime:
                    time.sleep(max(0.0, pos - (time.monotonic() - start_mono)))
            else:
                when = self.clock()
            self._put(Frame(self.cfg.camera_id, index, datetime.fromtimestamp(when, UTC), image))
            index += 1
            read_in_file += 1
        return index


def frames_of(cfg: CameraConfig) -> Iterator[Frame]:
    """Every frame of a file or folder source, in order, without threads (benchmarks)."""
    cap = Capture(cfg.model_copy(update={"realtime": False}))
    cap.start()
    try:
        while True:
            frame = cap.take(timeout=0.5)
            if frame is not None:
                yield frame
            elif cap.finished:
                return
    finally:
        cap.stop()
