"""Train the plate detector on synthetic scenes and export it to ONNX (fp32 and int8).

python -m models.train_detector --out models/ --seed 11 --scenes 6000 --steps 8000 --lr 2e-3 \
    --refresh-every 5 --refresh-chunk 64 --threads 1 [--init models/detector.pt]

The committed model went on from the previous one on a lent GPU for a fixed time:

python -m models.train_detector --out models/ --seed 11 --scenes 6000 --steps 400000 --batch 32 \
    --refresh-every 4 --refresh-chunk 64 --refresh-workers 6 --workers 6 --threads 1 \
    --budget-s 1300 --init models/detector.pt
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

from models import refresh
from models.data_cache import cache_path
from models.detector_net import CORNER_SCALE, STRIDE, DetectorExport, DetectorNet
from models.fonts import HELDOUT_FONTS, TRAIN_FONTS, available
from models.scene_data import SCENE, make_scenes
from models.training import OneCycle, add_schedule_arguments, photometric, prepare

CHUNK = 250


def dataset(cache: Path, seed: int, n: int, heldout: bool, workers: int):  # type: ignore[no-untyped-def]
    fonts = available(HELDOUT_FONTS if heldout else TRAIN_FONTS)
    path = cache_path(cache, f"scenes-{'heldout' if heldout else 'train'}-{seed}-{n}", fonts, ".pkl")
    if path.exists():
        return pickle.loads(path.read_bytes())
    seeds = [seed * 100_003 + i for i in range((n + CHUNK - 1) // CHUNK)]
    xs, ys = [], []
    with ProcessPoolExecutor(workers) as pool:
        for x, y in pool.map(make_scenes, seeds, [CHUNK] * len(seeds), [fonts] * len(seeds)):
            xs.append(x)
            ys.extend(y)
    data = (np.concatenate(xs)[:n], ys[:n])
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(data))
    return data


def targets(plates: list[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian centre heatmap, corner offsets and their weight mask at stride 4."""
    g = size // STRIDE
    heat = np.zeros((g, g), np.float32)
    reg = np.zeros((8, g, g), np.float32)
    wmask = np.zeros((g, g), np.float32)
    yy, xx = np.mgrid[0:g, 0:g]
    for quad in plates:
        c = quad.mean(0) / STRIDE
        w = np.ptp(quad[:, 0]) / STRIDE
        h = np.ptp(quad[:, 1]) / STRIDE
        sigma = max(0.7, 0.15 * math.sqrt(w * h) + 0.3)
        # The peak sits on the integer cell holding the centre, so that cell is exactly 1: the
        # focal loss's positive. The corner offsets below are relative to that cell's centre.
        cx, cy = int(c[0]), int(c[1])
        heat = np.maximum(heat, np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2)))
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                x, y = cx + dx, cy + dy
                if 0 <= x < g and 0 <= y < g:
                    centre = np.array([(x + 0.5) * STRIDE, (y + 0.5) * STRIDE])
                    reg[:, y, x] = ((quad - centre) / CORNER_SCALE).ravel()
                    wmask[y, x] = 1.0 if (dx, dy) == (0, 0) else 0.5
    return heat, reg, wmask


