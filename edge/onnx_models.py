"""Load the ONNX models with onnxruntime and identify them by SHA-256 (reported in every read)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import onnxruntime as ort

MODELS_DIR = Path(str(files("models")))  # the shipped ONNX files, inside the installed package


@dataclass(frozen=True)
class LoadedModel:
    name: str
    path: Path
    sha256: str
    session: ort.InferenceSession


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load(path: Path, threads: int = 1, providers: tuple[str, ...] = ("CPUExecutionProvider",)) -> LoadedModel:
    if not path.exists():
        raise FileNotFoundError(f"model file not found: {path}")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    available = set(ort.get_available_providers())
    chosen = [p for p in providers if p in available] or ["CPUExecutionProvider"]
    session = ort.InferenceSession(str(path), opts, providers=chosen)
    return LoadedModel(path.stem, path, sha256_of(path), session)
