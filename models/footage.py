"""Synthetic UK traffic footage with truth: vehicles with plates entering and leaving the frame
at different speeds and lanes, in daylight colour, night infrared or rain.

    anpr footage synth --out clip.mp4 --truth truth.csv --vehicles 12 --conditions day,night --seed 1

The truth CSV has one row per vehicle pass; a `.frames.jsonl` beside it has the
plate quads visible in every frame.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from anpr.plates import PlateFormat
from models.fonts import HELDOUT_FONTS, TRAIN_FONTS, FontSpec, available
from models.plate_render import PlateSpec, render
from models.plate_text import groups, random_uk_vrm

CONDITIONS = ("day", "night", "rain")


@dataclass(frozen=True)
class VehiclePass:
    vehicle_id: int
    vrm: str
    format: str
    direction: str  # approaching (front, white plate) | receding (rear, yellow plate)
    lane: int
    condition: str
    enter_frame: int
    exit_frame: int
    speed: float  # fraction of the frame height per second


def _vehicle_sprite(rng: random.Random, plate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A vehicle body (BGR) with the plate mounted, and the plate's quad in sprite pixels."""
    ph, pw = plate.shape[:2]
    w = int(pw * rng.uniform(3.4, 4.0))
    h = int(w * rng.uniform(0.7, 0.85))
    body = np.array([rng.randint(20, 235) for _ in range(3)], np.uint8)
    sprite = np.zeros((h, w, 3), np.uint8)
    sprite[:] = body
    cv2.rectangle(sprite, (w // 8, 0), (7 * w // 8, h // 3), (45, 50, 60), -1)  # windscreen
    for lx in (w // 10, 9 * w // 10):
        cv2.ellipse(sprite, (lx, h // 2), (w // 14, w // 26), 0, 0, 360, (230, 230, 210), -1)
    x0, y0 = (w - pw) // 2, int(h * 0.72) - ph // 2
    sprite[y0 : y0 + ph, x0 : x0 + pw] = plate[:, :, ::-1]
    quad = np.array([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]], np.float32)
    return sprite, quad


def synthesise(
    out: Path,
    truth: Path,
    vehicles: int = 10,
    conditions: tuple[str, ...] = ("day",),
    seed: int = 1,
    size: tuple[int, int] = (1280, 720),
    fps: float = 25.0,
    lanes: int = 2,
    fonts: tuple[FontSpec, ...] | None = None,
) -> list[VehiclePass]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    fonts = fonts or available(HELDOUT_FONTS) or available(TRAIN_FONTS)
    W, H = size
    road = np.full((H, W, 3), 95, np.uint8)
    road[: H // 4] = (190, 170, 150)
    for i in range(1, lanes):
        x = W * i // lanes
        for y in range(H // 4, H, 60):
            cv2.line(road, (x, y), (x, y + 30), (220, 220, 220), 4)

    passes: list[VehiclePass] = []
    sprites: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    frame_no = int(fps * 0.5)
    for vid in range(vehicles):
        condition = conditions[vid * len(conditions) // max(1, vehicles)]  # contiguous blocks
        vrm, fmt = random_uk_vrm(rng, PlateFormat.CURRENT if rng.random() < 0.7 else None)
        direction = rng.choice(["approaching", "receding"])
        spec = PlateSpec(
            text=" ".join(groups(vrm, fmt)),
            label=vrm,
            style="uk-front" if direction == "approaching" else "uk-rear",
            font=rng.choice(fonts),
            band=rng.choice(["none", "uk"]),
        )
        plate = render(spec).image
        speed = rng.uniform(0.35, 0.7)
        duration = int(fps * (1.0 / speed))
        lane = vid % lanes
        passes.append(
            VehiclePass(
                vid + 1,
                vrm,
                fmt.value,
                direction,
                lane,
                condition,
                frame_no,
                frame_no + duration,
                round(speed, 3),
            )
        )
        sprites[vid + 1] = _vehicle_sprite(
            rng,
            cv2.resize(
                plate, (220, int(220 * plate.shape[0] / plate.shape[1])), interpolation=cv2.INTER_AREA
            ),
        )
        # The next vehicle enters after this one is well clear: one plate in view per lane at a time.
        frame_no += int(duration * rng.uniform(0.55, 0.9)) if lanes > 1 else duration + int(fps * 0.3)
    total = max(p.exit_frame for p in passes) + int(fps * 0.5) if passes else int(fps)

    out.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (W, H))
    frames_path = truth.with_suffix(".frames.jsonl")
    with frames_path.open("w") as frames_log:
        for f in range(total):
            frame = road.copy()
            visible = []
            active = [p for p in passes if p.enter_frame <= f < p.exit_frame]
            condition = active[0].condition if active else passes[-1].condition if passes else "day"
            for p in active:
                sprite, quad = sprites[p.vehicle_id]
                prog = (f - p.enter_frame) / (p.exit_frame - p.enter_frame)
                pos = prog if p.direction == "approaching" else 1 - prog
                scale = 0.45 + 0.55 * pos  # nearer the camera = lower in the frame = bigger
                sw, sh = int(sprite.shape[1] * scale), int(sprite.shape[0] * scale)
                cx = int(W * (p.lane + 0.5) / lanes)
                cy = int(-sh / 2 + pos * (H + sh * 0.9))
                x0, y0 = cx - sw // 2, cy - sh // 2
                small = cv2.resize(sprite, (sw, sh), interpolation=cv2.INTER_AREA)
                xs0, ys0 = max(0, -x0), max(0, -y0)
                xs1, ys1 = min(sw, W - x0), min(sh, H - y0)
                if xs1 <= xs0 or ys1 <= ys0:
                    continue
                frame[y0 + ys0 : y0 + ys1, x0 + xs0 : x0 + xs1] = small[ys0:ys1, xs0:xs1]
                q = quad * scale + np.array([x0, y0], np.float32)
                if q[:, 1].min() >= 0 and q[:, 1].max() < H and q[:, 0].min() >= 0 and q[:, 0].max() < W:
                    visible.append({"vehicle_id": p.vehicle_id, "vrm": p.vrm, "quad": q.round(1).tolist()})
            frame = _condition(frame, condition, visible, nrng)
            writer.write(frame)
            frames_log.write(json.dumps({"frame": f, "plates": visible}) + "\n")
    writer.release()

    write_truth(truth, passes)
    return passes


def _condition(
    frame: np.ndarray, condition: str, visible: list[dict], nrng: np.random.Generator
) -> np.ndarray:
    if condition == "night":
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float32) * 0.25
        for v in visible:  # the retro-reflective plate stays bright under IR
            q = np.array(v["quad"], np.int32)
            mask = np.zeros(gray.shape, np.uint8)
            cv2.fillConvexPoly(mask, q, 1)
            gray[mask > 0] = gray[mask > 0] * 4.0
        gray += nrng.normal(0, 5, gray.shape)
        return cv2.cvtColor(np.clip(gray, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    if condition == "rain":
        out = cv2.GaussianBlur(frame, (0, 0), 0.8)
        for _ in range(120):
            x, y = int(nrng.integers(0, frame.shape[1])), int(nrng.integers(0, frame.shape[0]))
            cv2.line(out, (x, y), (x + 2, y + 14), (200, 200, 200), 1)
        return out
    noise = nrng.normal(0, 3, frame.shape)
    return np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)


TRUTH_COLUMNS = (
    "vehicle_id",
    "vrm",
    "format",
    "direction",
    "lane",
    "condition",
    "enter_frame",
    "exit_frame",
    "speed",
)


def write_truth(truth: Path, passes: list[VehiclePass]) -> None:
    truth.parent.mkdir(parents=True, exist_ok=True)
    with truth.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(TRUTH_COLUMNS)
        for p in passes:
            w.writerow([getattr(p, c) for c in TRUTH_COLUMNS])


def load_truth(truth: Path) -> list[VehiclePass]:
    with truth.open() as fh:
        return [
            VehiclePass(
                int(r["vehicle_id"]),
                r["vrm"],
                r["format"],
                r["direction"],
                int(r["lane"]),
                r["condition"],
                int(r["enter_frame"]),
                int(r["exit_frame"]),
                float(r["speed"]),
            )
            for r in csv.DictReader(fh)
        ]
