"""Train the OCR model on synthetic UK plates and export it to ONNX (fp32 and int8).

    python -m models.train_ocr --out models/ --seed 7 --samples 20000 --steps 8000 --lr 2e-3 \
        --refresh-every 8 --refresh-chunk 256 --threads 1 [--init models/ocr.pt]

Seeded and reproducible; uses CUDA when present, the CPU otherwise. The committed model went on
from the previous one on a lent GPU, its 16 cores generating plates, for a fixed time:

    python -m models.train_ocr --out models/ --seed 7 --samples 40000 --steps 400000 --batch 128 \
        --refresh-every 4 --refresh-chunk 256 --refresh-workers 8 --workers 8 --threads 1 \
        --budget-s 1300 --init models/ocr.pt

Plate generation, not the GPU, bounds such a run (on an H200 with 14 workers the trainer waited 290
of 400 s): give generation all cores but one or two.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models import refresh
from models.data_cache import cache_path
from models.fonts import HELDOUT_FONTS, TRAIN_FONTS, FontSpec, available
from models.ocr_data import ALPHABET, make_batch
from models.ocr_net import OcrNet
from models.training import OneCycle, add_schedule_arguments, photometric, prepare

CHUNK = 1000


def generate(
    seed: int, n: int, fonts: tuple[FontSpec, ...], workers: int, band: float
) -> tuple[np.ndarray, list[str]]:
    seeds = [seed * 100_003 + i for i in range((n + CHUNK - 1) // CHUNK)]
    make = functools.partial(make_batch, band_share=band)
    xs, ys = [], []
    with ProcessPoolExecutor(workers) as pool:
        for x, y in pool.map(make, seeds, [CHUNK] * len(seeds), [fonts] * len(seeds)):
            xs.append(x)
            ys.extend(y)
    return np.concatenate(xs)[:n], ys[:n]


def dataset(
    cache: Path, seed: int, n: int, heldout: bool, workers: int, band: float
) -> tuple[np.ndarray, list[str]]:
    fonts = available(HELDOUT_FONTS if heldout else TRAIN_FONTS)
    stem = f"ocr-{'heldout' if heldout else 'train'}-{seed}-{n}{f'-band{band:g}' if band else ''}"
    path = cache_path(cache, stem, fonts, ".npz")
    if path.exists():
        d = np.load(path)
        return d["x"], list(d["y"])
    x, y = generate(seed, n, fonts, workers, band)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x=x, y=np.array(y))
    return x, y


def encode_labels(labels: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    flat = [ALPHABET.index(c) + 1 for label in labels for c in label]
    return torch.tensor(flat, dtype=torch.long), torch.tensor([len(s) for s in labels], dtype=torch.long)


def augment(xb: torch.Tensor) -> torch.Tensor:
    """Per-batch variety the renderer does not give cheaply: contrast and brightness, italic-like
    shear of ±0.3 px per px (US states' slanted faces, and more shapes per glyph), and one plate in
    ten with light characters on dark."""
    b = len(xb)
    xb = photometric(xb)
    u = torch.rand(b, 2, device=xb.device)
    shear = (u[:, 0] - 0.5) * 0.6 * xb.shape[2] / xb.shape[3]  # px per px in normalised units
    theta = torch.zeros(b, 2, 3, device=xb.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1
    theta[:, 0, 1] = shear
    grid = F.affine_grid(theta, list(xb.shape), align_corners=False)
    xb = F.grid_sample(xb, grid, padding_mode="border", align_corners=False)
    invert = (u[:, 1] < 0.1).view(b, 1, 1, 1)
    return torch.where(invert, 1 - xb, xb)


def greedy(probs: np.ndarray) -> list[str]:
    out = []
    for seq in probs.argmax(-1):
        chars, prev = [], 0
        for k in seq:
            if k != prev and k != 0:
                chars.append(ALPHABET[k - 1])
            prev = k
        out.append("".join(chars))
    return out


def evaluate(model: torch.nn.Module, x: np.ndarray, y: list[str], device: str) -> float:
    model.eval()
    preds: list[str] = []
    with torch.no_grad():
        for i in range(0, len(x), 512):
            xb = torch.from_numpy(x[i : i + 512]).float().div(255).unsqueeze(1).to(device)
            preds += greedy(model(xb).softmax(-1).cpu().numpy())
    model.train()
    return float(np.mean([p == t for p, t in zip(preds, y, strict=True)]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("models"))
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path("models/data"),
        help="generated sets, kept by seed, size and recipe",
    )
    ap.add_argument("--samples", type=int, default=20_000)
    ap.add_argument("--val", type=int, default=2_000)
    ap.add_argument("--steps", type=int, default=8_000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--init", type=Path, help="start from this checkpoint (models/<name>.pt)")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: all cores)")
    ap.add_argument(
        "--band-share",
        type=float,
        default=0.0,
        help="US-style plates cut to their character band, as the edge reads them",
    )
    refresh.add_arguments(ap, every=8, chunk=256, what="plates")
    add_schedule_arguments(ap)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    t0 = time.time()
    x, y = dataset(args.cache, args.seed, args.samples, False, args.workers, args.band_share)
    xv, yv = dataset(args.cache, args.seed + 1, args.val, False, args.workers, args.band_share)
    xh, yh = dataset(args.cache, args.seed + 2, args.val, True, args.workers, args.band_share)
    print(
        f"data: {len(x)} train, {len(xv)} val, {len(xh)} held-out font in {time.time() - t0:.0f}s", flush=True
    )

    model, device = prepare(OcrNet(), args.init, args.threads)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    gen = np.random.default_rng(args.seed)
    xt = torch.from_numpy(x)  # shares memory with x, which the refresher overwrites in place
    make = functools.partial(make_batch, band_share=args.band_share)
    fresh = refresh.Refresher.from_args(make, (available(TRAIN_FONTS),), x, y, args)
    t1 = time.time()
    sched = OneCycle(opt, args.lr, args.steps, 0.15, args.budget_s)
    step, finished = 0, False
    while not finished:
        step += 1
        idx = gen.integers(0, len(x), args.batch)
        xb = augment(xt[idx].float().div(255).unsqueeze(1).to(device))
        targets, lengths = encode_labels([y[i] for i in idx])
        logp = model(xb).log_softmax(-1).permute(1, 0, 2)  # (T, B, C)
        loss = F.ctc_loss(
            logp,
            targets,
            torch.full((len(idx),), logp.shape[0], dtype=torch.long),
            lengths,
            blank=0,
            zero_infinity=True,
        )
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.set_lr(step)
        fresh.after_step(step)
        finished = sched.done(step)
        if step % 250 == 0 or finished:
            acc = evaluate(model, xv, yv, device)
            torch.save(model.state_dict(), args.out / "ocr.pt")
            print(
                f"step {step} loss {loss.item():.3f} val exact {acc:.4f} ({time.time() - t1:.0f}s, "
                f"{fresh.next_chunk * args.refresh_chunk} new plates, waited {fresh.waited_s:.0f}s)",
                flush=True,
            )
    fresh.close()

    val_acc = evaluate(model, xv, yv, device)
    held_acc = evaluate(model, xh, yh, device)
    print(f"final: val exact {val_acc:.4f}, held-out font exact {held_acc:.4f}")
    model.cpu().eval()
    torch.save(model.state_dict(), args.out / "ocr.pt")
    from models.export import export_ocr

    files = export_ocr(model, args.out)
    (args.out / "ocr.train.json").write_text(
        json.dumps(
            {
                "seed": args.seed,
                "init": str(args.init) if args.init else None,
                "samples": args.samples,
                "fresh_samples": fresh.next_chunk * args.refresh_chunk,
                "refresh_every": args.refresh_every,
                "refresh_chunk": args.refresh_chunk,
                "refresh_workers": args.refresh_workers,
                "lr": args.lr,
                "band_share": args.band_share,
                "threads": args.threads,
                "steps": step,
                "max_steps": args.steps,
                "budget_s": args.budget_s,
                "ended_by": sched.ended_by,
                "batch": args.batch,
                "device": device,
                "train_seconds": round(time.time() - t1),
                "val_exact": val_acc,
                "heldout_font_exact": held_acc,
                "train_fonts": [f.name for f in available(TRAIN_FONTS)],
                "heldout_fonts": [f.name for f in available(HELDOUT_FONTS)],
                "files": [str(f) for f in files],
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
