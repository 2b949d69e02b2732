"""Still-image datasets with ground truth: the openalpr benchmark layout and a plain CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TruthPlate:
    box: tuple[int, int, int, int]  # x1, y1, x2, y2
    text: str


@dataclass(frozen=True)
class Still:
    image: Path
    plates: list[TruthPlate]


def load_openalpr(directory: Path) -> list[Still]:
    """`NAME.txt` beside `NAME.jpg`: `NAME.jpg<TAB>x<TAB>y<TAB>w<TAB>h<TAB>TEXT` per plate."""
    stills = []
    for txt in sorted(directory.glob("*.txt")):
        plates = []
        image = None
        for line in txt.read_text().splitlines():
            parts = line.strip().split()
            # Other text files (a LICENSE) sit beside the truth files: only well-formed lines count.
            if len(parts) < 6 or not all(p.lstrip("-").isdigit() for p in parts[1:5]):
                continue
            image = directory / parts[0]
            x, y, w, h = (int(v) for v in parts[1:5])
            plates.append(TruthPlate((x, y, x + w, y + h), "".join(parts[5:]).upper()))
        if image is not None and plates:
            stills.append(Still(image, plates))
    return stills


FORMATS = ("openalpr", "csv")


def load_stills(path: Path, fmt: str, limit: int = 0) -> list[Still]:
    """The photos of a dataset in either layout; the first `limit` of them when it is set."""
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not path.exists():
        raise FileNotFoundError(f"dataset not found: {path}")
    stills = load_openalpr(path) if fmt == "openalpr" else load_csv(path)
    return stills[:limit] if limit else stills


def load_csv(path: Path) -> list[Still]:
    """Columns: image, x1, y1, x2, y2, text (image paths relative to the CSV)."""
    by_image: dict[Path, list[TruthPlate]] = {}
    with path.open() as fh:
        for row in csv.DictReader(fh):
            img = path.parent / row["image"]
            box = (int(row["x1"]), int(row["y1"]), int(row["x2"]), int(row["y2"]))
            by_image.setdefault(img, []).append(TruthPlate(box, row["text"].upper().replace(" ", "")))
    return [Still(k, v) for k, v in by_image.items()]


def fold(text: str) -> str:
    """The openalpr truth writes O for zero and I for one at times: compare with both folded."""
    return text.upper().replace("O", "0").replace("I", "1")
