"""Sweep still photos into a clip the footage benchmark can score: each photo becomes one vehicle
pass whose plate grows and moves down the frame as if the car drove towards the camera, with
an empty road between passes so the tracker sees separate vehicles.

    anpr footage stills --dataset ../shared/data/openalpr_us --out clip.mp4 --truth truth.csv

The truth is written in the same two files as `anpr footage synth` (a CSV per pass, a JSONL of
the plate quads in every frame). Photos with more than one plate keep the first as the pass's
truth and still show the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from benchmarks.datasets import Still
from edge.rectify import box_corners
from models.footage import VehiclePass, write_truth

ROAD_GREY = (95, 95, 95)


def _placement(
    box: tuple[int, int, int, int], p: float, size: tuple[int, int], widths: tuple[float, float]
) -> np.ndarray:
    """The affine map that puts the plate `widths[0]`→`widths[1]` px wide, moving down the frame."""
    W, H = size
    x1, y1, x2, y2 = box
    z = (widths[0] + (widths[1] - widths[0]) * p) / max(1, x2 - x1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    ty = H * (0.3 + 0.45 * p)
    return np.array([[z, 0, W / 2 - z * cx], [0, z, ty - z * cy]], np.float32)


def sweep_stills(
    stills: list[Still],
    out: Path,
    truth: Path,
    size: tuple[int, int] = (1280, 720),
    fps: float = 12.0,
    seconds_per_still: float = 1.5,
    gap_s: float = 1.2,
    plate_widths: tuple[float, float] = (70.0, 240.0),
    progress: Callable[[], None] = lambda: None,
) -> tuple[list[VehiclePass], int]:
    """Write the clip and its truth; returns the passes and how many photos could not be read."""
    W, H = size
    n = max(2, int(fps * seconds_per_still))
    gap = max(1, int(fps * gap_s))
    empty = np.full((H, W, 3), ROAD_GREY, np.uint8)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (W, H))
    passes: list[VehiclePass] = []
    unreadable = 0
    frame_no = 0
    with truth.with_suffix(".frames.jsonl").open("w") as log:

        def emit(frame: np.ndarray, plates: list[dict]) -> None:
            nonlocal frame_no
            writer.write(frame)
            log.write(json.dumps({"frame": frame_no, "plates": plates}) + "\n")
            frame_no += 1

        for _ in range(gap):
            emit(empty, [])
        for still in stills:
            progress()
            image = cv2.imread(str(still.image))
            if image is None or not still.plates:
                unreadable += 1
                continue
            vid = len(passes) + 1
            enter = frame_no
            first = still.plates[0]
            for k in range(n):
                m = _placement(first.box, k / (n - 1), size, plate_widths)
                frame = cv2.warpAffine(image, m, (W, H), flags=cv2.INTER_AREA, borderValue=ROAD_GREY)
                visible = []
                for i, plate in enumerate(still.plates):
                    quad = box_corners(plate.box) @ m[:, :2].T + m[:, 2]
                    if (
                        quad[:, 0].min() >= 0
                        and quad[:, 0].max() < W
                        and quad[:, 1].min() >= 0
                        and quad[:, 1].max() < H
                    ):
                        visible.append(
                            {
                                "vehicle_id": vid if i == 0 else None,
                                "vrm": plate.text,
                                "quad": quad.round(1).tolist(),
                            }
                        )
                emit(frame, visible)
            passes.append(
                VehiclePass(
                    vid,
                    first.text,
                    "other",
                    "approaching",
                    0,
                    "still",
                    enter,
                    frame_no,
                    round(1 / seconds_per_still, 3),
                )
            )
            for _ in range(gap):
                emit(empty, [])
    writer.release()
    write_truth(truth, passes)
    return passes, unreadable
