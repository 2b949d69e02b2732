"""`anpr read --json` on a folder: one JSON object per image, errors reported, the run goes on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.footage import synthesise


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    d = tmp_path_factory.mktemp("stills")
    passes = synthesise(
        d / "c.mp4", d / "t.csv", vehicles=1, conditions=("day",), seed=5, size=(1280, 720), fps=5, lanes=1
    )
    cap = cv2.VideoCapture(str(d / "c.mp4"))
    frames = []
    ok, f = cap.read()
    while ok:
        frames.append(f)
        ok, f = cap.read()
    truth = [json.loads(line) for line in (d / "t.frames.jsonl").read_text().splitlines()]
    # The frame where the plate is biggest and fully visible.
    best = max(
        (t for t in truth if t["plates"]), key=lambda t: np.ptp(np.array(t["plates"][0]["quad"])[:, 0])
    )
    imgs = d / "images"
    imgs.mkdir()
    cv2.imwrite(str(imgs / "a_car.jpg"), frames[best["frame"]])
    cv2.imwrite(str(imgs / "b_empty.png"), np.full((480, 640, 3), 100, np.uint8))
    (imgs / "c_broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return imgs, passes[0].vrm


def test_read_json_folder(folder: tuple[Path, str]) -> None:
    imgs, vrm = folder
    proc = subprocess.run(
        [sys.executable, "-m", "anpr.cli.main", "read", str(imgs), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 1, "an image failed, so the exit code says so"
    assert [Path(r["image"]).name for r in rows] == ["a_car.jpg", "b_empty.png", "c_broken.jpg"]
    car, empty, broken = rows
    assert car["error"] is None and [p["text"] for p in car["plates"]] == [vrm]
    p = car["plates"][0]
    assert set(p) >= {"text", "confidence", "char_confidences", "box", "corners", "format", "candidates"}
    assert (
        len(p["box"]) == 4
        and len(p["corners"]) == 4
        and p["format"] in ("current", "prefix", "suffix", "q", "dateless", "ni", "other")
    )
    assert 0 < p["confidence"] <= 1 and len(p["char_confidences"]) == len(p["raw_text"])
    assert p["candidates"][0]["vrm"] == vrm
    assert empty == {"image": empty["image"], "plates": [], "error": None}
    assert broken["plates"] == [] and "not a readable image" in broken["error"]


def test_read_all_good_exits_zero(folder: tuple[Path, str]) -> None:
    imgs, vrm = folder
    proc = subprocess.run(
        [sys.executable, "-m", "anpr.cli.main", "read", str(imgs / "a_car.jpg")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and vrm in proc.stdout
