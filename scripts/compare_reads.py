"""Compare two `anpr read --json` outputs of the same photos (x86 and arm64): the same plate text
for every photo, and every confidence within a tolerance.

    python scripts/compare_reads.py x86.jsonl arm64.jsonl --tolerance 0.02
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def plates(path: Path) -> dict[str, list[tuple[str, float]]]:
    out = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        out[Path(row["image"]).name] = [(p["text"], p["confidence"]) for p in row.get("plates") or []]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("reference", type=Path)
    ap.add_argument("other", type=Path)
    ap.add_argument("--tolerance", type=float, default=0.02)
    args = ap.parse_args()
    ref, other = plates(args.reference), plates(args.other)
    bad, worst = [], 0.0
    for name, want in sorted(ref.items()):
        got = other.get(name)
        if got is None or [t for t, _ in got] != [t for t, _ in want]:
            bad.append(f"{name}: x86 read {[t for t, _ in want]}, arm64 {got and [t for t, _ in got]}")
            continue
        for (_, a), (_, b) in zip(want, got, strict=True):
            worst = max(worst, abs(a - b))
            if abs(a - b) > args.tolerance:
                bad.append(f"{name}: confidence {a:.4f} on x86, {b:.4f} on arm64")
    texts = sum(len(v) for v in ref.values())
    print(
        f"ARM64 {len(ref)} photos, {texts} plates: {len(ref) - len(bad)} photos alike, "
        f"largest confidence difference {worst:.4f} (tolerance {args.tolerance})"
    )
    for b in bad:
        print("  differs:", b)
    return 1 if bad or not ref else 0


if __name__ == "__main__":
    sys.exit(main())
