"""Edge speed on a 1080p frame with two plates: milliseconds per stage and frames per second for
every device profile at 1 and 2 threads, against a straightforward OpenCV-cascade + RapidOCR
pipeline measured on the same frame in the same run.

    python -m benchmarks.edge_speed [--repeats 20] [--json artifacts/edge-speed.json]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from benchmarks.baselines import CascadeDetector, RapidOcrReader, crop_box
from edge.profile_check import PLATE_BOXES, measure, median_ms, test_frame
from edge.profiles import PROFILES_DIR, load_profile


def baseline(repeats: int, threads: int) -> dict[str, float]:
    """Cascade over the whole frame, RapidOCR on each plate box (the cascade's own boxes vary)."""
    import cv2

    cv2.setNumThreads(threads)
    frame = test_frame()
    detector, ocr = CascadeDetector(), RapidOcrReader(threads)
    crops = [crop_box(frame, b) for b in PLATE_BOXES]
    detect = median_ms(lambda: detector(frame), max(3, repeats // 4))
    per_plate = median_ms(lambda: ocr.read_crop(crops[0]), repeats)
    frame_ms = detect + per_plate * len(crops)
    return {"detect_ms": detect, "ocr_ms_per_plate": per_plate, "frame_ms": frame_ms, "fps": 1000 / frame_ms}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results: dict[str, dict] = {"cpu": {"cores": os.cpu_count()}}
    for threads in (int(t) for t in args.threads.split(",")):
        base = baseline(args.repeats, threads)
        results[f"baseline cascade + RapidOCR, {threads} thread(s)"] = base
        print(
            f"baseline cascade + RapidOCR, {threads} thread(s): detect {base['detect_ms']:.1f} ms, "
            f"OCR {base['ocr_ms_per_plate']:.1f} ms/plate, {base['fps']:.2f} fps",
            flush=True,
        )
        for path in sorted(PROFILES_DIR.glob("*.yaml")):
            prof = load_profile(str(path)).model_copy(update={"threads": threads})
            f = measure(prof, args.repeats)
            row = {
                "input_widths": list(f.input_widths),
                "gate_ms": f.gate_ms,
                "detect_ms": f.detect_ms,
                "rectify_ms_per_plate": f.rectify_ms,
                "ocr_ms_per_plate": f.ocr_ms_per_plate,
                "second_look_ms_per_plate": f.second_look_ms,
                "frame_ms": f.frame_ms,
                "fps": f.fps,
                "fps_ratio_vs_baseline": f.fps / base["fps"],
            }
            results[f"{prof.name}, {threads} thread(s)"] = row
            print(
                f"{prof.name} ({f.widths_label} px), {threads} thread(s): detect {f.detect_ms:.1f} ms, "
                f"OCR {f.ocr_ms_per_plate:.2f} ms/plate, {f.fps:.1f} fps = "
                f"{row['fps_ratio_vs_baseline']:.0f}× baseline",
                flush=True,
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
