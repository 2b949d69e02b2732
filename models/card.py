"""Write a model card (`models/NAME.md`) from the training record, the file's hash and size,
and latency measured here per thread count.

    python -m models.card ocr --eval-json artifacts/eval-ocr.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from edge.onnx_models import sha256_of
from models.ocr_data import FOREIGN_SHARE
from models.plate_render import US_GOTHIC_SHARE
from models.scene_data import FOREIGN_SHARE as SCENE_FOREIGN_SHARE
from models.scene_data import PLATE_WIDTHS

MODELS = Path(__file__).parent


def latency_ms(path: Path, shape: tuple[int, ...], threads: int, runs: int = 50) -> float:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    name = sess.get_inputs()[0].name
    for _ in range(5):
        sess.run(None, {name: x})
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sess.run(None, {name: x})
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def ort_version() -> str:
    import onnxruntime as ort

    return ort.__version__


SHAPES = {"ocr": (1, 1, 32, 128), "detector": (1, 1, 384, 640)}
WHAT = {
    "ocr": (
        "Plate OCR",
        "A small fully convolutional CTC recogniser (no recurrent layers) over the rectified "
        "plate line, 32×128 grey; 2-line plates are laid side by side by `edge/rectify.py`. Output: per "
        "time step probabilities over blank + 0-9 A-Z (32 steps).",
    ),
    "detector": (
        "Plate detector",
        "A single-stage anchor-free detector (CenterNet-style, depthwise-separable "
        "backbone with a small FPN) on a grey image of any size that is a multiple of 32. Outputs at "
        "stride 4: a plate-centre heatmap with 3×3 max-pool peak suppression built into the graph, and "
        "the offsets of the plate's 4 corners for rectification.",
    ),
}


def write(name: str, evaluation: dict) -> Path:
    train = json.loads((MODELS / f"{name}.train.json").read_text())
    lines = [f"# {WHAT[name][0]} (`{name}.onnx`, `{name}.int8.onnx`)", "", WHAT[name][1], ""]
    lines += ["## Files", "", "| file | bytes | SHA-256 |", "|---|---|---|"]
    for f in (f"{name}.onnx", f"{name}.int8.onnx"):
        p = MODELS / f
        lines.append(f"| `{f}` | {p.stat().st_size:,} | `{sha256_of(p)}` |")
    lines += ["", "The edge agent reports the SHA-256 of the file it loaded in every read (`models`).", ""]
    lines += ["## Data", ""]
    if name == "ocr":
        lines += [
            f"- {train['samples']:,} synthetic plates from `models/ocr_data.py` (seed {train['seed']})"
            + (
                f", of which new ones replaced {train['refresh_chunk']} every {train['refresh_every']} steps: "
                f"{train['fresh_samples']:,} more plates seen during training"
                if train.get("refresh_every")
                else ""
            )
            + ": every "
            "UK format (current, prefix, suffix, Q, dateless, NI) front and rear, 1-line and 2-line "
            "(square, motorcycle) layouts, optional UK/GB/green bands, raised characters, screws, borders, "
            f"dealer text; {FOREIGN_SHARE:.0%} foreign plates (EU-style with blue band, US-style with state "
            "name, slogan, coloured ink and background, separators and state pictures between or beside "
            f"the character groups; {US_GOTHIC_SHARE:.0%} of US plates in the drawn US gothic face).",
            "- Camera realism (`models/camera.py`): yaw ±45°, pitch ±20°, roll ±10°, plate widths 38–260 px, "
            "motion and defocus blur, infrared night (bright plate, dark surroundings), shadows, glare, dirt, "
            "rain, partial occlusion, sensor noise, JPEG at quality 25–90, and detector-like corner jitter "
            "(6 % of the plate height). Per batch (`models/train_ocr.augment`): contrast 0.25–1.2, "
            "brightness 0.6–1.2, shear ±0.3 px per px, one plate in ten inverted.",
            *(
                [
                    f"- {train['band_share']:.0%} of the US-style plates cut to the band across their middle "
                    "that holds the characters, as the edge also reads a squarish plate "
                    "(`edge.rectify.CHARACTER_BANDS`)."
                ]
                if train.get("band_share")
                else []
            ),
            f"- Training fonts: {', '.join(train['train_fonts'])} (`cw-stroke` is drawn in code at the "
            "Charles Wright stroke weight; `us-gothic` and `us-gothic-light` are drawn in code after US plate "
            "faces by `models/drawn_font.py`). Held out, never trained on: "
            f"{', '.join(train['heldout_fonts'])}.",
            "- No real photo was used for training; `../shared/data` is evaluation only.",
        ]
    else:
        lines += [
            f"- {train['scenes']:,} synthetic grey scenes 320×320 from `models/scene_data.py` (seed "
            f"{train['seed']})"
            + (
                f", of which new ones replaced {train['refresh_chunk']} every {train['refresh_every']} steps: "
                f"{train['fresh_scenes']:,} more scenes seen during training"
                if train.get("refresh_every")
                else ""
            )
            + ": roads, buildings, vehicles drawn in code with 0–3 plates each at detector scale "
            f"{PLATE_WIDTHS[0]:.0f}–{PLATE_WIDTHS[1]:.0f} px wide ({SCENE_FOREIGN_SHARE:.0%} EU- and "
            "US-style, so 2:1 plates are framed too; a third in a black, chrome or coloured holder with "
            "dealer text, the plate's own corners as truth), posed in 3D, plus hard negatives (signs and "
            "van lettering in other fonts, grilles, lamps) and noise textures; trained on random 256 crops "
            "and mirror images, contrast 0.25–1.2 and brightness 0.6–1.2 per scene.",
            "- No real photo was used for training; `../shared/data` is evaluation only.",
        ]
    lines += [
        "",
        "## Training",
        "",
        "```",
        f"python -m models.train_{name} --out models/ --seed {train['seed']} "
        + (f"--samples {train['samples']} " if name == "ocr" else f"--scenes {train['scenes']} ")
        + f"--steps {train.get('max_steps', train['steps'])} --batch {train['batch']}"
        + (f" --lr {train['lr']}" if train.get("lr") else "")
        + (
            f" --refresh-every {train['refresh_every']} --refresh-chunk {train['refresh_chunk']}"
            if train.get("refresh_every")
            else ""
        )
        + (f" --refresh-workers {train['refresh_workers']}" if train.get("refresh_workers") else "")
        + (f" --band-share {train['band_share']:g}" if train.get("band_share") else "")
        + (f" --threads {train['threads']}" if train.get("threads") else "")
        + (f" --budget-s {train['budget_s']:g}" if train.get("budget_s") else "")
        + (f" --init {train['init']}" if train.get("init") else ""),
        "```",
        "",
        f"Device: {train.get('device_name', train['device'])}; {train['steps']:,} steps of batch "
        f"{train['batch']}; {train['train_seconds']:,} s"
        + (
            f" (the {train['budget_s']:g} s budget ended the run: the one-cycle schedule followed the "
            f"clock, so a rerun reaches a step count near {train['steps']:,} that depends on the machine)"
            if train.get("ended_by") == "budget"
            else ""
        )
        + ". Seeded (torch, numpy, data); reruns match within noise. "
        f"The weights are kept as `models/{name}.pt`, so a later run can go on from them (`--init`).",
        "",
    ]
    lines += ["## Accuracy", "", "| evaluation set | figure | value |", "|---|---|---|"]
    for row in evaluation.get("rows", []):
        lines.append(f"| {row[0]} | {row[1]} | {row[2]} |")
    lines += [
        "",
        "## Latency (onnxruntime, CPU, median of 50 runs)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, onnxruntime {ort_version()}, "
        f"measured {datetime.now(UTC):%Y-%m-%d}. Input {SHAPES[name]}.",
        "",
        "| file | 1 thread | 2 threads |",
        "|---|---|---|",
    ]
    for f in (f"{name}.onnx", f"{name}.int8.onnx"):
        one = latency_ms(MODELS / f, SHAPES[name], 1)
        two = latency_ms(MODELS / f, SHAPES[name], 2)
        lines.append(f"| `{f}` | {one:.2f} ms | {two:.2f} ms |")
    lines += ["", "## Limits", ""] + [f"- {x}" for x in evaluation.get("limits", [])]
    out = MODELS / f"{name}.md"
    out.write_text("\n".join(lines) + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=["ocr", "detector"])
    ap.add_argument("--eval-json", type=Path, required=True)
    args = ap.parse_args()
    print(write(args.name, json.loads(args.eval_json.read_text())))


if __name__ == "__main__":
    main()
