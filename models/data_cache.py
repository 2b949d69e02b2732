"""Where a generated training set is cached: its file name carries the data recipe (the fonts and
the generator's code), so a run reuses only a set made the way it would make one itself. A name of
seed and size alone let a run with more fonts, or one after a change to the generator, train on a
stale set without a word."""

from __future__ import annotations

import hashlib
from pathlib import Path

import edge.rectify
from models.fonts import FontSpec

MODELS = Path(__file__).parent
# The code that decides what a generated sample looks like (the edge's rectification builds the
# OCR's crops).
RECIPE_SOURCES = (
    *(
        MODELS / f"{name}.py"
        for name in ("camera", "drawn_font", "ocr_data", "plate_render", "plate_text", "scene_data")
    ),
    Path(edge.rectify.__file__),
)


def recipe_tag(fonts: tuple[FontSpec, ...]) -> str:
    """8 hex digits that change with the fonts (names and files) or the generator's code."""
    h = hashlib.sha256()
    for font in fonts:
        h.update(f"{font.name}={font.path}\n".encode())
    for source in RECIPE_SOURCES:
        h.update(source.read_bytes())
    return h.hexdigest()[:8]


def cache_path(cache: Path, stem: str, fonts: tuple[FontSpec, ...], suffix: str) -> Path:
    """`cache/<stem>-<recipe tag><suffix>`."""
    return cache / f"{stem}-{recipe_tag(fonts)}{suffix}"
