"""Read accuracy on recorded footage, per vehicle pass (`anpr bench footage`).

Runs the real edge pipeline (gate → detect → rectify → OCR → track) over a clip and matches
its reads to the truth's vehicle passes by time and text. Two figures are kept apart:
capture rate = vehicles read ÷ vehicles passing, and read accuracy = exact reads ÷ reads.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from anpr.protocol import Read
from edge.capture import frames_of
from edge.config import CameraConfig, TrackingConfig
from edge.pipeline import CameraPipeline
from edge.profiles import Profile
from edge.read_builder import ReadContext
from edge.stages import build_stages
from edge.track import similarity
from models.footage import VehiclePass

CONFUSION_PAIRS = [
    ("B", "8"),
    ("0", "O"),
    ("0", "D"),
    ("O", "D"),
    ("1", "I"),
    ("2", "Z"),
    ("5", "S"),
    ("6", "G"),
]


@dataclass
class FootageReport:
    vehicles: int = 0
    reads: int = 0
    captured: int = 0
    exact: int = 0
    top_k: int = 0
    duplicates: int = 0
    false_reads: int = 0
    char_total: int = 0
    char_correct: int = 0
    confusion: Counter = field(default_factory=Counter)
    by_condition: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    by_format: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    by_height: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    stage_ms: dict[str, float] = field(default_factory=dict)
    frames: int = 0
    seconds: float = 0.0

    def figures(self) -> dict:
        return {
            "vehicles": self.vehicles,
            "reads": self.reads,
            "capture_rate": self.captured / max(1, self.vehicles),
            "read_accuracy": self.exact / max(1, self.reads - self.false_reads - self.duplicates),
            "top_k_accuracy": self.top_k / max(1, self.captured),
            "char_accuracy": self.char_correct / max(1, self.char_total),
            "duplicates": self.duplicates,
            "false_reads": self.false_reads,
            "frames": self.frames,
            "fps": self.frames / max(1e-9, self.seconds),
            "ms_per_frame_by_stage": {k: v / max(1, self.frames) for k, v in self.stage_ms.items()},
            "by_condition": {
                k: {"vehicles": v[0], "captured": v[1], "exact": v[2]} for k, v in self.by_condition.items()
            },
            "by_format": {
                k: {"vehicles": v[0], "captured": v[1], "exact": v[2]} for k, v in self.by_format.items()
            },
            "by_plate_height_px": {
                str(k): {"reads": v[0], "exact": v[1]} for k, v in sorted(self.by_height.items())
            },
            "confusions": {f"{a}->{b}": n for (a, b), n in self.confusion.most_common(40)},
            "b8_confusions": self.confusion[("B", "8")] + self.confusion[("8", "B")],
        }


def run_pipeline(
    video: Path, profile: Profile, fps: float, tracking: TrackingConfig
) -> tuple[list[Read], dict, int, float]:
    cam = CameraConfig(camera_id="BENCH-C1", source=str(video), realtime=False, expected_fps=fps)
    stages = build_stages(profile)
    ctx = ReadContext("BENCH", "BENCH-A1", cam.camera_id, None, {}, "bench", profile)
    pipe = CameraPipeline(
        cam,
        tracking,
        stages.detector,
        stages.reader,
        ctx,
    )
    reads: list[Read] = []
    n = 0
    t0 = time.perf_counter()
    start = None
    for frame in frames_of(cam):
        start = start or frame.captured_at
        reads += pipe.process(frame)
        n += 1
    reads += pipe.flush()
    return reads, dict(pipe.clock.ms), n, time.perf_counter() - t0, start.timestamp() if start else 0.0


def score(reads: list[Read], truth: list[VehiclePass], fps: float, clip_start: float) -> FootageReport:
    rep = FootageReport(vehicles=len(truth), reads=len(reads))
    claimed: dict[int, Read] = {}
    for r in sorted(reads, key=lambda r: r.captured_at):
        t = r.captured_at.timestamp() - clip_start
        frame = t * fps
        # The pass this read belongs to: in view at that moment, most similar text.
        cands = [p for p in truth if p.enter_frame - fps <= frame <= p.exit_frame + fps]
        best = max(cands, key=lambda p: similarity(p.vrm, r.vrm), default=None)
        if best is None or similarity(best.vrm, r.vrm) < 0.4:
            rep.false_reads += 1
            continue
        if best.vehicle_id in claimed:
            rep.duplicates += 1
            continue
        claimed[best.vehicle_id] = r
    for p in truth:
        c = rep.by_condition[p.condition]
        f = rep.by_format[p.format]
        c[0] += 1
        f[0] += 1
        r = claimed.get(p.vehicle_id)
        if r is None:
            continue
        rep.captured += 1
        c[1] += 1
        f[1] += 1
        ok = r.vrm == p.vrm
        rep.exact += ok
        c[2] += ok
        f[2] += ok
        rep.top_k += ok or any(cand.vrm == p.vrm for cand in r.candidates)
        h = (r.box[3] - r.box[1]) // 10 * 10
        rep.by_height[h][0] += 1
        rep.by_height[h][1] += ok
        if len(r.vrm) == len(p.vrm):
            rep.char_total += len(p.vrm)
            for a, b in zip(p.vrm, r.vrm, strict=True):
                rep.char_correct += a == b
                if a != b:
                    rep.confusion[(a, b)] += 1
        else:
            rep.char_total += len(p.vrm)
            rep.char_correct += round(similarity(p.vrm, r.vrm) * len(p.vrm))
    return rep


def write_report(rep: FootageReport, out: Path, title: str, compare: dict | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    fig = rep.figures()
    (out / "figures.json").write_text(json.dumps(fig, indent=2) + "\n")
    heights = fig["by_plate_height_px"]
    plt.figure(figsize=(6, 3.5))
    xs = [int(k) for k in heights]
    plt.bar(xs, [v["exact"] / max(1, v["reads"]) for v in heights.values()], width=8)
    plt.xlabel("plate height in the frame (px, bins of 10)")
    plt.ylabel("read accuracy")
    plt.ylim(0, 1.05)
    plt.title("Accuracy by plate height")
    plt.tight_layout()
    plt.savefig(out / "accuracy_by_height.png", dpi=110)
    plt.close()
    conds = fig["by_condition"]
    plt.figure(figsize=(6, 3.5))
    names = list(conds)
    cap = [conds[n]["captured"] / max(1, conds[n]["vehicles"]) for n in names]
    acc = [conds[n]["exact"] / max(1, conds[n]["captured"]) for n in names]
    idx = range(len(names))
    plt.bar([i - 0.2 for i in idx], cap, width=0.4, label="capture rate")
    plt.bar([i + 0.2 for i in idx], acc, width=0.4, label="read accuracy")
    plt.xticks(list(idx), names)
    plt.ylim(0, 1.05)
    plt.legend()
    plt.title("By condition")
    plt.tight_layout()
    plt.savefig(out / "by_condition.png", dpi=110)
    plt.close()
    chars = sorted({c for pair in rep.confusion for c in pair}) or ["-"]
    grid = [[rep.confusion[(a, b)] for b in chars] for a in chars]
    plt.figure(figsize=(5, 4.5))
    plt.imshow(grid, cmap="Reds")
    plt.xticks(range(len(chars)), chars)
    plt.yticks(range(len(chars)), chars)
    plt.xlabel("read as")
    plt.ylabel("truth")
    plt.colorbar()
    plt.title("Character confusions")
    plt.tight_layout()
    plt.savefig(out / "confusion.png", dpi=110)
    plt.close()
    md = [
        f"# {title}",
        "",
        "| figure | value |",
        "|---|---|",
        f"| vehicles passing | {fig['vehicles']} |",
        f"| reads | {fig['reads']} |",
        f"| **capture rate** (vehicles read ÷ vehicles passing) | {fig['capture_rate']:.3f} |",
        f"| **read accuracy** (exact reads ÷ reads of real vehicles) | {fig['read_accuracy']:.3f} |",
        f"| top-k accuracy (truth among the candidates) | {fig['top_k_accuracy']:.3f} |",
        f"| character accuracy | {fig['char_accuracy']:.3f} |",
        f"| duplicate reads | {fig['duplicates']} |",
        f"| false reads | {fig['false_reads']} |",
        f"| B/8 confusions (BS AU 145e test characters) | {fig['b8_confusions']} |",
        f"| frames, frames/s | {fig['frames']}, {fig['fps']:.1f} |",
        "",
    ]
    md += ["## Milliseconds per frame by stage", "", "| stage | ms |", "|---|---|"]
    md += [f"| {k} | {v:.2f} |" for k, v in fig["ms_per_frame_by_stage"].items()]
    md += [
        "",
        "## By condition",
        "",
        "| condition | vehicles | capture rate | read accuracy |",
        "|---|---|---|---|",
    ]
    md += [
        f"| {k} | {v['vehicles']} | {v['captured'] / max(1, v['vehicles']):.3f} | {v['exact'] / max(1, v['captured']):.3f} |"
        for k, v in conds.items()
    ]
    md += [
        "",
        "## By format",
        "",
        "| format | vehicles | capture rate | read accuracy |",
        "|---|---|---|---|",
    ]
    md += [
        f"| {k} | {v['vehicles']} | {v['captured'] / max(1, v['vehicles']):.3f} | {v['exact'] / max(1, v['captured']):.3f} |"
        for k, v in fig["by_format"].items()
    ]
    md += [
        "",
        "## Confusions (truth→read)",
        "",
        ", ".join(f"{k}: {v}" for k, v in fig["confusions"].items()) or "none",
    ]
    if compare:
        md += ["", "## Compared with", "", "| figure | this | other | difference |", "|---|---|---|---|"]
        for k in ("capture_rate", "read_accuracy", "top_k_accuracy", "char_accuracy", "fps"):
            md.append(f"| {k} | {fig[k]:.3f} | {compare[k]:.3f} | {fig[k] - compare[k]:+.3f} |")
        for k in ("reads", "duplicates", "false_reads"):
            md.append(f"| {k} | {fig[k]} | {compare[k]} | {fig[k] - compare[k]:+d} |")
    md += [
        "",
        "![accuracy by height](accuracy_by_height.png) ![by condition](by_condition.png) "
        "![confusions](confusion.png)",
        "",
    ]
    path = out / "report.md"
    path.write_text("\n".join(md))
    return path