def focal_loss(logits: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = gt.ge(0.99).float()
    pos_loss = -torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = -torch.log(1 - p) * p**2 * (1 - gt) ** 4 * (1 - pos)
    return (pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


CROP = 256


def augment(x: np.ndarray, plates: list[np.ndarray], rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """Random 256 crop (cheaper steps, translation invariance) and mirror."""
    ox, oy = (int(v) for v in rng.integers(0, SCENE - CROP + 1, 2))
    x = x[oy : oy + CROP, ox : ox + CROP]
    kept = []
    for q in plates:
        q = q - np.array([ox, oy], np.float32)
        c = q.mean(0)
        if 0 <= c[0] < CROP and 0 <= c[1] < CROP:
            kept.append(q)
    if rng.random() < 0.5:  # mirror: plates read backwards are still plates to find
        x = x[:, ::-1]
        kept = [np.stack([CROP - q[:, 0], q[:, 1]], 1)[[1, 0, 3, 2]] for q in kept]
    return np.ascontiguousarray(x), kept


def recall_at(
    model: torch.nn.Module, x: np.ndarray, ys: list[list[np.ndarray]], thr: float = 0.3
) -> tuple[float, float]:
    """(recall of plate centres within half a plate height, false positives per scene)."""
    model.eval()
    device = next(model.parameters()).device
    found = total = fps = 0
    with torch.no_grad():
        for i in range(0, len(x), 64):
            xb = torch.from_numpy(x[i : i + 64]).float().div(255).unsqueeze(1).to(device)
            peaks, _ = DetectorExport(model)(xb)
            for j, p in enumerate(peaks[:, 0].cpu().numpy()):
                pts = np.argwhere(p > thr)[:, ::-1] * STRIDE + STRIDE / 2
                used = set()
                for quad in ys[i + j]:
                    total += 1
                    c = quad.mean(0)
                    tol = max(6.0, np.ptp(quad[:, 1]) * 0.75)
                    d = np.linalg.norm(pts - c, axis=1) if len(pts) else np.array([])
                    k = int(d.argmin()) if len(d) else -1
                    if k >= 0 and d[k] <= tol:
                        found += 1
                        used.add(k)
                fps += len(pts) - len(used)
    model.train()
    return found / max(1, total), fps / len(x)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("models"))
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path("models/data"),
        help="generated sets, kept by seed, size and recipe",
    )
    ap.add_argument("--scenes", type=int, default=6_000)
    ap.add_argument("--val", type=int, default=500)
    ap.add_argument("--steps", type=int, default=8_000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--init", type=Path, help="start from this checkpoint (models/<name>.pt)")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: all cores)")
    refresh.add_arguments(ap, every=5, chunk=64, what="scenes")
    add_schedule_arguments(ap)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(args.seed)
    t0 = time.time()
    x, ys = dataset(args.cache, args.seed, args.scenes, False, args.workers)
    xv, yv = dataset(args.cache, args.seed + 1, args.val, True, args.workers)
    print(f"data: {len(x)} scenes, {len(xv)} held-out-font scenes in {time.time() - t0:.0f}s", flush=True)

    model, device = prepare(DetectorNet(), args.init, args.threads)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    rng = np.random.default_rng(args.seed)
    fresh = refresh.Refresher.from_args(make_scenes, (available(TRAIN_FONTS),), x, ys, args)
    t1 = time.time()
    sched = OneCycle(opt, args.lr, args.steps, 0.1, args.budget_s)
    step, finished = 0, False
    while not finished:
        step += 1
        idx = rng.integers(0, len(x), args.batch)
        batch = [augment(x[i], ys[i], rng) for i in idx]
        tg = [targets(p, CROP) for _, p in batch]
        xb = torch.from_numpy(np.stack([b[0] for b in batch])).float().div(255).unsqueeze(1).to(device)
        xb = photometric(xb)
        heat = torch.from_numpy(np.stack([t[0] for t in tg]))[:, None].to(device)
        reg = torch.from_numpy(np.stack([t[1] for t in tg])).to(device)
        wm = torch.from_numpy(np.stack([t[2] for t in tg]))[:, None].to(device)
        logits, corners = model(xb)
        l_heat = focal_loss(logits, heat)
        l_reg = (
            torch.nn.functional.smooth_l1_loss(corners, reg, reduction="none", beta=0.05) * wm
        ).sum() / wm.sum().clamp(min=1)
        loss = l_heat + 5 * l_reg
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        sched.set_lr(step)
        fresh.after_step(step)
        finished = sched.done(step)
        if step % 200 == 0 or finished:
            rec, fp = recall_at(model, xv[:150], yv[:150])
            torch.save(model.state_dict(), args.out / "detector.pt")
            print(
                f"step {step} heat {l_heat.item():.3f} reg {l_reg.item():.4f} "
                f"recall {rec:.3f} fp/scene {fp:.2f} ({time.time() - t1:.0f}s, "
                f"{fresh.next_chunk * args.refresh_chunk} new scenes, waited {fresh.waited_s:.0f}s)",
                flush=True,
            )
    fresh.close()

    rec, fp = recall_at(model, xv, yv)
    print(f"final: held-out-font scene recall {rec:.4f}, false positives per scene {fp:.3f}")
    model.cpu().eval()
    torch.save(model.state_dict(), args.out / "detector.pt")
    from models.export import export_detector

    files = export_detector(model, args.out)
    (args.out / "detector.train.json").write_text(
        json.dumps(
            {
                "seed": args.seed,
                "init": str(args.init) if args.init else None,
                "scenes": args.scenes,
                "fresh_scenes": fresh.next_chunk * args.refresh_chunk,
                "refresh_every": args.refresh_every,
                "refresh_chunk": args.refresh_chunk,
                "refresh_workers": args.refresh_workers,
                "lr": args.lr,
                "threads": args.threads,
                "steps": step,
                "max_steps": args.steps,
                "budget_s": args.budget_s,
                "ended_by": sched.ended_by,
                "batch": args.batch,
                "device": device,
                "train_seconds": round(time.time() - t1),
                "heldout_scene_recall": rec,
                "false_positives_per_scene": fp,
                "files": [str(f) for f in files],
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
