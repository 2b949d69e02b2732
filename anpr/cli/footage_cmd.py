from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("synth")
def synth(
    out: Path = typer.Option(..., help="Output video (.mp4)."),
    truth: Path = typer.Option(..., help="Output truth CSV, one row per vehicle pass."),
    vehicles: int = typer.Option(10, min=1),
    conditions: str = typer.Option("day", help="Comma-separated: day,night,rain"),
    seed: int = typer.Option(1),
    width: int = typer.Option(1280),
    height: int = typer.Option(720),
    fps: float = typer.Option(25.0),
    lanes: int = typer.Option(2, min=1, max=4),
) -> None:
    """Render synthetic UK traffic with per-frame and per-vehicle truth."""
    from models.footage import CONDITIONS, synthesise

    conds = tuple(c.strip() for c in conditions.split(",") if c.strip())
    bad = [c for c in conds if c not in CONDITIONS]
    if bad or not conds:
        typer.echo(f"error: --conditions: unknown {bad}; choose from {', '.join(CONDITIONS)}", err=True)
        raise typer.Exit(2)
    passes = synthesise(out, truth, vehicles, conds, seed, (width, height), fps, lanes)
    typer.echo(
        f"{out}: {len(passes)} vehicle passes; truth in {truth} and {truth.with_suffix('.frames.jsonl')}"
    )


@app.command("stills")
def stills(
    dataset: Path = typer.Option(..., help="Folder (openalpr layout) or CSV of photos with truth."),
    fmt: str = typer.Option("openalpr", "--format", help="openalpr | csv"),
    out: Path = typer.Option(..., help="Output video (.mp4)."),
    truth: Path = typer.Option(..., help="Output truth CSV, one row per photo (vehicle pass)."),
    fps: float = typer.Option(12.0, min=1),
    seconds: float = typer.Option(1.5, min=0.2, help="How long each photo's pass lasts."),
    width: int = typer.Option(1280),
    height: int = typer.Option(720),
    limit: int = typer.Option(0, help="Only the first N photos (0 = all)."),
) -> None:
    """Sweep still photos into a clip (one vehicle pass each) for `anpr bench footage`."""
    passes, unreadable = sweep_dataset(
        dataset, fmt, out, truth, limit, size=(width, height), fps=fps, seconds_per_still=seconds
    )
    typer.echo(f"{out}: {len(passes)} vehicle passes ({unreadable} photos unreadable); truth in {truth}")


def sweep_dataset(
    dataset: Path, fmt: str, out: Path, truth: Path, limit: int = 0, **options: Any
) -> tuple[list, int]:
    """Load a stills dataset and sweep it into a clip with a progress bar; a bad dataset exits 2.
    `options` go to `sweep_stills` (size, fps, seconds_per_still)."""
    from rich.progress import Progress

    from benchmarks.datasets import load_stills
    from benchmarks.stills_sweep import sweep_stills

    try:
        photos = load_stills(dataset, fmt, limit)
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with Progress() as progress:
        task = progress.add_task(f"sweeping {len(photos)} photos into a clip", total=len(photos))
        return sweep_stills(photos, out, truth, progress=lambda: progress.advance(task), **options)
