"""A cached training set is found again only by a run of the same data recipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import data_cache
from models.fonts import HELDOUT_FONTS, TRAIN_FONTS


def test_the_same_recipe_finds_the_same_file(tmp_path: Path) -> None:
    first = data_cache.cache_path(tmp_path, "ocr-train-7-20000", TRAIN_FONTS, ".npz")
    assert first == data_cache.cache_path(tmp_path, "ocr-train-7-20000", TRAIN_FONTS, ".npz")
    assert first.parent == tmp_path
    assert first.name.startswith("ocr-train-7-20000-") and first.suffix == ".npz"


def test_other_fonts_name_another_file() -> None:
    assert data_cache.recipe_tag(TRAIN_FONTS) != data_cache.recipe_tag(TRAIN_FONTS[:-1])
    assert data_cache.recipe_tag(TRAIN_FONTS) != data_cache.recipe_tag(HELDOUT_FONTS)


def test_a_change_to_the_generator_names_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "plate_render.py"
    source.write_text("GAP_MM = 11\n")
    monkeypatch.setattr(data_cache, "RECIPE_SOURCES", (source,))
    before = data_cache.recipe_tag(TRAIN_FONTS)
    source.write_text("GAP_MM = 12\n")
    assert data_cache.recipe_tag(TRAIN_FONTS) != before


def test_the_recipe_covers_the_generator_modules() -> None:
    names = {p.name for p in data_cache.RECIPE_SOURCES}
    assert {"plate_render.py", "camera.py", "ocr_data.py", "scene_data.py", "rectify.py"} <= names
    assert all(p.exists() for p in data_cache.RECIPE_SOURCES)
