"""OCR accuracy on the held-out synthetic split, by plate width, read as the edge reads it.

    python -m models.eval_ocr [--model models/ocr.onnx] [--baseline OTHER.onnx] [--n 500] [--json F]

The split uses only the held-out font (never trained on). Each plate goes through the edge's own
decoder (`edge.ocr.PlateReader`: beam search ranked by the UK grammar); the model's greedy best path
is reported beside it. Both read the crop rectified knowing the plate's number of lines, as in
training; "frame" reads the same plate from its posed frame and jittered corners the way the edge
reads a detection (`PlateReader.read_quads`: every rectification variant, the most confident wins).
With `--baseline` a second model reads the same samples in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from edge.ocr import PlateReader
from edge.onnx_models import load
from edge.rectify import rectify
from models.fonts import HELDOUT_FONTS, available
from models.ocr_data import WIDTHS, PosedPlate, posed_plate

MODELS = Path(__file__).parent
SEED = 20_261_122
MEASURES = ("exact", "greedy", "frame")

# (name, plate width range in px, share of foreign plates)
SPLITS: tuple[tuple[str, tuple[float, float], float], ...] = (
    ("UK, all widths 38-260 px (training distribution)", WIDTHS, 0.0),
    ("UK, 38-60 px wide", (38.0, 60.0), 0.0),
    ("UK, 60-90 px wide", (60.0, 90.0), 0.0),
    ("UK, 90-130 px wide", (90.0, 130.0), 0.0),
    ("UK, 130-260 px wide", (130.0, 260.0), 0.0),
    ("EU- and US-style, all widths", WIDTHS, 1.0),
)


def split_data(n: int) -> list[tuple[str, list[PosedPlate]]]:
    """Each split's plates; the same seed as `make_batch`, so the crops match it sample for sample."""
    fonts = available(HELDOUT_FONTS)
    out = []
    for i, (name, widths, foreign) in enumerate(SPLITS):
        rng = random.Random(SEED + i)
        out.append((name, [posed_plate(rng, fonts, widths, foreign) for _ in range(n)]))
    return out


def crops_of(plates: list[PosedPlate]) -> np.ndarray:
    return np.stack([rectify(p.image, p.quad, p.lines) for p in plates])


def accuracy(
    reader: PlateReader, plates: list[PosedPlate], labels: list[str] | None = None
) -> dict[str, float]:
    """Exact-read shares against `labels` (default: the plates' own)."""
    labels = labels or [p.label for p in plates]
    results = reader(crops_of(plates))
    framed = [reader.read_quads(p.image, [p.quad])[0] for p in plates]

    def share(texts: list[str]) -> float:
        return float(np.mean([a == b for a, b in zip(texts, labels, strict=True)]))

    return {
        "exact": share([r.text for r in results]),
        "greedy": share([r.raw.text for r in results]),
        "frame": share([r.text for r in framed]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=MODELS / "ocr.onnx")
    ap.add_argument("--baseline", type=Path, help="a second OCR model read on the same samples")
    ap.add_argument("--n", type=int, default=500, help="samples per split")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()

    models = {"model": PlateReader(load(args.model, args.threads))}
    if args.baseline:
        models["baseline"] = PlateReader(load(args.baseline, args.threads))
    data = split_data(args.n)
    figures = {
        name: {key: accuracy(reader, plates) for key, reader in models.items()} for name, plates in data
    }

    table = Table(title=f"held-out font, {args.n} plates per split")
    table.add_column("split")
    for key in models:
        for measure in MEASURES:
            table.add_column(f"{key} {measure}")
    for name, row in figures.items():
        table.add_row(name, *(f"{row[k][m]:.1%}" for k in models for m in MEASURES))
    Console().print(table)
    if args.json:
        meta = {"model": str(args.model), "baseline": str(args.baseline) if args.baseline else None}
        args.json.write_text(json.dumps({"meta": meta, "n": args.n, "figures": figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
